/**
 * TokenVerifier end to end with the emulator's real tokens: the JWKS layer (keys from the
 * emulator's `GET /v1/jwks` through a real ClerkClient, in-process and over a socket) and the
 * PEM layer (the emulator's public key), key rotation, faults on the JWKS route, expiry on
 * TestClock, and template tokens refused as session tokens.
 */
import { TestClock } from "#test-line/Testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../src/ClerkClient.js"
import { Sessions } from "../src/Sessions.js"
import { ClerkEmulator, type ClerkEmulatorClientOptions, Fault } from "../src/testing/index.js"
import { NodeClerkEmulator } from "../src/testing/node/index.js"
import { ClerkTokenInvalid } from "../src/ClerkError.js"
import { TokenVerifier, type TokenVerifierOptions } from "../src/TokenVerifier.js"

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0)
const NOW_S = NOW / 1000
const ISS = "https://emulated.clerk.accounts.dev"
const ORIGIN = "https://app.example.com"
const CHECKS: TokenVerifierOptions = { authorizedParties: [ORIGIN], issuer: ISS }

/** The emulator, a ClerkClient on it (in-process, no retries) and a JWKS TokenVerifier. */
const viaJwks = (options: ClerkEmulatorClientOptions = {}, checks: TokenVerifierOptions = CHECKS) =>
  TokenVerifier.layer(checks).pipe(
    Layer.provideMerge(
      ClerkEmulator.layerClient({ issuer: ISS, origin: ORIGIN, ...options, client: { retry: false, ...options.client } })
    )
  )

/** A PEM verifier built from the emulator's current public key. */
const viaPem = (checks: TokenVerifierOptions = CHECKS) =>
  Effect.flatMap(ClerkEmulator, (emulator) =>
    Effect.map(emulator.publicKeyPem, (jwtKey) => TokenVerifier.layerJwtKey({ jwtKey, ...checks })))

const verifyWith = <E, R>(verifier: Layer.Layer<TokenVerifier, E, R>, token: string) =>
  Effect.provide(Effect.flatMap(TokenVerifier, (v) => v.verify(token)), verifier)

/** The ClerkTokenInvalid a verification fails with (a layer failure would be a defect here). */
const refusal = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.flip(effect), (error) =>
    error instanceof ClerkTokenInvalid ? Effect.succeed(error) : Effect.die(error))

const jwksFetches = Effect.flatMap(ClerkEmulator, (emulator) =>
  Effect.map(emulator.requests, (requests) => requests.filter((r) => r.route === "getJwks")))

/** A user in an organization with permissions, and an active session there. */
const seedOrgSession = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const emulator = yield* ClerkEmulator
  yield* emulator.seedUser({ id: "user_2ada", firstName: "Ada" })
  yield* emulator.seedOrganization({
    id: "org_2acme",
    slug: "acme",
    members: [{ userId: "user_2ada", role: "org:admin", permissions: ["org:dashboard:read", "org:teams:manage"] }]
  })
  return yield* emulator.seedSession({
    id: "sess_2ada",
    userId: "user_2ada",
    activeOrganizationId: "org_2acme",
    secondFactor: true,
    createdAt: NOW - 3 * 60_000
  })
})

