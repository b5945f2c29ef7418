/**
 * Session decoders with a hand-written fast path. Schema's interpreter costs tens of
 * microseconds per session; a 500-session page would eat a Worker's CPU budget. The fast
 * path reads the shape Clerk actually sends and builds the very instances the Schema
 * decoder (`SessionFromWire`) builds (what the class constructor and `DateTime.Utc`'s
 * maker build: same prototypes, same own properties in the same order). Anything it does
 * not recognise (a wrong type, a missing field, an out-of-range timestamp) goes to the
 * Schema decoder, which then decides, so results and errors are the Schema decoder's own.
 * test/Decode.test.ts proves the two agree. Both lines share this file; only the
 * `DateTime.Utc` replica comes from `#line/Decode`.
 */
import { type Decoded, replicaUtc } from "#line/Decode"
import { makeUtcUnsafe } from "#line/Kernel"
import { UnknownRecord } from "#line/Models"
import type * as DateTime from "effect/DateTime"
import { Session, SessionActivity, SessionFromWire, SessionListWire, SessionTask } from "../Session.js"
import { lazyDecoder, ok } from "./lazy.js"

const schemaSession = lazyDecoder(SessionFromWire)
const schemaSessionListWire = lazyDecoder(SessionListWire)
const schemaActor = lazyDecoder(UnknownRecord)

/** Returned by a fast reader when the input is not the common shape. */
export const NO: unique symbol = Symbol("NO")

// ECMAScript's TimeClip range: beyond it `new Date(n)` is invalid and Schema fails.
const MAX_EPOCH_MILLIS = 8.64e15

/**
 * `replicaUtc(millis)` builds what `makeUtcUnsafe(millis)` builds for an integer in range,
 * without the input sniffing and the `Date` round trip. If this effect builds them
 * differently (checked once, below), `makeUtcUnsafe` it is.
 */
const sameShape = (a: object, b: object): boolean => {
  const keysA = Reflect.ownKeys(a)
  const keysB = Reflect.ownKeys(b)
  return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && keysA.length === keysB.length &&
    keysA.every((key, i) =>
      key === keysB[i] &&
      JSON.stringify(Object.getOwnPropertyDescriptor(a, key)) === JSON.stringify(Object.getOwnPropertyDescriptor(b, key))
    )
}
export const utcReplicaHolds = sameShape(replicaUtc(1716883200000), makeUtcUnsafe(1716883200000))

const timestamp = (value: unknown): DateTime.Utc | typeof NO => {
  if (typeof value !== "number" || !(value >= -MAX_EPOCH_MILLIS && value <= MAX_EPOCH_MILLIS)) return NO
  // `new Date(n).getTime()` is `n` for an integer (and +0 for -0); fractions are Date's business.
  return utcReplicaHolds && Number.isInteger(value)
    ? replicaUtc(value === 0 ? 0 : value)
    : makeUtcUnsafe(value)
}

/**
 * A Schema class instance exactly as its constructor makes it (on both lines it assigns
 * the props onto a fresh instance), without the copies, default-merging and (Effect 4)
 * parsing the constructor does on the way; the fast readers set the keys in the Schema's
 * field order.
 */
const instance = <C extends abstract new(...args: any) => any>(Class: C): Record<string, unknown> =>
  Object.create(Class.prototype)

/** A plain object, as `JSON.parse` makes them; anything more exotic is left to Schema. */
const isObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * `null` and a missing key both decode to absent. A key present with `undefined` (which
 * JSON cannot express) keeps its key in Schema's output, so it is left to Schema.
 */
const absent = (wire: Record<string, unknown>, key: string, value: unknown): boolean =>
  value === null || (value === undefined && !(key in wire))

const activity = (wire: Record<string, unknown>): SessionActivity | typeof NO => {
  const { browser_name, browser_version, city, country, device_type, id, ip_address, is_mobile } = wire
  if (typeof id !== "string" || typeof is_mobile !== "boolean") return NO
  const props = instance(SessionActivity)
  props.id = id
  props.isMobile = is_mobile
  // Keys in the Schema's field order; null and absent both decode to absent.
  if (!absent(wire, "device_type", device_type)) {
    if (typeof device_type !== "string") return NO
    props.deviceType = device_type
  }
  if (!absent(wire, "browser_name", browser_name)) {
    if (typeof browser_name !== "string") return NO
    props.browserName = browser_name
  }
  if (!absent(wire, "browser_version", browser_version)) {
    if (typeof browser_version !== "string") return NO
    props.browserVersion = browser_version
  }
  if (!absent(wire, "ip_address", ip_address)) {
    if (typeof ip_address !== "string") return NO
    props.ipAddress = ip_address
  }
  if (!absent(wire, "city", city)) {
    if (typeof city !== "string") return NO
    props.city = city
  }
  if (!absent(wire, "country", country)) {
    if (typeof country !== "string") return NO
    props.country = country
  }
  return props as unknown as SessionActivity
}

