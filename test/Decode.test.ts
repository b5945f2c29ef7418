/**
 * The hand-written session decoders (src/internal/decode.ts) against the Schema decoders
 * they stand in for: on every real sample body, on a 500-session page, and on thousands of
 * odd bodies, both give the same result — the same classes, keys in the same order, the
 * same timestamps — or the same error. And the fast path really is the one taken on the
 * bodies Clerk sends.
 */
import type { Decoded } from "#line/Decode"
import { decoder } from "../src/internal/lazy.js"
import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as fc from "fast-check"
import { decodeSession, decodeSessionListWire, fastSession, NO, utcReplicaHolds } from "../src/internal/decode.js"
import { Session, SessionActivity, SessionFromWire, SessionListWire, SessionTask } from "../src/Session.js"
import { sample } from "./support/samples.js"

// Schema's own decoders (a `Decoded` on both lines: effect 3's decodeUnknownEither, effect 4's decodeUnknownResult).
const schemaSession = decoder(SessionFromWire)
const schemaList = decoder(SessionListWire)

/** The decoded value; throws the issues when there is none. */
const valueOf = <A>(decoded: Decoded<A>): A => {
  if (decoded.ok) return decoded.value
  throw decoded.issues
}

/**
 * Everything a user could observe about a decoded value: its prototype, every own
 * property (non-enumerable ones too, such as DateTime's `partsUtc` cache) with its
 * descriptor flags, in order, and the nested values.
 */
const protoIds = new Map<unknown, number>()
const canon = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) {
    return { [typeof value]: Object.is(value, -0) ? "-0" : value }
  }
  const proto = Object.getPrototypeOf(value)
  if (!protoIds.has(proto)) protoIds.set(proto, protoIds.size)
  return {
    proto: protoIds.get(proto),
    class: value.constructor?.name ?? "null-prototype",
    ...(DateTime.isDateTime(value) ? { epochMillis: DateTime.toEpochMillis(value) } : {}),
    own: Reflect.ownKeys(value).map((key) => {
      const d = Object.getOwnPropertyDescriptor(value, key)!
      return [String(key), d.enumerable, d.writable, d.configurable, canon(d.value)]
    })
  }
}

// An error's message is Schema's tree of issues (effect 3's TreeFormatter, effect 4's default formatter).
const outcome = (result: Decoded<unknown>) =>
  result.ok
    ? { right: canon(result.value) }
    : { left: result.issues.message }

const session = sample("session_get_200")
const realWorld = sample("session_get_200_real_world")
const pending = sample("session_pending_200")
const revoked = sample("session_revoke_200")

