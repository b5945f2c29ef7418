/**
 * ClerkMiddleware (effect-clerk/http) on each line's own HttpApp, served as a web handler:
 * tokens the emulator mints, verified by a TokenVerifier built once (as an app builds it),
 * every refusal a 401 with its reason and nothing leaked, header beats cookie, the optional
 * variant, and a JWKS outage answered 503. Run in Node and, unchanged, inside workerd on both
 * lines (vitest.workers.config.ts includes it).
 */
import { appToWebHandler, makeClock, withClock } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { type HttpServerRequest, type HttpServerResponse, jsonResponse } from "#line/HttpServer"
import { ClerkMiddleware, CurrentSession, OptionalSession } from "../../src/http/index.js"
import { ClerkEmulator, Fault } from "../../src/testing/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"
import { seedAda } from "./support.js"
import { ClerkClient } from "../../src/ClerkClient.js"

const ORIGIN = "https://app.example.com"
const Live = TokenVerifier.layer({ authorizedParties: [ORIGIN] }).pipe(
  Layer.provideMerge(ClerkEmulator.layerClient({ origin: ORIGIN, client: { retry: false } }))
)

let runtime: ManagedRuntime.ManagedRuntime<TokenVerifier | ClerkEmulator | ClerkClient, never>
let verifier: TokenVerifier.Service
let emulator: ClerkEmulator.Service

beforeAll(async () => {
  runtime = ManagedRuntime.make(Live)
  verifier = await runtime.runPromise(TokenVerifier)
  emulator = await runtime.runPromise(ClerkEmulator)
  await runtime.runPromise(seedAda(emulator))
})
afterAll(async () => {
  for (const own of others) await own.dispose()
  await runtime.dispose()
})

const mint = (sessionId: string) => runtime.runPromise(emulator.mintToken(sessionId))
/** A token the emulator minted two hours ago (on a clock set back), long expired now. */
const mintExpired = (sessionId: string) => {
  const earlier = makeClock(() => Date.now() - 2 * 3600_000, () => Effect.void)
  return runtime.runPromise(emulator.mintToken(sessionId).pipe(withClock(earlier)))
}
/**
 * A TokenVerifier of its own (its own empty JWKS cache) over the same emulator's client, in a
 * runtime of its own that lives until the suite ends (its layer's scope stays open, as an app's does).
 */
const others: Array<ManagedRuntime.ManagedRuntime<TokenVerifier, never>> = []
const verifierWith = async (options: Parameters<typeof TokenVerifier.layer>[0]) => {
  const client = Layer.succeed(ClerkClient, await runtime.runPromise(ClerkClient))
  const own = ManagedRuntime.make(TokenVerifier.layer(options).pipe(Layer.provide(client)))
  others.push(own)
  return own.runPromise(TokenVerifier)
}

// The handlers: a protected one reading CurrentSession, a public one reading OptionalSession.
const me = Effect.map(CurrentSession, (session) =>
  jsonResponse({ userId: session.userId, sessionId: session.sessionId, canRead: session.has({ permission: "org:invoices:read" }) }, 200, {}))
const home = Effect.map(OptionalSession, (session) =>
  jsonResponse({ signedIn: Option.isSome(session), sessionId: Option.getOrUndefined(Option.map(session, (s) => s.sessionId)) ?? null }, 200, {}))

const serve = <E>(
  app: Effect.Effect<HttpServerResponse, E, TokenVerifier | HttpServerRequest>,
  using: () => TokenVerifier.Service = () => verifier
) =>
  (request: Request): Promise<Response> => appToWebHandler(Effect.provideService(app, TokenVerifier, using()))(request)

const protectedHandler = serve(ClerkMiddleware.required(me))
const publicHandler = serve(ClerkMiddleware.optional(home))

const get = (handler: (request: Request) => Promise<Response>, headers: Record<string, string> = {}) =>
  handler(new Request(`${ORIGIN}/me`, { headers }))

const refusal = async (response: Response) => ({ status: response.status, authenticate: response.headers.get("www-authenticate"), body: await response.json() })