const tasks = (wire: ReadonlyArray<unknown>): Array<SessionTask> | typeof NO => {
  const out: Array<SessionTask> = []
  for (const task of wire) {
    if (!isObject(task) || typeof task.key !== "string") return NO
    const decoded = instance(SessionTask)
    decoded.key = task.key
    out.push(decoded as unknown as SessionTask)
  }
  return out
}

/** The fast path for one session, or `NO` (exported for the tests that prove it is taken). */
export const fastSession = (wire: unknown): Session | typeof NO => {
  if (!isObject(wire)) return NO
  const { id, user_id, client_id, status, actor, last_active_organization_id, latest_activity } = wire
  if (typeof id !== "string" || typeof user_id !== "string" || typeof client_id !== "string") return NO
  if (typeof status !== "string") return NO
  const props = instance(Session)
  props.id = id
  props.userId = user_id
  props.clientId = client_id
  props.status = status
  if (!absent(wire, "actor", actor)) {
    // The impersonation actor is a free-form record: Schema copies it, as it would.
    const decoded = schemaActor(actor)
    if (!decoded.ok) return NO
    props.actor = decoded.value
  }
  if (!absent(wire, "last_active_organization_id", last_active_organization_id)) {
    if (typeof last_active_organization_id !== "string") return NO
    props.lastActiveOrganizationId = last_active_organization_id
  }
  const lastActiveAt = timestamp(wire.last_active_at)
  if (lastActiveAt === NO) return NO
  props.lastActiveAt = lastActiveAt
  if (!absent(wire, "latest_activity", latest_activity)) {
    if (!isObject(latest_activity)) return NO
    const decoded = activity(latest_activity)
    if (decoded === NO) return NO
    props.latestActivity = decoded
  }
  const expireAt = timestamp(wire.expire_at)
  if (expireAt === NO) return NO
  props.expireAt = expireAt
  const abandonAt = timestamp(wire.abandon_at)
  if (abandonAt === NO) return NO
  props.abandonAt = abandonAt
  const updatedAt = timestamp(wire.updated_at)
  if (updatedAt === NO) return NO
  props.updatedAt = updatedAt
  const createdAt = timestamp(wire.created_at)
  if (createdAt === NO) return NO
  props.createdAt = createdAt
  if (!absent(wire, "tasks", wire.tasks)) {
    if (!Array.isArray(wire.tasks)) return NO
    const decoded = tasks(wire.tasks)
    if (decoded === NO) return NO
    props.tasks = decoded
  }
  return props as unknown as Session
}

/**
 * Every element of a page. One the fast path does not take is decoded alone by Schema
 * (`Schema.Array(Session)` decodes each element independently, so that is the same value);
 * if one fails, the whole page goes to Schema for its exact error.
 */
const sessions = (wire: ReadonlyArray<unknown>): Array<Session> | typeof NO => {
  const out: Array<Session> = new Array(wire.length)
  for (let i = 0; i < wire.length; i++) {
    const decoded = fastSession(wire[i])
    if (decoded !== NO) {
      out[i] = decoded
      continue
    }
    const slow = schemaSession(wire[i])
    if (!slow.ok) return NO
    out[i] = slow.value
  }
  return out
}

/** The `SessionFromWire` decoder, fast on the bodies Clerk sends. */
export const decodeSession = (body: unknown): Decoded<Session> => {
  const decoded = fastSession(body)
  return decoded === NO ? schemaSession(body) : ok(decoded)
}

/** The `SessionListWire` decoder, fast on the bodies Clerk sends. */
export const decodeSessionListWire = (body: unknown): Decoded<typeof SessionListWire.Type> => {
  if (Array.isArray(body)) {
    const data = sessions(body)
    if (data !== NO) return ok(data)
  } else if (isObject(body) && Array.isArray(body.data) && typeof body.total_count === "number") {
    const data = sessions(body.data)
    if (data !== NO) return ok({ data, totalCount: body.total_count })
  }
  return schemaSessionListWire(body)
}
