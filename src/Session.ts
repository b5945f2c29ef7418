/**
 * The Sessions models: Schema classes that decode Clerk's snake_case wire format into
 * camelCase values with `DateTime.Utc` timestamps and `Redacted` secrets.
 *
 * Tolerant reader: unknown keys are ignored, fields the API omits or nulls decode as
 * absent (see clerk/NOTES.md §2), and an unknown future `status` still decodes.
 *
 * Decode Clerk's JSON with the `*FromWire` codecs (`SessionFromWire`, `SessionListFromWire`,
 * …): they read the wire form on both lines. On the Effect 3 line the classes themselves
 * also read it (a field's wire key is its `fromKey`); on the Effect 4 line a class decodes
 * its camelCase form. Field lists and wire keys are written once, here; `#line/Models`
 * holds what the two Schema versions spell differently.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  type Codec,
  fromWire,
  Literals,
  optionalNullable,
  RedactedString,
  Timestamp,
  transformToClass,
  Union,
  UnknownRecord,
  wireFields,
  wireStruct,
  withDefault
} from "#line/Models"
import { makeUnchecked } from "./internal/unchecked.js"

/**
 * The eight documented session statuses.
 *
 * @since 0.1.0
 */
export const KnownSessionStatus = Literals([
  "active",
  "revoked",
  "ended",
  "expired",
  "removed",
  "abandoned",
  "replaced",
  "pending"
])

/**
 * A session status: one of the eight documented values, or a status Clerk added later
 * (kept as its string rather than failing the whole response).
 *
 * @since 0.1.0
 */
export const SessionStatus = Union([KnownSessionStatus, Schema.String])

/** @since 0.1.0 */
export type SessionStatus = typeof KnownSessionStatus.Type | (string & {})

/**
 * The statuses `getSessionList` can filter on (Clerk's query enum has no `pending`).
 *
 * @since 0.1.0
 */
export const SessionStatusFilter = Literals([
  "abandoned",
  "active",
  "ended",
  "expired",
  "removed",
  "replaced",
  "revoked"
])

/** @since 0.1.0 */
export type SessionStatusFilter = typeof SessionStatusFilter.Type

/** Wire keys of the activity fields whose JSON key is not their name. */
const activityKeys = {
  isMobile: "is_mobile",
  deviceType: "device_type",
  browserName: "browser_name",
  browserVersion: "browser_version",
  ipAddress: "ip_address"
} as const

/**
 * The device and place a session was last active from (`SessionActivityResponse`).
 *
 * @since 0.1.0
 */
export class SessionActivity extends Schema.Class<SessionActivity>("SessionActivity")(wireFields({
  id: Schema.String,
  isMobile: Schema.Boolean,
  deviceType: optionalNullable(Schema.String),
  browserName: optionalNullable(Schema.String),
  browserVersion: optionalNullable(Schema.String),
  ipAddress: optionalNullable(Schema.String),
  city: optionalNullable(Schema.String),
  country: optionalNullable(Schema.String)
}, activityKeys)) {}

/**
 * Decodes a {@link SessionActivity} from Clerk's JSON (snake_case). On the Effect 3 line
 * this is `SessionActivity` itself; on the Effect 4 line the class decodes its camelCase
 * form and this is its wire codec.
 *
 * @since 0.1.0
 */
export const SessionActivityFromWire = fromWire(SessionActivity, activityKeys)

/**
 * A pending task the user must finish before the session becomes active
 * (`choose-organization`, `reset-password`, `setup-mfa`, …).
 *
 * @since 0.1.0
 */
export class SessionTask extends Schema.Class<SessionTask>("SessionTask")({
  key: Schema.String
}) {}

/** Wire keys of the session fields whose JSON key is not their name. */
const sessionKeys = {
  userId: "user_id",
  clientId: "client_id",
  lastActiveOrganizationId: "last_active_organization_id",
  lastActiveAt: "last_active_at",
  latestActivity: "latest_activity",
  expireAt: "expire_at",
  abandonAt: "abandon_at",
  updatedAt: "updated_at",
  createdAt: "created_at"
} as const

/**
 * A Clerk session (`GET /v1/sessions/{id}` and friends).
 *
 * @since 0.1.0
 */
export class Session extends Schema.Class<Session>("Session")(wireFields({
  id: Schema.String,
  userId: Schema.String,
  clientId: Schema.String,
  status: SessionStatus as Codec<SessionStatus, string>,
  /** The impersonating actor (`{ sub, iss, … }`), absent unless impersonated. */
  actor: optionalNullable(UnknownRecord),
  lastActiveOrganizationId: optionalNullable(Schema.String),
  lastActiveAt: Timestamp,
  /** Present on list responses, usually absent on a single GET. */
  latestActivity: optionalNullable(SessionActivity),
  expireAt: Timestamp,
  abandonAt: Timestamp,
  updatedAt: Timestamp,
  createdAt: Timestamp,
  tasks: optionalNullable(Schema.Array(SessionTask))
}, sessionKeys)) {}

/**
 * Decodes a {@link Session} from Clerk's JSON (snake_case keys, epoch-millisecond
 * timestamps). On the Effect 3 line this is `Session` itself; on the Effect 4 line the
 * class decodes its camelCase form and this is its wire codec.
 *
 * @since 0.1.0
 */
export const SessionFromWire = fromWire(Session, sessionKeys, {
  latestActivity: optionalNullable(SessionActivityFromWire)
})

/**
 * One page of sessions and the total number matching the filters.
 *
 * @since 0.1.0
 */
export class SessionList extends Schema.Class<SessionList>("SessionList")({
  data: Schema.Array(Session),
  totalCount: Schema.Number
}) {}

/**
 * The list body exactly as Clerk sends it: `{ data, total_count }` (with `paginated=true`)
 * or a bare array.
 *
 * @since 0.1.0
 */
export const SessionListWire = Union([
  wireStruct({ data: Schema.Array(SessionFromWire), totalCount: Schema.Number }, { totalCount: "total_count" }),
  Schema.Array(SessionFromWire)
])

/**
 * The list body in either shape, as a {@link SessionList}. A bare array carries no total,
 * so its `totalCount` is its own length.
 *
 * @since 0.1.0
 */
export const SessionListFromWire = transformToClass(
  SessionListWire,
  SessionList,
  (wire) =>
    makeUnchecked(
      SessionList,
      Array.isArray(wire) ? { data: wire, totalCount: wire.length } : wire as typeof SessionList.Type
    ),
  (list) => ({ data: list.data, totalCount: list.totalCount })
)

/**
 * A minted session token (`{ object: "token", jwt }`). The JWT is `Redacted`: use
 * `Redacted.value(token.jwt)` where you really need it.
 *
 * @since 0.1.0
 */
export class SessionToken extends Schema.Class<SessionToken>("SessionToken")({
  object: withDefault(Schema.Literal("token"), "token"),
  jwt: RedactedString
}) {}

/**
 * `Set-Cookie` values from `refreshSession` with `format: "cookie"`, each `Redacted`.
 *
 * @since 0.1.0
 */
export class SessionCookies extends Schema.Class<SessionCookies>("SessionCookies")({
  object: Schema.Literal("cookies"),
  cookies: Schema.Array(RedactedString)
}) {}

/**
 * What `refreshSession` returns: a token, or cookies when `format: "cookie"`.
 *
 * @since 0.1.0
 */
export const SessionRefresh = Union([SessionCookies, SessionToken])

/** @since 0.1.0 */
export type SessionRefresh = SessionToken | SessionCookies
