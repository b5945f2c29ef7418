/**
 * The hand-written session-claims decoder (src/internal/claims.ts) against the Schema
 * decoder it stands in for: on Clerk's documented payloads and on thousands of odd ones,
 * both give the same value (same keys in the same order, copied arrays and objects) or the
 * same error; and the fast path really is the one real tokens take.
 */
import { type Decoded } from "#line/Decode"
import { LINE } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { decodeClaims, fastPathTakes, schemaClaims } from "../src/internal/claims.js"
import { MAX_NUMERIC_DATE, MIN_NUMERIC_DATE } from "../src/SessionClaims.js"

/** Everything observable about a plain decoded value: types, key order, values, identity of copies. */
const canon = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return { [typeof value]: Object.is(value, -0) ? "-0" : value }
  return {
    array: Array.isArray(value),
    proto: Object.getPrototypeOf(value) === (Array.isArray(value) ? Array.prototype : Object.prototype),
    own: Reflect.ownKeys(value).map((key) => [String(key), canon((value as Record<PropertyKey, unknown>)[key])])
  }
}

const agree = (payload: unknown) => {
  const fast = decodeClaims(payload)
  const schema = schemaClaims(payload)
  expect(fast.ok).toBe(schema.ok)
  if (fast.ok && schema.ok) {
    expect(canon(fast.value)).toEqual(canon(schema.value))
    // Copies, never the payload's own arrays or objects.
    for (const key of ["fva", "o", "act", "org_permissions"] as const) {
      const input = (payload as Record<string, unknown>)[key]
      if (input !== undefined) expect((fast.value as Record<string, unknown>)[key]).not.toBe(input)
    }
  }
  if (!fast.ok && !schema.ok) {
    // Schema's tree of issues (effect 3's TreeFormatter, effect 4's default formatter).
    expect(fast.issues.message).toBe(schema.issues.message)
  }
}

/** The decoded value; throws the issues when there is none. */
const valueOf = <A>(decoded: Decoded<A>): A => {
  if (decoded.ok) return decoded.value
  throw decoded.issues
}

// Clerk's documented v2 claims (test/fixtures/clerk/sample-responses.json session_token_claims_v2_example) and a v1 token.
const v2 = {
  azp: "https://example.com",
  exp: 1716883260,
  fva: [7, -1],
  iat: 1716883200,
  iss: "https://clerk.example.com",
  nbf: 1716883190,
  sid: "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  sub: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  jti: "1234567890",
  v: 2,
  sts: "active",
  pla: "o:pro",
  fea: "o:dashboard,o:teams",
  o: { id: "org_123", slg: "org-slug", rol: "admin", per: "manage,read", fpm: "3,2" },
  act: { sub: "user_admin", iss: "https://dashboard.clerk.com", sid: "sess_admin" },
  custom: { anything: true }
}
const v1 = {
  exp: 1716883260,
  iat: 1716883200,
  iss: "https://clerk.example.com",
  sid: "sess_1",
  sub: "user_1",
  org_id: "org_1",
  org_role: "org:admin",
  org_slug: "acme",
  org_permissions: ["org:sys_memberships:read", "org:billing:manage"]
}

