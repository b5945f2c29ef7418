/**
 * The emulator's state: status transitions driven by the TestClock, Clerk's v2 and template
 * token claims verified with jose against the emulator's own /v1/jwks, key rotation, the
 * request log, seeding helpers and the web handler.
 */
import { TestClock, tryPromiseCause } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { createLocalJWKSet, importSPKI, jwtVerify } from "jose"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, Fault } from "../../src/testing/index.js"
import { call, headerOf, NOW, payloadOf } from "./support.js"

const DAY = 86_400_000

const fresh = <A, E>(f: (emulator: ClerkEmulator.Service) => Effect.Effect<A, E>, options = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    return yield* f(yield* ClerkEmulator.make(options))
  })

/** The emulator's JWKS, fetched over its own HTTP API. */
const jwksOf = (emulator: ClerkEmulator.Service) =>
  Effect.map(call(emulator, "GET", "/v1/jwks"), (response) => response.json)

const verify = (jwt: string, jwks: any, at: number) =>
  Effect.promise(() => jwtVerify(jwt, createLocalJWKSet(jwks), { currentDate: new Date(at), algorithms: ["RS256"] }))

const defectMessage = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const defect = Cause.squash(exit.cause)
  return defect instanceof Error ? defect.message : String(defect)
}

describe("session status transitions (Clock-driven)", () => {
  it.effect("an active session turns expired at expire_at, updated then, and stops minting tokens", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        const seeded = yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        expect(seeded.expireAt).toBe(NOW + 7 * DAY)
        yield* TestClock.adjust(7 * DAY - 1)
        expect((yield* emulator.getSession("sess_1"))?.status).toBe("active")
        expect((yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens")).status).toBe(200)
        yield* TestClock.adjust(1)
        const expired = yield* call(emulator, "GET", "/v1/sessions/sess_1")
        expect(expired.json.status).toBe("expired")
        expect(expired.json.updated_at).toBe(NOW + 7 * DAY)
        expect((yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens")).status).toBe(404)
        const listed = yield* call(emulator, "GET", "/v1/sessions?status=expired")
        expect(listed.json.map((s: any) => s.id)).toEqual(["sess_1"])
        // Revoking a finished session leaves it as it is.
        const revoked = yield* call(emulator, "POST", "/v1/sessions/sess_1/revoke")
        expect(revoked.json.status).toBe("expired")
      })
    ))

  it.effect("a session whose abandon_at comes first turns abandoned; pending sessions expire too", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_idle", userId: "user_1", abandonAt: NOW + 60_000 })
        yield* emulator.seedSession({ id: "sess_pending", userId: "user_1", tasks: ["setup-mfa"], expireAt: NOW + 30_000 })
        yield* TestClock.adjust("1 minute")
        expect((yield* emulator.getSession("sess_idle"))?.status).toBe("abandoned")
        expect((yield* emulator.getSession("sess_pending"))?.status).toBe("expired")
      })
    ))

  it.effect("a session seeded in the past is already expired when first read; seeded statuses stay", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        const old = yield* emulator.seedSession({ userId: "user_1", createdAt: NOW - 10 * DAY, lastActiveAt: NOW - 9 * DAY })
        expect(old.status).toBe("expired")
        expect(old.updatedAt).toBe(NOW - 2 * DAY)
        const removed = yield* emulator.seedSession({ userId: "user_1", status: "removed" })
        yield* TestClock.adjust(8 * DAY)
        expect((yield* emulator.getSession(removed.id))?.status).toBe("removed")
        const updated = yield* emulator.updateSession(removed.id, { status: "active", lastActiveAt: NOW + 8 * DAY, expireAt: NOW + 9 * DAY })
        expect(updated.status).toBe("active")
        expect(updated.updatedAt).toBe(NOW + 8 * DAY)
      })
    ))
})

