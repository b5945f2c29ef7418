/**
 * ClerkAuth (effect-clerk/http), the HttpApi security middleware, on each line's own HttpApi
 * (#test-line/HttpApi: a public group and a group behind ClerkAuth) served as a web handler:
 * tokens the emulator mints, every failure reason a declared 401 with its `reason` and nothing
 * leaked, header beats cookie as in @clerk/backend, authorizedParties and the issuer enforced,
 * `CurrentSession.require` a declared 403, a JWKS outage a 503, a public route charged no
 * verification, and the OpenAPI document listing the schemes and the responses. Run in Node
 * and, unchanged, inside workerd on both lines (vitest.workers.config.ts includes it).
 */
import { apiHandler, apiSpec } from "#test-line/HttpApi"
import { makeClock, withClock } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { ClerkClient } from "../../src/ClerkClient.js"
import { ClerkEmulator, Fault } from "../../src/testing/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"
import { seedAda } from "./support.js"

const ORIGIN = "https://app.example.com"
const Live = TokenVerifier.layer({ authorizedParties: [ORIGIN] }).pipe(
  Layer.provideMerge(ClerkEmulator.layerClient({ origin: ORIGIN, client: { retry: false } }))
)

let runtime: ManagedRuntime.ManagedRuntime<TokenVerifier | ClerkEmulator | ClerkClient, never>
let emulator: ClerkEmulator.Service
/** How many tokens the app's verifier was asked to verify. */
let verifications = 0
const handlers: Array<{ readonly dispose: () => Promise<void> }> = []
const others: Array<{ readonly dispose: () => Promise<void> }> = []

/** The test API over `verifier` (counting its calls), as an app builds it once. */
const serve = (verifier: TokenVerifier.Service) => {
  const counted: TokenVerifier.Service = {
    ...verifier,
    verify: (token) => {
      verifications++
      return verifier.verify(token)
    }
  }
  const web = apiHandler(Layer.succeed(TokenVerifier, counted))
  handlers.push(web)
  return (path: string, headers: Record<string, string> = {}) => web.handler(new Request(`${ORIGIN}${path}`, { headers }))
}
let call: ReturnType<typeof serve>

beforeAll(async () => {
  runtime = ManagedRuntime.make(Live)
  emulator = await runtime.runPromise(ClerkEmulator)
  await runtime.runPromise(seedAda(emulator))
  call = serve(await runtime.runPromise(TokenVerifier))
})
afterAll(async () => {
  for (const web of handlers) await web.dispose()
  for (const own of others) await own.dispose()
  await runtime.dispose()
})

const mint = (sessionId: string) => runtime.runPromise(emulator.mintToken(sessionId))
/** A token minted on a clock `offset` ms away from now (two hours back: long expired; ahead: not yet valid). */
const mintAt = (sessionId: string, offset: number) =>
  runtime.runPromise(emulator.mintToken(sessionId).pipe(withClock(makeClock(() => Date.now() + offset, () => Effect.void))))
/** A verifier of its own over the same emulator (its own JWKS cache), living until the suite ends. */
const verifierWith = async (options: Parameters<typeof TokenVerifier.layer>[0]) => {
  const client = Layer.succeed(ClerkClient, await runtime.runPromise(ClerkClient))
  const own = ManagedRuntime.make(TokenVerifier.layer(options).pipe(Layer.provide(client)))
  others.push(own)
  return own.runPromise(TokenVerifier)
}

const json = async (response: Response) => ({ status: response.status, body: await response.json() })

