/**
 * Hostile input: for arbitrary strings and numbers in every method's params, the SDK either
 * refuses with ClerkInvalidInput and sends nothing, or sends a request whose path is exactly
 * /v1/sessions/<one segment>[/<fixed suffix>] and whose query and body are valid against
 * Clerk's OpenAPI spec (checked by openapi-request-validator).
 */
import { causeOf } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fc from "fast-check"
import { Sessions } from "../src/Sessions.js"
import { mockSessions, okReply, TRANSPORTS, type TransportKind } from "./support/MockTransport.js"
import { hostileNumber, hostileString, maybe, pathShapes } from "./support/hostile.js"
import { validateRequest } from "./support/OpenApi.js"

interface Case<P> {
  readonly name: string
  readonly arb: fc.Arbitrary<P>
  readonly call: (s: Sessions.Service, p: P) => Effect.Effect<unknown, unknown>
  /** The spec path template, method, and the expected path parameters given the input. */
  readonly route: (p: P) => { template: string; method: "get" | "post"; pathParams: Record<string, string> }
}


const checkCase = <P>(transport: TransportKind, c: Case<P>) =>
  it(c.name, async () => {
    let sent = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(c.arb, async (params) => {
        const mock = mockSessions(okReply, {}, transport)
        const exit = await Effect.runPromise(
          Effect.flatMap(Sessions, (s) => c.call(s, params)).pipe(Effect.exit, Effect.provide(mock.layer))
        )
        if (Exit.isFailure(exit)) {
          // The only acceptable failure here is a refusal before sending.
          expect(causeOf(exit.cause)._tag).toBe("Fail")
          expect((causeOf(exit.cause) as any).error._tag).toBe("ClerkInvalidInput")
          expect(mock.recorded).toHaveLength(0)
          refused++
          return
        }
        sent++
        expect(mock.recorded).toHaveLength(1)
        const [req] = mock.recorded
        const { method, pathParams, template } = c.route(params)
        expect(req.method.toLowerCase()).toBe(method)
        // Exactly the expected route, each parameter one segment that decodes to the input.
        const match = req.url.pathname.match(pathShapes[template])
        expect(match, `${req.url.pathname} !~ ${template}`).not.toBeNull()
        const decoded = match!.slice(1).map(decodeURIComponent)
        expect(decoded).toEqual(Object.values(pathParams))
        expect(req.url.hash).toBe("")
        const errors = validateRequest(template, method, {
          path: Object.fromEntries(Object.keys(pathParams).map((k, i) => [k, decoded[i]])),
          query: req.query,
          body: req.body,
          headers: req.headers
        })
        expect(errors, JSON.stringify(errors)).toEqual([])
      }),
      { numRuns: 300 }
    )
    // Both outcomes really happen, so the property is not vacuous.
    expect(sent).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  })

const sessionRoute = (template: string, method: "get" | "post") => (p: { id: string }) => ({
  template,
  method,
  pathParams: { session_id: p.id }
})