describe("TokenVerifier × ClerkEmulator (in-process)", () => {
  it.effect("an emulator session token verifies through the JWKS layer and the PEM layer alike", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const token = yield* emulator.mintToken("sess_2ada")
      const verifier = yield* TokenVerifier
      const claims = yield* verifier.verify(token)
      expect(claims).toMatchObject({
        sid: "sess_2ada",
        sub: "user_2ada",
        iss: ISS,
        azp: ORIGIN,
        v: 2,
        sts: "active",
        iat: NOW_S,
        nbf: NOW_S - 5,
        exp: NOW_S + 60,
        fva: [3, 3],
        o: { id: "org_2acme", slg: "acme", rol: "admin", per: "read,manage", fpm: "1,2" },
        fea: "o:dashboard,o:teams"
      })
      expect(claims.jti).toMatch(/^[0-9a-f]{20}$/)
      expect(claims.raw.sid).toBe("sess_2ada")
      const fetched = yield* jwksFetches
      expect(fetched.map((r) => [r.method, r.path, r.authorization, r.status])).toEqual([
        ["GET", "/v1/jwks", "valid", 200]
      ])

      const pemClaims = yield* verifyWith(yield* viaPem(), token)
      expect(pemClaims).toEqual(claims)
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.provide(viaJwks())))

  it.effect("an impersonated session's act claim decodes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({
        id: "sess_2imp",
        userId: "user_2bob",
        actor: { sub: "user_2support", iss: "https://dashboard.clerk.com" }
      })
      const claims = yield* Effect.flatMap(TokenVerifier, (v) =>
        Effect.flatMap(emulator.mintToken("sess_2imp"), (t) => v.verify(t)))
      expect(claims.act).toEqual({ sub: "user_2support", iss: "https://dashboard.clerk.com" })
      expect(claims.o).toBeUndefined()
    }).pipe(Effect.provide(viaJwks())))

  it.effect("a token minted through Sessions.createSessionToken verifies", () =>
    Effect.gen(function*() {
      yield* seedOrgSession
      const minted = yield* Effect.flatMap(Sessions, (s) => s.createSessionToken("sess_2ada"))
      const claims = yield* Effect.flatMap(TokenVerifier, (v) => v.verify(minted.jwt))
      expect([claims.sid, claims.sub]).toEqual(["sess_2ada", "user_2ada"])
    }).pipe(Effect.provide(Sessions.layer.pipe(Layer.provideMerge(viaJwks())))))

  it.effect("a JWT template token is refused as a session token by both layers (it has no sid)", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      yield* emulator.seedTemplate({ name: "hasura", claims: { name: "{{user.first_name}}" } })
      const token = yield* emulator.mintToken("sess_2ada", { template: "hasura" })
      for (const verifier of [viaJwksSelf, yield* viaPem()]) {
        const error = yield* refusal(verifyWith(verifier, token))
        expect([error.reason, error.message]).toEqual([
          "TokenInvalid",
          "The token has no sid claim, so it is not a session token (JWT template tokens carry none)"
        ])
      }
    }).pipe(Effect.provide(viaJwks())))

  it.effect("expiry on TestClock: valid for 60 s plus the 5 s skew", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const token = yield* emulator.mintToken("sess_2ada")
      const verifier = yield* TokenVerifier
      yield* TestClock.adjust("64 seconds")
      expect((yield* verifier.verify(token)).sid).toBe("sess_2ada")
      yield* TestClock.adjust("1 second")
      expect((yield* Effect.flip(verifier.verify(token))).reason).toBe("TokenExpired")
      // A fresh token at the new time verifies (keys still cached: one fetch in all).
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))).iat).toBe(NOW_S + 65)
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.provide(viaJwks())))

  it.effect("50 concurrent verifies of emulator tokens cause one JWKS fetch", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator
      const tokens = []
      for (let i = 0; i < 50; i++) {
        yield* emulator.seedSession({ id: `sess_2c${i}`, userId: `user_2c${i}` })
        tokens.push(yield* emulator.mintToken(`sess_2c${i}`))
      }
      const verifier = yield* TokenVerifier
      const claims = yield* Effect.all(tokens.map((t) => verifier.verify(t)), { concurrency: "unbounded" })
      expect(claims.map((c) => c.sid)).toEqual(tokens.map((_, i) => `sess_2c${i}`))
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.provide(viaJwks())))

  it.effect("key rotation in the emulator: one refetch, then the new tokens pass; the old key's fail", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const verifier = yield* TokenVerifier
      const before = yield* emulator.mintToken("sess_2ada")
      yield* verifier.verify(before)
      yield* TestClock.adjust("40 seconds")
      const { kid } = yield* emulator.rotateKey()
      const after = yield* emulator.mintToken("sess_2ada")
      const claims = yield* Effect.all(Array.from({ length: 10 }, () => verifier.verify(after)), {
        concurrency: "unbounded"
      })
      expect(claims.every((c) => c.sid === "sess_2ada")).toBe(true)
      expect(yield* jwksFetches).toHaveLength(2)
      expect(yield* emulator.currentKid).toBe(kid)
      // The old key left the JWKS (Clerk serves one key): its unexpired token now fails.
      const error = yield* Effect.flip(verifier.verify(before))
      expect([error.reason, error.message]).toEqual([
        "JwkKidMismatch",
        `No key with the token's kid "${emulator.instanceId}" in the instance's JWKS`
      ])
      expect(yield* jwksFetches).toHaveLength(2)
      // The PEM layer needs the new PEM: the old one refuses the new token.
      const newPemVerifier = yield* viaPem()
      expect((yield* verifyWith(newPemVerifier, after)).sid).toBe("sess_2ada")
      expect((yield* refusal(verifyWith(newPemVerifier, before))).reason).toBe("TokenInvalidSignature")
    }).pipe(Effect.provide(viaJwks())))

  it.effect("rotation with an overlap window: old and new tokens both verify after one refetch", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const verifier = yield* TokenVerifier
      const before = yield* emulator.mintToken("sess_2ada")
      yield* verifier.verify(before)
      yield* TestClock.adjust("31 seconds")
      yield* emulator.rotateKey({ keepPrevious: true })
      const after = yield* emulator.mintToken("sess_2ada")
      expect((yield* verifier.verify(after)).sid).toBe("sess_2ada")
      expect((yield* verifier.verify(before)).sid).toBe("sess_2ada")
      expect(yield* jwksFetches).toHaveLength(2)
    }).pipe(Effect.provide(viaJwks())))

  it.effect("the JWKS route failing with keys cached: emulator tokens still verify", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const verifier = yield* TokenVerifier
      yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))
      yield* emulator.injectFault(Fault.status(503), { route: "getJwks", times: Infinity })
      yield* TestClock.adjust("6 minutes")
      const late = yield* emulator.mintToken("sess_2ada")
      expect((yield* verifier.verify(late)).iat).toBe(NOW_S + 360)
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, 503])
      yield* emulator.injectFault(Fault.html(502), { route: "getJwks", times: Infinity })
      yield* TestClock.adjust("1 minute")
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))).sid).toBe("sess_2ada")
    }).pipe(Effect.provide(viaJwks())))

  it.effect("the JWKS route failing with nothing cached: JwkFailedToResolve with the Clerk error", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      yield* emulator.injectFault(Fault.status(503), { route: "getJwks" })
      const token = yield* emulator.mintToken("sess_2ada")
      const verifier = yield* TokenVerifier
      const error = yield* Effect.flip(verifier.verify(token))
      expect(error.reason).toBe("JwkFailedToResolve")
      expect(error.cause?._tag).toBe("ClerkServerError")
      expect(error.cause).toMatchObject({ status: 503 })
      expect(error.message).toContain("Could not load the instance's JWKS: Clerk server error (503)")
      // The fault was for one request, but for the failure cooldown nobody asks again.
      expect(yield* Effect.flip(verifier.verify(token))).toEqual(error)
      expect(yield* jwksFetches).toHaveLength(1)
      // Past it, the next verify fetches and passes.
      yield* TestClock.adjust("30 seconds")
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))).sid).toBe("sess_2ada")
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([503, 200])
    }).pipe(Effect.provide(viaJwks())))

  it.effect("a wrong secret key: JwkFailedToResolve with the emulator's 401 underneath", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const error = yield* Effect.flip(
        Effect.flatMap(TokenVerifier, (v) => Effect.flatMap(emulator.mintToken("sess_2ada"), (t) => v.verify(t)))
      )
      expect(error.reason).toBe("JwkFailedToResolve")
      expect(error.cause).toMatchObject({ _tag: "ClerkUnauthorized", status: 401 })
      expect(JSON.stringify(error)).not.toContain("sk_test_wrong_key")
    }).pipe(Effect.provide(viaJwks({ client: { secretKey: Redacted.make("sk_test_wrong_key") } }))))

  it.effect("authenticateRequest with the emulator's token in the __session cookie", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const token = yield* emulator.mintToken("sess_2ada")
      const request = new Request("https://app.example.com/dashboard", {
        headers: { cookie: `__client_uat=${NOW_S}; __session=${token}` }
      })
      const claims = yield* Effect.flatMap(TokenVerifier, (v) => v.authenticateRequest(request))
      expect(claims.o?.slg).toBe("acme")
    }).pipe(Effect.provide(viaJwks())))
})