describe("session tokens", () => {
  it.effect("carry Clerk's v2 claims, including o/fea for the active organization, and verify against /v1/jwks", () =>
    fresh(
      (emulator) =>
        Effect.gen(function*() {
          yield* emulator.seedOrganization({
            id: "org_1",
            slug: "acme",
            members: [{
              userId: "user_1",
              role: "org:admin",
              permissions: ["org:dashboard:manage", "org:dashboard:read", "org:teams:read"]
            }]
          })
          yield* emulator.seedSession({
            id: "sess_1",
            userId: "user_1",
            activeOrganizationId: "org_1",
            createdAt: NOW - 7 * 60_000,
            secondFactor: true
          })
          const response = yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens")
          const jwt: string = response.json.jwt
          expect(headerOf(jwt)).toEqual({ alg: "RS256", kid: "ins_test123", typ: "JWT" })
          const { payload, protectedHeader } = yield* verify(jwt, yield* jwksOf(emulator), NOW)
          expect(protectedHeader.kid).toBe("ins_test123")
          const iat = Math.floor(NOW / 1000)
          expect(payload).toEqual({
            azp: "http://localhost:3000",
            exp: iat + 60,
            fva: [7, 7],
            iat,
            iss: "https://clerk.example.test",
            jti: expect.stringMatching(/^[0-9a-f]{20}$/),
            nbf: iat - 5,
            sid: "sess_1",
            sts: "active",
            sub: "user_1",
            v: 2,
            fea: "o:dashboard,o:teams",
            // The values of Clerk's documented v2 example (per "manage,read", fpm "3,2").
            o: { id: "org_1", slg: "acme", rol: "admin", per: "manage,read", fpm: "3,2" }
          })
          // Every mint gets a fresh jti.
          const again = payloadOf((yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens")).json.jwt)
          expect(again.jti).not.toBe(payload.jti)
        }),
      { instanceId: "ins_test123", issuer: "https://clerk.example.test" }
    ))

  it.effect("without an organization there is no o; pending shows in sts; impersonation in act; no second factor is -1", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_p", userId: "user_1", tasks: ["choose-organization"], origin: null })
        yield* emulator.seedSession({ id: "sess_i", userId: "user_2", actor: { sub: "user_admin", iss: "https://dashboard.clerk.com" } })
        const pending = payloadOf(yield* emulator.mintToken("sess_p"))
        expect(pending.sts).toBe("pending")
        expect(pending.o).toBeUndefined()
        expect(pending.azp).toBeUndefined()
        expect(pending.fva).toEqual([0, -1])
        const impersonated = payloadOf(yield* emulator.mintToken("sess_i", { expiresInSeconds: 120 }))
        expect(impersonated.act).toEqual({ sub: "user_admin", iss: "https://dashboard.clerk.com" })
        expect(impersonated.exp - impersonated.iat).toBe(120)
      })
    ))

  it.effect("a token stops verifying once the TestClock passes its exp", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const jwt = yield* emulator.mintToken("sess_1")
        const jwks = yield* jwksOf(emulator)
        yield* verify(jwt, jwks, NOW + 59_000)
        const late = yield* Effect.exit(
          Effect.tryPromise(() => jwtVerify(jwt, createLocalJWKSet(jwks), { currentDate: new Date(NOW + 61_000) }))
        )
        expect(Exit.isFailure(late) && (tryPromiseCause(Cause.squash(late.cause)) as any)?.code).toBe("ERR_JWT_EXPIRED")
      })
    ))

  it.effect("the public key PEM verifies them too (networkless, jwtKey-style)", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const pem = yield* emulator.publicKeyPem
        expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/)
        const key = yield* Effect.promise(() => importSPKI(pem, "RS256"))
        const jwt = yield* emulator.mintToken("sess_1")
        const verified = yield* Effect.promise(() => jwtVerify(jwt, key, { currentDate: new Date(NOW) }))
        expect(verified.payload.sid).toBe("sess_1")
      })
    ))
})