describe("decodeSession is Schema's decoder, only faster", () => {
  const bodies: Record<string, unknown> = {
    session_get_200: session,
    session_get_200_real_world: realWorld,
    session_pending_200: pending,
    session_revoke_200: revoked,
    ...Object.fromEntries(sample("session_list_200_unpaginated").map((s, i) => [`unpaginated[${i}]`, s])),
    ...Object.fromEntries(sample("session_list_200_paginated").data.map((s, i) => [`paginated.data[${i}]`, s]))
  }

  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: same Session, and the fast path took it`, () => {
      const fast = decodeSession(body)
      const slow = schemaSession(body)
      expect(fast.ok).toBe(true)
      expect(outcome(fast)).toStrictEqual(outcome(slow))
      expect(fastSession(body)).not.toBe(NO)
      const value = valueOf(fast)
      expect(value).toBeInstanceOf(Session)
      expect(value).toStrictEqual(valueOf(slow))
    })
  }

  it("on this effect version the fast DateTime.Utc builder is in use (its shape check passed)", () => {
    expect(utcReplicaHolds).toBe(true)
  })

  it("the real values come through: ids, status, tasks, activity, timestamps", () => {
    const get = valueOf(decodeSession(session))
    expect(get.id).toBe("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
    expect(get.lastActiveOrganizationId).toBe("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
    expect(get.latestActivity).toBeInstanceOf(SessionActivity)
    expect(get.latestActivity?.browserName).toBe("Chrome")
    expect(get.latestActivity?.isMobile).toBe(false)
    expect(DateTime.toEpochMillis(get.expireAt)).toBe(1716969600000)
    expect("actor" in get).toBe(false)
    const p = valueOf(decodeSession(pending))
    expect(p.status).toBe("pending")
    expect(p.tasks).toStrictEqual([new SessionTask({ key: "choose-organization" })])
    expect("lastActiveOrganizationId" in p).toBe(false)
    expect("latestActivity" in p).toBe(false)
  })

  it("an impersonated session (actor set) takes the fast path and decodes the same", () => {
    const body = { ...session, actor: { sub: "user_admin", iss: "https://dashboard.clerk.com" } }
    expect(fastSession(body)).not.toBe(NO)
    expect(outcome(decodeSession(body))).toStrictEqual(outcome(schemaSession(body)))
    expect(valueOf(decodeSession(body)).actor).toStrictEqual({ sub: "user_admin", iss: "https://dashboard.clerk.com" })
  })

  const odd: Record<string, unknown> = {
    "null body": null,
    "array body": [session],
    "string body": "session",
    "missing id": { ...session, id: undefined },
    "numeric id": { ...session, id: 42 },
    "numeric status": { ...session, status: 1 },
    "unknown future status": { ...session, status: "suspended" },
    "timestamp as string": { ...session, created_at: "1716883200000" },
    "fractional timestamp": { ...session, updated_at: 1716883200000.75 },
    "negative zero timestamp": { ...session, updated_at: -0 },
    "largest valid timestamp": { ...session, abandon_at: 8.64e15 },
    "timestamp past the Date range": { ...session, abandon_at: 8.64e15 + 1 },
    "NaN timestamp": { ...session, expire_at: Number.NaN },
    "Infinity timestamp": { ...session, expire_at: Number.POSITIVE_INFINITY },
    "explicit undefined optional": { ...session, last_active_organization_id: undefined },
    "explicit undefined in activity": { ...session, latest_activity: { ...session.latest_activity, city: undefined } },
    "activity is_mobile as string": { ...session, latest_activity: { ...session.latest_activity, is_mobile: "false" } },
    "activity without id": { ...session, latest_activity: { is_mobile: true } },
    "activity as array": { ...session, latest_activity: [] },
    "tasks null": { ...session, tasks: null },
    "tasks empty": { ...session, tasks: [] },
    "task without key": { ...session, tasks: [{ name: "x" }] },
    "tasks not an array": { ...session, tasks: { key: "x" } },
    "actor as array": { ...session, actor: ["x"] },
    "actor with odd values": { ...session, actor: { sub: 1, nested: { a: [null] }, "": undefined } },
    "actor as string": { ...session, actor: "x" },
    "extra unknown fields": { ...session, brand_new_field: { nested: true }, object: "session_v2" },
    "class instance body": new (class Body {
      id = session.id
    })(),
    "null-prototype body": Object.assign(Object.create(null), session)
  }
  for (const [name, body] of Object.entries(odd)) {
    it(`odd input, ${name}: same outcome as Schema`, () => {
      expect(outcome(decodeSession(body))).toStrictEqual(outcome(schemaSession(body)))
    })
  }

  it("thousands of generated bodies: same outcome as Schema", () => {
    const oddValue = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(Symbol.for("missing")),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -0, 8.64e15, -8.64e15, 8.64e15 + 1, 1716883200000, 1.5, Number.NaN),
      fc.constant({}),
      fc.constant([]),
      fc.constant([{ key: "setup-mfa" }]),
      fc.constant({ id: "act_1", is_mobile: true, city: null })
    )
    const field = (valid: unknown) => fc.oneof({ weight: 5, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: oddValue })
    const keys = Object.keys(session).concat(["tasks"])
    const body = fc.record(
      Object.fromEntries(
        keys.map((key) => [key, field(key === "tasks" ? [{ key: "choose-organization" }] : (session as Record<string, unknown>)[key])])
      )
    ).map((record) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(record)) {
        if (value !== Symbol.for("missing")) out[key] = value
      }
      return out
    })
    let fastTaken = 0
    fc.assert(
      fc.property(body, (b) => {
        if (fastSession(b) !== NO) fastTaken++
        expect(outcome(decodeSession(b))).toStrictEqual(outcome(schemaSession(b)))
      }),
      { numRuns: 3000, seed: 7 }
    )
    // The generator is not vacuous: plenty of bodies took each path.
    expect(fastTaken).toBeGreaterThan(100)
    expect(fastTaken).toBeLessThan(2900)
  })
})

describe("decodeSessionListWire is Schema's decoder, only faster", () => {
  const page = (size: number) =>
    Array.from({ length: size }, (_, i) => ({
      ...session,
      id: `sess_${i}`,
      status: i % 7 === 0 ? "ended" : "active",
      last_active_organization_id: i % 3 === 0 ? null : session.last_active_organization_id,
      latest_activity: i % 10 === 9 ? null : { ...session.latest_activity, city: i % 5 === 0 ? null : "Paris" },
      created_at: session.created_at + i,
      ...(i % 11 === 0 ? { tasks: [{ key: "reset-password" }] } : {})
    }))

  const bodies: Record<string, unknown> = {
    "paginated sample": sample("session_list_200_paginated"),
    "unpaginated sample": sample("session_list_200_unpaginated"),
    "500-session page": { data: page(500), total_count: 1234 },
    "500-session bare array": page(500),
    "empty page": { data: [], total_count: 0 },
    "empty array": [],
    "one odd session in 500": { data: [...page(250), { ...session, created_at: "yesterday" }, ...page(249)], total_count: 500 },
    "one impersonated session": { data: [...page(3), { ...session, actor: { sub: "user_admin" } }], total_count: 4 },
    "one session only Schema takes, among fast ones": {
      data: [...page(3), { ...session, last_active_organization_id: undefined }, ...page(2)],
      total_count: 6
    },
    "one session only Schema takes, in a bare array": [{ ...session, tasks: undefined }, ...page(2)],
    "total_count missing": { data: page(2) },
    "total_count as string": { data: page(2), total_count: "2" },
    "data not an array": { data: {}, total_count: 0 },
    "null": null,
    "a string": "[]"
  }
  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: same outcome as Schema`, () => {
      expect(outcome(decodeSessionListWire(body))).toStrictEqual(outcome(schemaList(body)))
    })
  }

  it("a 500-session page decodes to 500 Sessions with the total", () => {
    const wire = valueOf(decodeSessionListWire({ data: page(500), total_count: 1234 }))
    expect(Array.isArray(wire)).toBe(false)
    const { data, totalCount } = wire as { data: ReadonlyArray<Session>; totalCount: number }
    expect(totalCount).toBe(1234)
    expect(data.length).toBe(500)
    expect(data.every((s) => s instanceof Session)).toBe(true)
    expect(data[499].id).toBe("sess_499")
    expect(DateTime.toEpochMillis(data[499].createdAt)).toBe(session.created_at + 499)
    expect(data[0].tasks).toStrictEqual([new SessionTask({ key: "reset-password" })])
    // Every element of the page takes the fast path.
    expect(page(500).every((s) => fastSession(s) !== NO)).toBe(true)
  })
})
