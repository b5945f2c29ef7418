/**
 * CurrentSession (effect-clerk/http): Clerk's auth fields and `has` read from v2 claims as
 * Clerk documents them (`o.rol`, `o.per` + `o.fpm` over the organization features of `fea`,
 * `fea`, `pla`) and from v1's organization claims; end to end with tokens the emulator mints
 * and TokenVerifier verifies; `require` answers ClerkForbidden.
 */
import { TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CurrentSession } from "../../src/http/index.js"
import type { SessionClaims } from "../../src/SessionClaims.js"
import { ClerkEmulator } from "../../src/testing/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"

const base = { sid: "sess_1", sub: "user_1", iss: "https://x.clerk.accounts.dev", exp: 2_000_000_000, iat: 1_999_999_000, raw: {} }
const claims = (extra: Partial<SessionClaims>): SessionClaims => ({ ...base, ...extra }) as SessionClaims

// Clerk's documented v2 example shape: features dashboard and teams, permissions read and
// manage; dashboard's mask 3 = read+manage, teams' mask 2 = manage only.
const v2 = claims({
  v: 2,
  o: { id: "org_1", slg: "acme", rol: "admin", per: "read,manage", fpm: "3,2" },
  fea: "o:dashboard,o:teams,u:beta",
  pla: "u:free,o:pro"
})

describe("CurrentSession.fromClaims", () => {
  it("reads the v2 organization claims: role with its org: prefix, permissions from per × fpm over the org features", () => {
    const session = CurrentSession.fromClaims(v2)
    expect([session.sessionId, session.userId, session.orgId, session.orgSlug, session.orgRole]).toEqual(["sess_1", "user_1", "org_1", "acme", "org:admin"])
    expect(session.orgPermissions).toEqual(["org:dashboard:read", "org:dashboard:manage", "org:teams:manage"])
  })

  it("has: a role (with or without org:), a permission, a feature or a plan, scoped or not; all asked must hold", () => {
    const { has } = CurrentSession.fromClaims(v2)
    expect([has({ role: "org:admin" }), has({ role: "admin" }), has({ role: "org:member" })]).toEqual([true, true, false])
    expect([has({ permission: "org:dashboard:manage" }), has({ permission: "org:teams:read" }), has({ permission: "teams:manage" })]).toEqual([true, false, true])
    expect([has({ feature: "dashboard" }), has({ feature: "o:dashboard" }), has({ feature: "u:dashboard" }), has({ feature: "beta" }), has({ feature: "u:beta" })])
      .toEqual([true, true, false, true, true])
    expect([has({ plan: "pro" }), has({ plan: "o:pro" }), has({ plan: "u:pro" }), has({ plan: "free" }), has({ plan: "enterprise" })]).toEqual([true, true, false, true, false])
    expect([has({ role: "org:admin", permission: "org:teams:manage" }), has({ role: "org:admin", permission: "org:teams:read" })]).toEqual([true, false])
    expect([has({ role: "org:admin", plan: "o:pro" }), has({ role: "org:admin", plan: "o:enterprise" })]).toEqual([true, false])
    // Asking for nothing, an unknown scope, or a malformed claim never grants.
    expect([has({}), has({ feature: "x:dashboard" })]).toEqual([false, false])
    expect(CurrentSession.fromClaims(claims({ v: 2, fea: "dashboard" })).has({ feature: "dashboard" })).toBe(false)
  })

  it("without an active organization, role and permission checks fail; features and plans of the user still count", () => {
    const session = CurrentSession.fromClaims(claims({ v: 2, fea: "u:beta", pla: "u:free" }))
    expect([session.orgId, session.orgRole, session.orgPermissions]).toEqual([undefined, undefined, []])
    expect([session.has({ role: "org:admin" }), session.has({ permission: "org:dashboard:read" }), session.has({ feature: "beta" }), session.has({ plan: "free" })])
      .toEqual([false, false, true, true])
  })

  it("a bitmask beyond 2^53 is read exactly (bit 60 grants the 61st permission)", () => {
    const names = Array.from({ length: 61 }, (_, i) => `p${i}`)
    const session = CurrentSession.fromClaims(claims({ v: 2, o: { id: "org_1", rol: "member", per: names.join(","), fpm: (1n << 60n).toString() }, fea: "o:big" }))
    expect(session.orgPermissions).toEqual(["org:big:p60"])
  })

  it("reads v1 tokens' org_id, org_role, org_slug and org_permissions", () => {
    const session = CurrentSession.fromClaims(claims({ org_id: "org_9", org_role: "org:member", org_slug: "nine", org_permissions: ["org:sys_profile:read"] }))
    expect([session.orgId, session.orgRole, session.orgSlug, session.orgPermissions]).toEqual(["org_9", "org:member", "nine", ["org:sys_profile:read"]])
    expect([session.has({ role: "member" }), session.has({ permission: "org:sys_profile:read" }), session.has({ permission: "org:sys_profile:manage" })]).toEqual([true, true, false])
  })
})