describe("JWT templates", () => {
  it.effect("template tokens: resolved shortcodes, the default claims, no sid or v, lifetime and skew", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedUser({
          id: "user_1",
          firstName: "Ada",
          lastName: "Lovelace",
          emailAddress: "ada@example.com",
          publicMetadata: { plan: "pro", flags: ["beta"] }
        })
        yield* emulator.seedOrganization({ id: "org_1", slug: "acme", members: [{ userId: "user_1", role: "org:admin" }] })
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1", activeOrganizationId: "org_1" })
        yield* emulator.seedTemplate({
          name: "hasura",
          lifetime: 300,
          allowedClockSkew: 10,
          claims: {
            name: "{{user.full_name}}",
            email: "{{user.primary_email_address}}",
            plan: "{{user.public_metadata.plan}}",
            meta: "{{user.public_metadata}}",
            org: { slug: "{{org.slug}}", role: "{{org.role}}" },
            greeting: "Hi {{user.first_name}} of {{org.name}}",
            missing: "{{user.nothing_here}}",
            constant: 42,
            // Reserved claims cannot be overridden by a template.
            sub: "user_someone_else",
            iss: "https://evil.example",
            sid: "sess_forged",
            v: 1
          }
        })
        const response = yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens/hasura")
        expect(response.status).toBe(200)
        const { payload } = yield* verify(response.json.jwt, yield* jwksOf(emulator), NOW)
        const iat = Math.floor(NOW / 1000)
        expect(payload).toEqual({
          name: "Ada Lovelace",
          email: "ada@example.com",
          plan: "pro",
          meta: { plan: "pro", flags: ["beta"] },
          org: { slug: "acme", role: "org:admin" },
          greeting: "Hi Ada of acme",
          missing: null,
          constant: 42,
          azp: "http://localhost:3000",
          exp: iat + 300,
          iat,
          iss: "https://emulator.clerk.accounts.dev",
          jti: expect.stringMatching(/^[0-9a-f]{20}$/),
          nbf: iat - 10,
          sub: "user_1"
        })
        const shorter = payloadOf((yield* call(emulator, "POST", "/v1/sessions/sess_1/tokens/hasura", {
          body: { expires_in_seconds: 45 }
        })).json.jwt)
        expect(shorter.exp - shorter.iat).toBe(45)
      })
    ))

  it.effect("defaults: 60 s lifetime, 5 s skew; org shortcodes are null without an active organization", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const template = yield* emulator.seedTemplate({ name: "plain", claims: { org: "{{org.id}}" } })
        expect(template).toEqual({ name: "plain", claims: { org: "{{org.id}}" }, lifetime: 60, allowedClockSkew: 5 })
        const payload = payloadOf(yield* emulator.mintToken("sess_1", { template: "plain" }))
        expect(payload.exp - payload.iat).toBe(60)
        expect(payload.iat - payload.nbf).toBe(5)
        expect(payload.org).toBeNull()
      })
    ))
})

describe("key rotation", () => {
  it.effect("by default the new key replaces the old one in the JWKS: old tokens stop verifying", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const firstKid = yield* emulator.currentKid
        expect(firstKid).toBe(emulator.instanceId)
        const before = yield* emulator.mintToken("sess_1")
        const { kid } = yield* emulator.rotateKey()
        expect(kid).toMatch(/^ins_[0-9A-Za-z]{27}$/)
        expect(kid).not.toBe(firstKid)
        const jwks = yield* jwksOf(emulator)
        expect(jwks.keys.map((k: any) => k.kid)).toEqual([kid])
        const after = yield* emulator.mintToken("sess_1")
        expect(headerOf(after).kid).toBe(kid)
        yield* verify(after, jwks, NOW)
        const old = yield* Effect.exit(
          Effect.tryPromise(() => jwtVerify(before, createLocalJWKSet(jwks), { currentDate: new Date(NOW) }))
        )
        expect(Exit.isFailure(old) && (tryPromiseCause(Cause.squash(old.cause)) as any)?.code).toBe("ERR_JWKS_NO_MATCHING_KEY")
      })
    ))

  it.effect("keepPrevious keeps serving the old key, newest first, so both tokens verify", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const before = yield* emulator.mintToken("sess_1")
        const { kid } = yield* emulator.rotateKey({ keepPrevious: true })
        const jwks = yield* jwksOf(emulator)
        expect(jwks.keys.map((k: any) => k.kid)).toEqual([kid, emulator.instanceId])
        yield* verify(before, jwks, NOW)
        yield* verify(yield* emulator.mintToken("sess_1"), jwks, NOW)
      })
    ))
})