describe("TokenVerifier × ClerkEmulator: security review", () => {
  const junk = `${btoa(JSON.stringify({ alg: "RS256", kid: "ins_junk", typ: "JWT" })).replace(/=+$/, "")}.e30.AAAA`
  const faults: ReadonlyArray<readonly [string, Fault, string]> = [
    ["500", Fault.status(500), "ClerkServerError"],
    ["401", Fault.status(401), "ClerkUnauthorized"],
    ["an HTML page", Fault.html(502), "ClerkServerError"],
    ["{}", Fault.wrongShape({}), "ClerkDecodeError"],
    ["a dropped connection", Fault.dropConnection(), "ClerkTransportError"]
  ]
  for (const [name, fault, cause] of faults) {
    it.effect(`the JWKS route failing with ${name}: 50 sequential verifies, one fetch per 30 s cooldown`, () =>
      Effect.gen(function*() {
        const emulator = yield* ClerkEmulator
        yield* seedOrgSession
        yield* emulator.injectFault(fault, { route: "getJwks", times: Infinity })
        const verifier = yield* TokenVerifier
        const token = yield* emulator.mintToken("sess_2ada")
        for (let i = 0; i < 50; i++) {
          const error = yield* refusal(verifier.verify(i % 2 === 0 ? token : junk))
          expect([error.reason, error.cause?._tag]).toEqual(["JwkFailedToResolve", cause])
        }
        expect(yield* jwksFetches).toHaveLength(1)
        yield* TestClock.adjust("29999 millis")
        for (let i = 0; i < 10; i++) yield* refusal(verifier.verify(junk))
        expect(yield* jwksFetches).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        for (let i = 0; i < 10; i++) yield* refusal(verifier.verify(junk))
        expect((yield* jwksFetches).map((r) => r.at - NOW)).toEqual([0, 30_000])
      }).pipe(Effect.provide(viaJwks())))
  }

  it.effect("bursts of 50 concurrent verifies while the JWKS route fails: one fetch in all", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      yield* emulator.injectFault(Fault.status(503), { route: "getJwks", times: Infinity })
      const verifier = yield* TokenVerifier
      const token = yield* emulator.mintToken("sess_2ada")
      // Three bursts inside the cooldown: the first shares one fetch, the others need none.
      for (let round = 0; round < 3; round++) {
        const errors = yield* Effect.all(Array.from({ length: 50 }, () => refusal(verifier.verify(token))), {
          concurrency: "unbounded"
        })
        expect(new Set(errors.map((e) => `${e.reason} <- ${e.cause?._tag}`))).toEqual(
          new Set(["JwkFailedToResolve <- ClerkServerError"])
        )
      }
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.provide(viaJwks())))

  it.effect("a wrong secret key with retry.times 3: one JWKS request per cooldown, never retried", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const verifier = yield* TokenVerifier
      const token = yield* emulator.mintToken("sess_2ada")
      for (let i = 0; i < 20; i++) expect((yield* refusal(verifier.verify(token))).cause?._tag).toBe("ClerkUnauthorized")
      expect((yield* jwksFetches).map((r) => [r.status, r.authorization])).toEqual([[401, "invalid"]])
    }).pipe(Effect.provide(viaJwks({
      client: { secretKey: Redacted.make("sk_test_wrong_key"), retry: { times: 3, baseDelay: "0 millis" } }
    }))))

  it.effect("keys cached, then the JWKS route down: emulator tokens verify until 1 h past the TTL, then fail closed", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* seedOrgSession
      const verifier = yield* TokenVerifier
      yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))
      yield* emulator.injectFault(Fault.status(503), { route: "getJwks", times: Infinity })
      yield* TestClock.adjust(65 * 60_000 - 1)
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))).sid).toBe("sess_2ada")
      yield* TestClock.adjust(1)
      const error = yield* refusal(verifier.verify(yield* emulator.mintToken("sess_2ada")))
      expect([error.reason, error.cause?._tag]).toEqual(["JwkFailedToResolve", "ClerkServerError"])
      // The route is back: after the cooldown the keys refresh and tokens verify again.
      yield* emulator.clearFaults
      yield* TestClock.adjust("30 seconds")
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_2ada"))).sid).toBe("sess_2ada")
      expect((yield* jwksFetches).at(-1)?.status).toBe(200)
    }).pipe(Effect.provide(viaJwks())))
})