describe("CurrentSession with the emulator's tokens", () => {
  const NOW = Date.UTC(2026, 4, 12, 12, 0, 0)
  const ORIGIN = "https://app.example.com"
  const Live = TokenVerifier.layer({ authorizedParties: [ORIGIN] }).pipe(
    Layer.provideMerge(ClerkEmulator.layerClient({ origin: ORIGIN, client: { retry: false } }))
  )

  const sessionOf = (role: string, permissions: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator
      yield* emulator.seedUser({ id: "user_2ada" })
      yield* emulator.seedOrganization({ id: "org_2acme", slug: "acme", members: [{ userId: "user_2ada", role, permissions }] })
      yield* emulator.seedSession({ id: "sess_2ada", userId: "user_2ada", activeOrganizationId: "org_2acme" })
      const verified = yield* (yield* TokenVerifier).verify(yield* emulator.mintToken("sess_2ada"))
      return CurrentSession.fromClaims(verified)
    }).pipe(Effect.provide(Live))

  it.effect("a verified v2 token's role and permissions are what the membership grants", () =>
    Effect.gen(function*() {
      const session = yield* sessionOf("org:admin", ["org:invoices:read", "org:invoices:manage", "org:teams:read"])
      expect([session.orgId, session.orgSlug, session.orgRole]).toEqual(["org_2acme", "acme", "org:admin"])
      expect([...session.orgPermissions].sort()).toEqual(["org:invoices:manage", "org:invoices:read", "org:teams:read"])
      expect([session.has({ permission: "org:invoices:manage" }), session.has({ permission: "org:teams:manage" }), session.has({ role: "org:admin" })])
        .toEqual([true, false, true])
    }))

  it.effect("features and plans of the user's and the organization's Clerk Billing plans: fea, fpm and pla as Clerk's v2 tokens carry them", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator
      yield* emulator.seedUser({ id: "user_2eve", plan: "free_user", features: ["profile"] })
      yield* emulator.seedOrganization({
        id: "org_2pro",
        slug: "pro-co",
        plan: "pro",
        features: ["teams", "invoices"],
        members: [{ userId: "user_2eve", role: "org:member", permissions: ["org:invoices:read"] }]
      })
      yield* emulator.seedSession({ id: "sess_2eve", userId: "user_2eve", activeOrganizationId: "org_2pro" })
      const verified = yield* (yield* TokenVerifier).verify(yield* emulator.mintToken("sess_2eve"))
      expect([verified.fea, verified.pla, verified.o?.per, verified.o?.fpm]).toEqual(["o:invoices,o:teams,u:profile", "u:free_user,o:pro", "read", "1,0"])
      const { has, orgPermissions } = CurrentSession.fromClaims(verified)
      expect(orgPermissions).toEqual(["org:invoices:read"])
      expect([has({ feature: "teams" }), has({ feature: "o:teams" }), has({ feature: "u:teams" }), has({ feature: "u:profile" }), has({ feature: "o:profile" })])
        .toEqual([true, true, false, true, false])
      expect([has({ plan: "o:pro" }), has({ plan: "pro" }), has({ plan: "u:pro" }), has({ plan: "u:free_user" }), has({ plan: "o:enterprise" })])
        .toEqual([true, true, false, true, false])
      expect([has({ permission: "org:invoices:read" }), has({ permission: "org:teams:read" }), has({ role: "org:member", plan: "o:pro", feature: "u:profile" })])
        .toEqual([true, false, true])
      // Without an active organization only the user's entries remain.
      yield* emulator.seedSession({ id: "sess_2eve_solo", userId: "user_2eve" })
      const solo = yield* (yield* TokenVerifier).verify(yield* emulator.mintToken("sess_2eve_solo"))
      expect([solo.fea, solo.pla, solo.o]).toEqual(["u:profile", "u:free_user", undefined])
    }).pipe(Effect.provide(Live)))

  it.effect("CurrentSession.require passes the session through, or fails ClerkForbidden (403) naming what was asked", () =>
    Effect.gen(function*() {
      const session = yield* sessionOf("org:member", ["org:invoices:read"])
      const provided = <A, E>(effect: Effect.Effect<A, E, CurrentSession>) => Effect.provideService(effect, CurrentSession, session)
      const allowed = yield* provided(CurrentSession.require({ permission: "org:invoices:read" }))
      expect(allowed.userId).toBe("user_2ada")
      const denied = yield* Effect.flip(provided(CurrentSession.require({ role: "org:admin" })))
      expect([denied._tag, denied.status, denied.errors[0]?.code, denied.errors[0]?.longMessage])
        .toEqual(["ClerkForbidden", 403, "authorization_invalid", "The session does not have role org:admin"])
    }))
})