describe("the request log", () => {
  it.effect("records method, path, route, query, headers without the key, the auth flag, body, time, status, fault", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator
      const sessions = yield* Sessions
      const session = yield* emulator.seedSession({ userId: "user_1" })
      yield* sessions.getSessionList({ userId: "user_1", limit: 5 })
      yield* TestClock.adjust("1 second")
      yield* sessions.createSessionToken(session.id, { expiresInSeconds: 90 })
      yield* emulator.injectFault(Fault.status(500))
      yield* Effect.flip(sessions.revokeSession(session.id))
      const log = yield* emulator.requests
      expect(log).toEqual([
        {
          method: "GET",
          path: "/v1/sessions",
          route: "getSessionList",
          query: { user_id: "user_1", paginated: "true", limit: "5" },
          headers: { "accept": "application/json", "clerk-api-version": "2026-05-12", "user-agent": "effect-clerk/0.1.0" },
          authorization: "valid",
          body: undefined,
          at: NOW,
          status: 200,
          fault: undefined
        },
        {
          method: "POST",
          path: `/v1/sessions/${session.id}/tokens`,
          route: "createSessionToken",
          query: {},
          headers: {
            "accept": "application/json",
            "clerk-api-version": "2026-05-12",
            "content-type": "application/json",
            "user-agent": "effect-clerk/0.1.0"
          },
          authorization: "valid",
          body: { expires_in_seconds: 90 },
          at: NOW + 1000,
          status: 200,
          fault: undefined
        },
        {
          method: "POST",
          path: `/v1/sessions/${session.id}/revoke`,
          route: "revokeSession",
          query: {},
          headers: { "accept": "application/json", "clerk-api-version": "2026-05-12", "user-agent": "effect-clerk/0.1.0" },
          authorization: "valid",
          body: undefined,
          at: NOW + 1000,
          status: 500,
          fault: "Status"
        }
      ])
      expect(JSON.stringify(log)).not.toContain("sk_test_emulator")
      // The refused 500 did not revoke it.
      expect((yield* emulator.getSession(session.id))?.status).toBe("active")
      yield* emulator.clearRequests
      expect(yield* emulator.requests).toEqual([])
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))

  it.effect("a request with another key is logged as invalid and never shows the key", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const error = yield* Effect.flip((yield* Sessions).getSession("sess_x"))
      expect(error._tag).toBe("ClerkUnauthorized")
      const [entry] = yield* emulator.requests
      expect(entry.authorization).toBe("invalid")
      expect(entry.status).toBe(401)
      expect(JSON.stringify(entry)).not.toContain("sk_test_wrong_key")
    }).pipe(Effect.provide(ClerkEmulator.layerSessions({ client: { secretKey: Redacted.make("sk_test_wrong_key") } }))))
})