/** The JWKS verifier of the emulator in context (a fresh cache over the same ClerkClient). */
const viaJwksSelf: Layer.Layer<TokenVerifier, never, ClerkClient> = TokenVerifier.layer(CHECKS)

layer(TokenVerifier.layer().pipe(Layer.provideMerge(NodeClerkEmulator.layerSessions())), { excludeTestServices: true })(
  "TokenVerifier × ClerkEmulator over a real socket",
  (it) => {
    it.effect("tokens minted over HTTP verify with keys fetched over HTTP, live clock", () =>
      Effect.gen(function*() {
        const emulator = yield* ClerkEmulator
        const sessions = yield* Sessions
        yield* emulator.seedSession({ id: "sess_2sock", userId: "user_2sock" })
        const before = Math.floor(Date.now() / 1000)
        const minted = yield* sessions.createSessionToken("sess_2sock")
        const verifier = yield* TokenVerifier
        const claims = yield* verifier.verify(minted.jwt)
        expect([claims.sid, claims.sub, claims.iss]).toEqual(["sess_2sock", "user_2sock", emulator.issuer])
        // Issued on the live clock, between the two readings of it (however long that took).
        expect(claims.iat).toBeGreaterThanOrEqual(before)
        expect(claims.iat).toBeLessThanOrEqual(Date.now() / 1000)
        const again = yield* verifier.verify(yield* emulator.mintToken("sess_2sock"))
        expect(again.sid).toBe("sess_2sock")
        expect(yield* jwksFetches).toHaveLength(1)
      }))
  }
)