describe("ClerkAuth on HttpApi", () => {
  it("a valid token in the Authorization header or the __session cookie reaches the handler as CurrentSession", async () => {
    const token = await mint("sess_2ada")
    for (const headers of [{ authorization: `Bearer ${token}` }, { cookie: `theme=dark; __session=${token}` }]) {
      expect(await json(await call("/me", headers))).toEqual({
        status: 200,
        body: { userId: "user_2ada", sessionId: "sess_2ada", orgId: "org_2acme", orgRole: "org:admin", canRead: true }
      })
    }
  })

  it("the header beats the cookie: an expired cookie with a valid header passes, a valid cookie with an expired header is refused", async () => {
    const valid = await mint("sess_2ada")
    const expired = await mintAt("sess_2bob", -2 * 3600_000)
    const passes = await json(await call("/me", { authorization: `Bearer ${valid}`, cookie: `__session=${expired}` }))
    expect([passes.status, passes.body.sessionId]).toEqual([200, "sess_2ada"])
    const refused = await json(await call("/me", { authorization: `Bearer ${expired}`, cookie: `__session=${valid}` }))
    expect([refused.status, refused.body._tag, refused.body.reason]).toEqual([401, "ClerkUnauthenticated", "expired"])
  })

  it("every failure reason is a declared 401 ClerkUnauthenticated with its reason, and no token, detail or stack in the body", async () => {
    const valid = await mint("sess_2ada")
    const [header, payload, signature] = valid.split(".")
    // A token of another Clerk instance: signed by a key this instance's JWKS does not have.
    const elsewhere = ManagedRuntime.make(ClerkEmulator.layer({ origin: ORIGIN }))
    others.push(elsewhere)
    const foreign = await elsewhere.runPromise(Effect.flatMap(ClerkEmulator, (other) =>
      Effect.flatMap(other.seedSession({ userId: "user_2eve" }), (session) => other.mintToken(session.id))))
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "missing"],
      [{ authorization: "Basic dXNlcjpwYXNz" }, "missing"],
      [{ cookie: "__session=" }, "missing"],
      [{ authorization: `Bearer ${await mintAt("sess_2ada", -2 * 3600_000)}` }, "expired"],
      [{ authorization: `Bearer ${await mintAt("sess_2ada", 3600_000)}` }, "not-yet-valid"],
      [{ authorization: `Bearer ${header}.${payload}.${signature!.slice(0, -4)}AAAA` }, "invalid-signature"],
      [{ authorization: `Bearer ${foreign}` }, "unknown-key"],
      [{ cookie: "__session=not.a-token" }, "malformed"]
    ]
    for (const [headers, reason] of cases) {
      const response = await call("/me", headers)
      const text = await response.text()
      expect([response.status, JSON.parse(text)], reason).toEqual([401, {
        _tag: "ClerkUnauthenticated",
        reason,
        message: reason === "missing" ? "Sign in: the request carries no session token" : "The session token is not valid: sign in again"
      }])
      expect(text).not.toMatch(/eyJ|stack|Error:|at /)
    }
  })

  it("authorizedParties and the issuer are the app's verifier's: wrong-authorized-party, wrong-issuer", async () => {
    const token = await mint("sess_2ada")
    const strictParty = serve(await verifierWith({ authorizedParties: ["https://other.example.com"] }))
    const strictIssuer = serve(await verifierWith({ authorizedParties: [ORIGIN], issuer: "https://clerk.other.example.com" }))
    const party = await json(await strictParty("/me", { authorization: `Bearer ${token}` }))
    const issuer = await json(await strictIssuer("/me", { cookie: `__session=${token}` }))
    expect([party.status, party.body.reason, issuer.status, issuer.body.reason]).toEqual([401, "wrong-authorized-party", 401, "wrong-issuer"])
  })

  it("CurrentSession.require in a handler: the role passes, a permission the session lacks is a declared 403 ClerkForbidden", async () => {
    const token = await mint("sess_2ada")
    expect(await json(await call("/admin", { authorization: `Bearer ${token}` }))).toEqual({ status: 200, body: { ok: true } })
    const denied = await json(await call("/billing", { authorization: `Bearer ${token}` }))
    expect([denied.status, denied.body._tag, denied.body.errors[0].code, denied.body.errors[0].longMessage])
      .toEqual([403, "ClerkForbidden", "authorization_invalid", "The session does not have permission org:invoices:manage"])
    // A session with no active organization has no role at all.
    const noOrg = await json(await call("/admin", { authorization: `Bearer ${await mint("sess_2bob")}` }))
    expect([noOrg.status, noOrg.body._tag]).toEqual([403, "ClerkForbidden"])
  })

  it("Clerk's JWKS failing with no key cached is a declared 503 ClerkAuthUnavailable, not a sign-out", async () => {
    const fresh = serve(await verifierWith({ authorizedParties: [ORIGIN] }))
    await runtime.runPromise(emulator.injectFault(Fault.status(500), { route: "getJwks", times: 5 }))
    const response = await json(await fresh("/me", { authorization: `Bearer ${await mint("sess_2ada")}` }))
    await runtime.runPromise(emulator.clearFaults)
    expect(response).toEqual({ status: 503, body: { _tag: "ClerkAuthUnavailable", message: "The session could not be verified right now; try again" } })
  })

  it("verifies once per request: a public route is charged no verification, a refused bearer token is not verified again for the cookie scheme", async () => {
    const token = await mint("sess_2ada")
    verifications = 0
    expect(await json(await call("/public", { authorization: `Bearer ${token}` }))).toEqual({ status: 200, body: { ok: true } })
    expect(verifications).toBe(0)
    await call("/me", { authorization: `Bearer ${token}` })
    expect(verifications).toBe(1)
    const refused = await call("/me", { authorization: "Bearer not.a-token", cookie: `__session=${token}` })
    expect([refused.status, verifications]).toEqual([401, 2])
  })
})

describe("ClerkAuth in the OpenAPI document", () => {
  const spec = apiSpec()

  it("lists both security schemes: bearer (HTTP) and the __session cookie (apiKey in cookie)", () => {
    expect(spec.components.securitySchemes).toEqual({
      // The auth scheme name is case-insensitive (RFC 7235): Effect 3 writes "bearer", Effect 4 "Bearer".
      bearer: expect.objectContaining({ type: "http", scheme: expect.stringMatching(/^bearer$/i) }),
      cookie: expect.objectContaining({ type: "apiKey", in: "cookie", name: "__session" })
    })
  })

  it("a protected endpoint requires either scheme and declares its 401, 403 and 503; the public one declares none", () => {
    const me = spec.paths["/me"].get
    expect(me.security).toEqual([{ bearer: [] }, { cookie: [] }])
    expect(Object.keys(me.responses).sort()).toEqual(expect.arrayContaining(["200", "401", "403", "503"]))
    const schemaOf = (status: string) => JSON.stringify(me.responses[status].content["application/json"].schema)
    expect(schemaOf("401")).toContain("ClerkUnauthenticated")
    expect(schemaOf("403")).toContain("ClerkForbidden")
    expect(schemaOf("503")).toContain("ClerkAuthUnavailable")
    const hello = spec.paths["/public"].get
    expect([hello.security ?? [], Object.keys(hello.responses).filter((s) => ["401", "403", "503"].includes(s))]).toEqual([[], []])
  })
})