describe("ClerkMiddleware.required", () => {
  it("a valid token in the Authorization header or the __session cookie reaches the handler with its session", async () => {
    const token = await mint("sess_2ada")
    for (const headers of [{ authorization: `Bearer ${token}` }, { cookie: `theme=dark; __session=${token}` }]) {
      const response = await get(protectedHandler, headers)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ userId: "user_2ada", sessionId: "sess_2ada", canRead: true })
    }
  })

  it("the header beats the cookie, as in @clerk/backend: an expired cookie with a valid header passes, a valid cookie with a bad header does not", async () => {
    const valid = await mint("sess_2ada")
    const expired = await mintExpired("sess_2bob")
    const passes = await get(protectedHandler, { authorization: `Bearer ${valid}`, cookie: `__session=${expired}` })
    expect([passes.status, (await passes.json()).sessionId]).toEqual([200, "sess_2ada"])
    const refused = await refusal(await get(protectedHandler, { authorization: `Bearer ${expired}`, cookie: `__session=${valid}` }))
    expect([refused.status, refused.body.reason]).toEqual([401, "expired"])
  })

  it("each refusal is a 401 ClerkUnauthenticated with its reason, a WWW-Authenticate header and no token or detail in the body", async () => {
    const valid = await mint("sess_2ada")
    const [header, payload, signature] = valid.split(".")
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "missing"],
      [{ authorization: "Basic dXNlcjpwYXNz" }, "missing"],
      [{ authorization: `Bearer ${await mintExpired("sess_2ada")}` }, "expired"],
      [{ authorization: `Bearer ${header}.${payload}.${signature!.slice(0, -4)}AAAA` }, "invalid-signature"],
      [{ authorization: "Bearer not.a-token" }, "malformed"]
    ]
    for (const [headers, reason] of cases) {
      const { authenticate, body, status } = await refusal(await get(protectedHandler, headers))
      expect([status, body._tag, body.reason], reason).toEqual([401, "ClerkUnauthenticated", reason])
      expect(authenticate).toBe(reason === "missing" ? "Bearer" : `Bearer error="invalid_token"`)
      expect(JSON.stringify(body)).not.toMatch(/eyJ|stack|Error:/)
    }
  })

  it("authorizedParties is enforced: a token minted for another origin is wrong-authorized-party", async () => {
    const strict = await verifierWith({ authorizedParties: ["https://other.example.com"] })
    const handler = serve(ClerkMiddleware.required(me), () => strict)
    const { body, status } = await refusal(await get(handler, { authorization: `Bearer ${await mint("sess_2ada")}` }))
    expect([status, body.reason]).toEqual([401, "wrong-authorized-party"])
  })

  it("a token whose keys cannot be loaded (Clerk's JWKS failing) is 503 ClerkAuthUnavailable, not a sign-out", async () => {
    const fresh = await verifierWith({ authorizedParties: [ORIGIN] })
    await runtime.runPromise(emulator.injectFault(Fault.status(500), { route: "getJwks", times: 5 }))
    const handler = serve(ClerkMiddleware.required(me), () => fresh)
    const response = await get(handler, { authorization: `Bearer ${await mint("sess_2ada")}` })
    expect(response.status).toBe(503)
    expect([response.headers.get("retry-after"), await response.json()]).toEqual(["5", {
      _tag: "ClerkAuthUnavailable",
      message: "The session could not be verified right now; try again"
    }])
    await runtime.runPromise(emulator.clearFaults)
  })
})

describe("ClerkMiddleware.optional", () => {
  it("runs the handler for everyone: Some(session) with a valid token, None without one or with one that does not verify", async () => {
    const valid = await mint("sess_2ada")
    expect(await (await get(publicHandler, { cookie: `__session=${valid}` })).json()).toEqual({ signedIn: true, sessionId: "sess_2ada" })
    expect(await (await get(publicHandler)).json()).toEqual({ signedIn: false, sessionId: null })
    const bad = await get(publicHandler, { authorization: "Bearer not.a-token" })
    expect([bad.status, await bad.json()]).toEqual([200, { signedIn: false, sessionId: null }])
  })
})