describe.each(TRANSPORTS)("hostile input never escapes the path or the spec (over %s)", (transport) => {
  checkCase(transport, {
    name: "getSession",
    arb: fc.record({ id: hostileString }),
    call: (s, p) => s.getSession(p.id),
    route: sessionRoute("/sessions/{session_id}", "get")
  })
  checkCase(transport, {
    name: "revokeSession",
    arb: fc.record({ id: hostileString }),
    call: (s, p) => s.revokeSession(p.id),
    route: sessionRoute("/sessions/{session_id}/revoke", "post")
  })
  checkCase(transport, {
    name: "verifySession",
    arb: fc.record({ id: hostileString, token: maybe(hostileString) }),
    call: (s, p) => s.verifySession(p.id, { token: p.token }),
    route: sessionRoute("/sessions/{session_id}/verify", "post")
  })
  checkCase(transport, {
    name: "createSessionToken",
    arb: fc.record({ id: hostileString, expires: maybe(hostileNumber) }),
    call: (s, p) => s.createSessionToken(p.id, { expiresInSeconds: p.expires }),
    route: sessionRoute("/sessions/{session_id}/tokens", "post")
  })
  checkCase(transport, {
    name: "createSessionTokenFromTemplate",
    arb: fc.record({ id: hostileString, template: hostileString, expires: maybe(hostileNumber) }),
    call: (s, p) => s.createSessionTokenFromTemplate(p.id, p.template, { expiresInSeconds: p.expires }),
    route: (p) => ({
      template: "/sessions/{session_id}/tokens/{template_name}",
      method: "post",
      pathParams: { session_id: p.id, template_name: p.template }
    })
  })
  checkCase(transport, {
    name: "refreshSession",
    arb: fc.record({
      id: hostileString,
      expiredToken: hostileString,
      refreshToken: hostileString,
      requestOrigin: hostileString,
      format: maybe(fc.oneof(fc.constantFrom("token", "cookie"), hostileString)),
      ip: maybe(hostileString),
      headers: maybe(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()), fc.integer() as fc.Arbitrary<any>)))
    }),
    call: (s, p) =>
      s.refreshSession(p.id, {
        expiredToken: p.expiredToken,
        refreshToken: p.refreshToken,
        requestOrigin: p.requestOrigin,
        format: p.format as "token",
        requestOriginatingIp: p.ip,
        requestHeaders: p.headers
      }),
    route: sessionRoute("/sessions/{session_id}/refresh", "post")
  })
  checkCase(transport, {
    name: "getSessionList",
    arb: fc.record({
      userId: maybe(hostileString),
      clientId: maybe(hostileString),
      status: maybe(fc.oneof(fc.constantFrom("active", "revoked", "pending", "ended"), hostileString)),
      limit: maybe(hostileNumber),
      offset: maybe(hostileNumber)
    }),
    call: (s, p) => s.getSessionList(p as any),
    route: () => ({ template: "/sessions", method: "get", pathParams: {} })
  })
  checkCase(transport, {
    name: "createSession",
    arb: fc.record({ userId: hostileString, org: maybe(hostileString) }),
    call: (s, p) => s.createSession({ userId: p.userId, activeOrganizationId: p.org }),
    route: () => ({ template: "/sessions", method: "post", pathParams: {} })
  })
})

describe("the spec validator itself rejects what Clerk rejects (so the property can fail)", () => {
  const h = {}
  it("query and body violations are reported", () => {
    expect(validateRequest("/sessions", "get", { path: {}, query: { limit: "501" }, body: undefined, headers: h })).not.toEqual([])
    expect(validateRequest("/sessions", "get", { path: {}, query: { offset: "-1" }, body: undefined, headers: h })).not.toEqual([])
    expect(validateRequest("/sessions", "get", { path: {}, query: { status: "pending" }, body: undefined, headers: h })).not.toEqual([])
    expect(validateRequest("/sessions", "get", { path: {}, query: { bogus: "1" }, body: undefined, headers: h })).not.toEqual([])
    expect(
      validateRequest("/sessions/{session_id}/tokens", "post", {
        path: { session_id: "s" },
        query: {},
        body: { expires_in_seconds: 29 },
        headers: h
      })
    ).not.toEqual([])
    expect(
      validateRequest("/sessions/{session_id}/refresh", "post", {
        path: { session_id: "s" },
        query: {},
        body: { refresh_token: "r", request_origin: "o" },
        headers: h
      })
    ).not.toEqual([])
    expect(
      validateRequest("/sessions/{session_id}/refresh", "post", {
        path: { session_id: "s" },
        query: {},
        body: { expired_token: "e", refresh_token: "r", request_origin: "o", format: "jwt" },
        headers: h
      })
    ).not.toEqual([])
    expect(
      validateRequest("/sessions", "get", { path: {}, query: { limit: "500", offset: "0", paginated: "true", status: "active" }, body: undefined, headers: h })
    ).toEqual([])
  })
})
