/**
 * Session decoders with a hand-written fast path. Schema's interpreter costs tens of
 * microseconds per session; a 500-session page would eat a Worker's CPU budget. The fast
 * path reads the shape Clerk actually sends and builds the very instances the Schema
 * decoder builds (`new Session(props, true)`, `DateTime.unsafeMake`, the same keys in the
 * same order). Anything it does not recognise (a wrong type, a missing field, an
 * impersonation `actor`, an out-of-range timestamp) goes to the Schema decoder, which then
 * decides, so results and errors are the Schema decoder's own.
 * test/Decode.test.ts proves the two agree.
 */
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Session, SessionActivity, SessionListWire, SessionTask } from "../Session.js"

const schemaSession = Schema.decodeUnknownEither(Session)
const schemaSessionListWire = Schema.decodeUnknownEither(SessionListWire)

/** Returned by a fast reader when the input is not the common shape. */
export const NO: unique symbol = Symbol("NO")

// ECMAScript's TimeClip range: beyond it `new Date(n)` is invalid and Schema fails.
const MAX_EPOCH_MILLIS = 8.64e15

const timestamp = (value: unknown): DateTime.Utc | typeof NO =>
  typeof value === "number" && value >= -MAX_EPOCH_MILLIS && value <= MAX_EPOCH_MILLIS
    ? DateTime.unsafeMake(value) as DateTime.Utc
    : NO

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
  const props: Record<string, unknown> = { id, isMobile: is_mobile }
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
  return new SessionActivity(props as ConstructorParameters<typeof SessionActivity>[0], true)
}

const tasks = (wire: ReadonlyArray<unknown>): Array<SessionTask> | typeof NO => {
  const out: Array<SessionTask> = []
  for (const task of wire) {
    if (!isObject(task) || typeof task.key !== "string") return NO
    out.push(new SessionTask({ key: task.key }, true))
  }
  return out
}

/** The fast path for one session, or `NO` (exported for the tests that prove it is taken). */
export const fastSession = (wire: unknown): Session | typeof NO => {
  if (!isObject(wire)) return NO
  const { id, user_id, client_id, status, actor, last_active_organization_id, latest_activity } = wire
  if (typeof id !== "string" || typeof user_id !== "string" || typeof client_id !== "string") return NO
  // An impersonation actor is a free-form record: rare, so Schema copies it.
  if (typeof status !== "string" || !absent(wire, "actor", actor)) return NO
  const props: Record<string, unknown> = { id, userId: user_id, clientId: client_id, status }
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
  return new Session(props as ConstructorParameters<typeof Session>[0], true)
}

const sessions = (wire: ReadonlyArray<unknown>): Array<Session> | typeof NO => {
  const out: Array<Session> = new Array(wire.length)
  for (let i = 0; i < wire.length; i++) {
    const decoded = fastSession(wire[i])
    if (decoded === NO) return NO
    out[i] = decoded
  }
  return out
}

/** `Schema.decodeUnknownEither(Session)`, fast on the bodies Clerk sends. */
export const decodeSession = (body: unknown): Either.Either<Session, ParseResult.ParseError> => {
  const decoded = fastSession(body)
  return decoded === NO ? schemaSession(body) : Either.right(decoded)
}

/** `Schema.decodeUnknownEither(SessionListWire)`, fast on the bodies Clerk sends. */
export const decodeSessionListWire = (
  body: unknown
): Either.Either<typeof SessionListWire.Type, ParseResult.ParseError> => {
  if (Array.isArray(body)) {
    const data = sessions(body)
    if (data !== NO) return Either.right(data)
  } else if (isObject(body) && Array.isArray(body.data) && typeof body.total_count === "number") {
    const data = sessions(body.data)
    if (data !== NO) return Either.right({ data, totalCount: body.total_count })
  }
  return schemaSessionListWire(body)
}