describe("seeding helpers", () => {
  it.effect("die with a message naming the helper on misuse", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        expect(defectMessage(yield* Effect.exit(emulator.seedSession({ userId: "user_1", activeOrganizationId: "org_x" }))))
          .toBe("ClerkEmulator.seedSession: no organization org_x; seed it first")
        expect(defectMessage(yield* Effect.exit(emulator.seedSession({ id: "sess_1", userId: "user_1" }))))
          .toBe("ClerkEmulator.seedSession: a session sess_1 already exists")
        expect(defectMessage(yield* Effect.exit(emulator.updateSession("sess_nope", { status: "ended" }))))
          .toBe("ClerkEmulator.updateSession: no session sess_nope")
        expect(defectMessage(yield* Effect.exit(emulator.mintToken("sess_nope")))).toBe(
          "ClerkEmulator.mintToken: no live session sess_nope"
        )
        expect(defectMessage(yield* Effect.exit(emulator.mintToken("sess_1", { template: "nope" })))).toBe(
          "ClerkEmulator.mintToken: no JWT template nope"
        )
        expect(defectMessage(yield* Effect.exit(emulator.seedTemplate({ name: "t", lifetime: 10 })))).toBe(
          "ClerkEmulator.seedTemplate: lifetime must be an integer in 30..315360000 seconds, got 10"
        )
        expect(defectMessage(yield* Effect.exit(emulator.seedMembership({ organizationId: "org_x", userId: "user_1" }))))
          .toBe("ClerkEmulator.seedMembership: no organization org_x; seed it first")
      })
    ))

  it.effect("seed() loads users, organizations, memberships, templates and sessions in one go", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seed({
          users: [{ id: "user_1", firstName: "Grace" }],
          organizations: [{ id: "org_1", slug: "navy" }],
          memberships: [{ organizationId: "org_1", userId: "user_1", role: "org:admin" }],
          templates: [{ name: "t", claims: { who: "{{user.first_name}}", role: "{{org.role}}" } }],
          sessions: [{ id: "sess_1", userId: "user_1", activeOrganizationId: "org_1", clientId: "client_x" }]
        })
        const sessions = yield* emulator.listSessions
        expect(sessions.map((s) => [s.id, s.clientId, s.lastActiveOrganizationId])).toEqual([["sess_1", "client_x", "org_1"]])
        const payload = payloadOf(yield* emulator.mintToken("sess_1", { template: "t" }))
        expect(payload).toMatchObject({ who: "Grace", role: "org:admin", sub: "user_1" })
      })
    ))

  it.effect("seeded ids look like Clerk's and seeded users get defaults", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        const user = yield* emulator.seedUser()
        expect(user).toEqual({
          id: expect.stringMatching(/^user_[0-9A-Za-z]{27}$/),
          firstName: null,
          lastName: null,
          username: null,
          emailAddress: null,
          publicMetadata: {},
          createdAt: NOW
        })
        const session = yield* emulator.seedSession({ userId: user.id })
        expect(session.id).toMatch(/^sess_[0-9A-Za-z]{27}$/)
        expect(session.refreshToken).toMatch(/^[0-9A-Za-z]{40}$/)
        expect(emulator.instanceId).toMatch(/^ins_[0-9A-Za-z]{27}$/)
      })
    ))
})

describe("the web handler", () => {
  it.effect("answers Request → Promise<Response> on the runtime it was made in", () =>
    fresh((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
        const response = yield* Effect.promise(() =>
          emulator.handler(
            new Request("http://localhost/v1/sessions/sess_1", { headers: { authorization: "Bearer sk_test_emulator" } })
          )
        )
        expect(response.status).toBe(200)
        const body = yield* Effect.promise(() => response.json())
        expect(body).toMatchObject({ object: "session", id: "sess_1", status: "active", created_at: NOW })
      })
    ))

  it("ClerkEmulator.start() works outside Effect, on the live clock", async () => {
    const emulator = await ClerkEmulator.start({ secretKey: "sk_test_plain" })
    const before = Date.now()
    await Effect.runPromise(emulator.seedSession({ id: "sess_1", userId: "user_1" }))
    const response = await emulator.handler(
      new Request("http://localhost/v1/sessions?user_id=user_1", { headers: { authorization: "Bearer sk_test_plain" } })
    )
    const [session] = await response.json()
    expect(session.id).toBe("sess_1")
    expect(session.created_at).toBeGreaterThanOrEqual(before)
    expect(session.created_at).toBeLessThanOrEqual(Date.now())
  })
})