describe("session claims: fast path = Schema", () => {
  it("Clerk's v2 and v1 payloads take the fast path and decode to Schema's value, custom claims left out", () => {
    for (const payload of [v2, v1]) {
      expect(fastPathTakes(payload)).toBe(true)
      agree(payload)
    }
    const decoded = valueOf(decodeClaims(v2))
    expect(Object.keys(decoded)).toEqual([
      "sid", "sub", "iss", "azp", "exp", "iat", "nbf", "jti", "v", "fva", "sts", "o", "act", "pla", "fea"
    ])
    expect(decoded.o).toEqual({ id: "org_123", slg: "org-slug", rol: "admin", per: "manage,read", fpm: "3,2" })
    expect("custom" in decoded).toBe(false)
  })

  it("a payload missing a required claim, or with a claim of the wrong type, fails exactly as Schema fails", () => {
    const { sid: _sid, ...noSid } = v2
    for (const payload of [noSid, { ...v2, exp: "soon" }, { ...v2, o: { slg: "x" } }, { ...v2, fva: [1, "2"] }, { ...v2, act: [] }, null, [], "jwt"]) {
      expect(fastPathTakes(payload)).toBe(false)
      expect(decodeClaims(payload).ok).toBe(false)
      agree(payload)
    }
  })

  it("security review: time claims that are not times (Infinity from 1e400, NaN, before year 1, past year 9999, not a number) fail on both paths", () => {
    const refused = [Infinity, -Infinity, NaN, JSON.parse("1e400"), MIN_NUMERIC_DATE - 1, -1e20, MAX_NUMERIC_DATE + 1, 1e300, "1716883260", null]
    for (const claim of ["exp", "iat", "nbf"] as const) {
      for (const value of refused) {
        const payload = { ...v2, [claim]: value }
        expect(fastPathTakes(payload)).toBe(false)
        const decoded = decodeClaims(payload)
        if (decoded.ok) throw new Error(`${claim} = ${String(value)} decoded`)
        agree(payload)
        if (typeof value === "number") {
          // Schema's own wording: effect 3 quotes the value, effect 4 names the claim's path instead.
          expect(decoded.issues.message).toContain(
            LINE === "effect3"
              ? `Expected a number between ${MIN_NUMERIC_DATE} and ${MAX_NUMERIC_DATE}, actual ${String(value)}`
              : `Expected a value between ${MIN_NUMERIC_DATE} and ${MAX_NUMERIC_DATE}\n  at ["${claim}"]`
          )
        }
      }
      // The edges themselves, and times before 1970 (TestClock starts at 0: an nbf of -5), are times.
      for (const value of [0, -5, MIN_NUMERIC_DATE, MAX_NUMERIC_DATE, 1716883260.5]) {
        const payload = { ...v2, [claim]: value }
        expect(fastPathTakes(payload)).toBe(true)
        expect((valueOf(decodeClaims(payload)) as Record<string, unknown>)[claim]).toBe(value)
        agree(payload)
      }
    }
  })

  it("thousands of odd payloads: the same value or the same error", () => {
    const odd = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("id", "slg", "rol", "sub", "iss", "sid", "x"), fc.oneof(fc.string(), fc.integer()))
    )
    const time = fc.oneof(
      fc.constantFrom(0, -0, -5, 0.5, MIN_NUMERIC_DATE, MIN_NUMERIC_DATE - 1, MAX_NUMERIC_DATE, MAX_NUMERIC_DATE + 1, Infinity, -Infinity, NaN, 1e400),
      fc.double()
    )
    const claim = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: odd })
    const payload = fc.record({
      sid: claim(fc.string()),
      sub: claim(fc.string()),
      iss: claim(fc.webUrl()),
      azp: claim(fc.webUrl()),
      // Times are NumericDates (0 … end of 9999); `odd` and `time` bring the values around and past the edges.
      exp: claim(fc.oneof({ weight: 20, arbitrary: fc.nat() }, { weight: 1, arbitrary: time })),
      iat: claim(fc.oneof({ weight: 20, arbitrary: fc.nat() }, { weight: 1, arbitrary: time })),
      nbf: claim(fc.oneof({ weight: 20, arbitrary: fc.nat() }, { weight: 1, arbitrary: time })),
      jti: claim(fc.string()),
      v: claim(fc.constantFrom(1, 2)),
      fva: claim(fc.array(fc.integer({ min: -1, max: 99 }), { maxLength: 2 })),
      sts: claim(fc.constantFrom("active", "pending")),
      o: claim(fc.record({ id: claim(fc.string()), slg: claim(fc.string()), rol: claim(fc.string()) }, { requiredKeys: ["id"] })),
      act: claim(fc.record({ sub: claim(fc.string()), iss: claim(fc.string()) }, { requiredKeys: [] })),
      org_permissions: claim(fc.array(fc.string(), { maxLength: 3 })),
      extra: odd
    }, { requiredKeys: [] })
    let fastTaken = 0
    fc.assert(
      fc.property(payload, (p) => {
        if (fastPathTakes(p)) fastTaken++
        agree(p)
      }),
      { numRuns: 5000 }
    )
    // Both paths were exercised, not only the fallback.
    expect(fastTaken).toBeGreaterThan(30)
  })
})
