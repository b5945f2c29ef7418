/**
 * Hostile input over a real socket: arbitrary strings and numbers in every method's params,
 * sent to the emulator served on 127.0.0.1. Whatever the runtime's fetch and the server's
 * URL parsing do to the request line, the server must see either nothing (the SDK refused
 * with ClerkInvalidInput) or exactly one request on the intended route, whose path is
 * exactly /v1/sessions/<one segment>[/<fixed suffix>] with each segment decoding back to the
 * input, and whose query and body are valid against Clerk's OpenAPI spec
 * (openapi-request-validator). The mock-transport property is test/HostileInput.test.ts;
 * this one checks what actually arrives, as the emulator's request log records it.
 *
 * Every case runs once per transport: `ClerkClient.layer` over `FetchHttpClient` (the URL
 * built by `HttpClientRequest`) and `ClerkClient.layerFetch` (the URL built by string
 * concatenation and `URLSearchParams`, the body by `JSON.stringify`).
 */
import { causeOf } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, type EmulatorRoute, type ServedEmulator } from "../../src/testing/index.js"
import { hostileNumber, hostileString, maybe, pathShapes } from "../support/hostile.js"
import { validateRequest } from "../support/OpenApi.js"
import { clientLayer, countingFetch, serveHere, type Transport, transportName, TRANSPORTS } from "./support.js"

const RUNS = Number(process.env.HOSTILE_RUNS ?? 60)


let emulator: ClerkEmulator.Service
let server: ServedEmulator
const sessionsOver = new Map<Transport, Sessions.Service>()

beforeAll(async () => {
  emulator = await ClerkEmulator.start({ verifyEndpoint: "legacy" })
  server = await serveHere(emulator)
  // The service holds no resources of its own, so it stays usable outside its layer.
  for (const transport of TRANSPORTS) {
    sessionsOver.set(
      transport,
      await Effect.runPromise(
        Effect.provide(
          Sessions,
          Sessions.layer.pipe(
            Layer.provide(
              clientLayer(
                transport,
                { secretKey: emulator.secretKey, apiUrl: server.url, retry: false, timeout: "30 seconds" },
                countingFetch().fetch
              )
            )
          )
        )
      )
    )
  }
})

afterAll(async () => {
  await server.stop()
})

interface Case<P> {
  readonly name: string
  readonly arb: fc.Arbitrary<P>
  readonly call: (s: Sessions.Service, p: P) => Effect.Effect<unknown, unknown>
  readonly route: EmulatorRoute
  /** The spec path template, method and the path parameters the input should become. */
  readonly spec: (p: P) => { template: string; method: "get" | "post"; pathParams: Record<string, string> }
  /**
   * Inputs run before the generated ones: one the SDK sends and one it refuses, where
   * `RUNS` generated inputs could by chance all land on one side.
   */
  readonly examples?: ReadonlyArray<P>
}

const checkCase = (transport: Transport) => <P>(c: Case<P>) =>
  it(c.name, async () => {
    const sessions = sessionsOver.get(transport)!
    let sent = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(c.arb, async (params) => {
        await Effect.runPromise(emulator.clearRequests)
        const exit = await Effect.runPromise(Effect.exit(c.call(sessions, params)))
        const log = await Effect.runPromise(emulator.requests)
        // Never a defect: a typed failure or a value.
        if (Exit.isFailure(exit)) expect(causeOf(exit.cause)._tag).toBe("Fail")
        if (Exit.isFailure(exit) && (causeOf(exit.cause) as { error: { _tag: string } }).error._tag === "ClerkInvalidInput") {
          expect(log).toHaveLength(0)
          refused++
          return
        }
        sent++
        expect(log).toHaveLength(1)
        const [request] = log
        const { method, pathParams, template } = c.spec(params)
        expect(request.method.toLowerCase()).toBe(method)
        // The server routed it where it was meant to go, on exactly the expected path.
        expect(request.route).toBe(c.route)
        const match = request.path.match(pathShapes[template])
        expect(match, `${request.path} !~ ${template}`).not.toBeNull()
        const decoded = match!.slice(1).map(decodeURIComponent)
        expect(decoded).toEqual(Object.values(pathParams))
        const errors = validateRequest(template, method, {
          path: Object.fromEntries(Object.keys(pathParams).map((k, i) => [k, decoded[i]])),
          query: request.query as Record<string, string>,
          body: request.body,
          headers: request.headers as Record<string, string>
        })
        expect(errors, JSON.stringify(errors)).toEqual([])
      }),
      { numRuns: RUNS, examples: c.examples?.map((example) => [example] as [P]) ?? [] }
    )
    expect(sent).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  }, 60_000)

const onSession = (template: string, method: "get" | "post") => (p: { id: string }) => ({
  template,
  method,
  pathParams: { session_id: p.id }
})

for (const transport of TRANSPORTS) {
  describe(`hostile input over a socket via ${transportName(transport)}: the server sees one well-formed request or none`, () => {
    const check = checkCase(transport)
    check({
      name: "getSession",
      arb: fc.record({ id: hostileString }),
      call: (s, p) => s.getSession(p.id),
      route: "getSession",
      spec: onSession("/sessions/{session_id}", "get")
    })
    check({
      name: "revokeSession",
      arb: fc.record({ id: hostileString }),
      call: (s, p) => s.revokeSession(p.id),
      route: "revokeSession",
      spec: onSession("/sessions/{session_id}/revoke", "post")
    })
    check({
      name: "verifySession",
      arb: fc.record({ id: hostileString, token: maybe(hostileString) }),
      call: (s, p) => s.verifySession(p.id, { token: p.token }),
      route: "verifySession",
      spec: onSession("/sessions/{session_id}/verify", "post")
    })
    check({
      name: "createSessionToken",
      arb: fc.record({ id: hostileString, expires: maybe(hostileNumber) }),
      call: (s, p) => s.createSessionToken(p.id, { expiresInSeconds: p.expires }),
      route: "createSessionToken",
      spec: onSession("/sessions/{session_id}/tokens", "post")
    })
    check({
      name: "createSessionTokenFromTemplate",
      arb: fc.record({ id: hostileString, template: hostileString, expires: maybe(hostileNumber) }),
      call: (s, p) => s.createSessionTokenFromTemplate(p.id, p.template, { expiresInSeconds: p.expires }),
      route: "createSessionTokenFromTemplate",
      spec: (p) => ({
        template: "/sessions/{session_id}/tokens/{template_name}",
        method: "post",
        pathParams: { session_id: p.id, template_name: p.template }
      })
    })
    check({
      name: "refreshSession",
      arb: fc.record({
        id: hostileString,
        expiredToken: hostileString,
        refreshToken: hostileString,
        requestOrigin: hostileString,
        format: maybe(fc.oneof(fc.constantFrom("token", "cookie"), hostileString)),
        ip: maybe(hostileString)
      }),
      call: (s, p) =>
        s.refreshSession(p.id, {
          expiredToken: p.expiredToken,
          refreshToken: p.refreshToken,
          requestOrigin: p.requestOrigin,
          format: p.format as "token",
          requestOriginatingIp: p.ip
        }),
      route: "refreshSession",
      spec: onSession("/sessions/{session_id}/refresh", "post"),
      examples: [
        { id: "sess_1", expiredToken: "a.b.c", refreshToken: "r", requestOrigin: "https://a.example", format: "token", ip: undefined },
        { id: " ", expiredToken: "a.b.c", refreshToken: "r", requestOrigin: "https://a.example", format: undefined, ip: undefined }
      ]
    })
    check({
      name: "getSessionList",
      arb: fc.record({
        userId: maybe(hostileString),
        clientId: maybe(hostileString),
        status: maybe(fc.oneof(fc.constantFrom("active", "revoked", "ended"), hostileString)),
        limit: maybe(hostileNumber),
        offset: maybe(hostileNumber)
      }),
      call: (s, p) => s.getSessionList(p as any),
      route: "getSessionList",
      spec: () => ({ template: "/sessions", method: "get", pathParams: {} }),
      examples: [
        { userId: "user_1", clientId: undefined, status: "active", limit: 10, offset: 0 },
        { userId: undefined, clientId: undefined, status: undefined, limit: 0, offset: undefined }
      ]
    })
    check({
      name: "listAll (first page)",
      arb: fc.record({ userId: hostileString, limit: maybe(hostileNumber) }),
      call: (s, p) => Stream.runCollect(s.listAll({ userId: p.userId, limit: p.limit })),
      route: "getSessionList",
      spec: () => ({ template: "/sessions", method: "get", pathParams: {} })
    })
    check({
      name: "createSession",
      arb: fc.record({ userId: hostileString, org: maybe(hostileString) }),
      call: (s, p) => s.createSession({ userId: p.userId, activeOrganizationId: p.org }),
      route: "createSession",
      spec: () => ({ template: "/sessions", method: "post", pathParams: {} })
    })
  })
}
