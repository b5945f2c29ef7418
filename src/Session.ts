/**
 * The Sessions models: Schema classes that decode Clerk's snake_case wire format into
 * camelCase values with `DateTime.Utc` timestamps and `Redacted` secrets.
 *
 * Tolerant reader: unknown keys are ignored, fields the API omits or nulls decode as
 * absent (see clerk/NOTES.md §2), and an unknown future `status` still decodes.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })

// `K` keeps the wire key a literal type: a plain `string` would make the emitted Encoded type an
// index signature (`[x: string]: …`) that contradicts the struct's other fields in a .d.ts.
const optionalNullableKey = <S extends Schema.Schema.Any, const K extends string>(schema: S, key: K) =>
  Schema.optionalWith(schema, { nullable: true }).pipe(Schema.fromKey(key))

/** Epoch milliseconds on the wire, `DateTime.Utc` in your code. */
const Timestamp = Schema.DateTimeUtcFromNumber

/**
 * The eight documented session statuses.
 *
 * @since 0.1.0
 */
export const KnownSessionStatus = Schema.Literal(
  "active",
  "revoked",
  "ended",
  "expired",
  "removed",
  "abandoned",
  "replaced",
  "pending"
)

/**
 * A session status: one of the eight documented values, or a status Clerk added later
 * (kept as its string rather than failing the whole response).
 *
 * @since 0.1.0
 */
export const SessionStatus = Schema.Union(KnownSessionStatus, Schema.String)

/** @since 0.1.0 */
export type SessionStatus = typeof KnownSessionStatus.Type | (string & {})

/**
 * The statuses `getSessionList` can filter on (Clerk's query enum has no `pending`).
 *
 * @since 0.1.0
 */
export const SessionStatusFilter = Schema.Literal(
  "abandoned",
  "active",
  "ended",
  "expired",
  "removed",
  "replaced",
  "revoked"
)

/** @since 0.1.0 */
export type SessionStatusFilter = typeof SessionStatusFilter.Type

/**
 * The device and place a session was last active from (`SessionActivityResponse`).
 *
 * @since 0.1.0
 */
export class SessionActivity extends Schema.Class<SessionActivity>("SessionActivity")({
  id: Schema.String,
  isMobile: Schema.Boolean.pipe(Schema.propertySignature, Schema.fromKey("is_mobile")),
  deviceType: optionalNullableKey(Schema.String, "device_type"),
  browserName: optionalNullableKey(Schema.String, "browser_name"),
  browserVersion: optionalNullableKey(Schema.String, "browser_version"),
  ipAddress: optionalNullableKey(Schema.String, "ip_address"),
  city: optionalNullable(Schema.String),
  country: optionalNullable(Schema.String)
}) {}

/**
 * A pending task the user must finish before the session becomes active
 * (`choose-organization`, `reset-password`, `setup-mfa`, …).
 *
 * @since 0.1.0
 */
export class SessionTask extends Schema.Class<SessionTask>("SessionTask")({
  key: Schema.String
}) {}

/**
 * A Clerk session (`GET /v1/sessions/{id}` and friends).
 *
 * @since 0.1.0
 */
export class Session extends Schema.Class<Session>("Session")({
  id: Schema.String,
  userId: Schema.String.pipe(Schema.propertySignature, Schema.fromKey("user_id")),
  clientId: Schema.String.pipe(Schema.propertySignature, Schema.fromKey("client_id")),
  status: SessionStatus as Schema.Schema<SessionStatus, string>,
  /** The impersonating actor (`{ sub, iss, … }`), absent unless impersonated. */
  actor: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  lastActiveOrganizationId: optionalNullableKey(Schema.String, "last_active_organization_id"),
  lastActiveAt: Timestamp.pipe(Schema.propertySignature, Schema.fromKey("last_active_at")),
  /** Present on list responses, usually absent on a single GET. */
  latestActivity: optionalNullableKey(SessionActivity, "latest_activity"),
  expireAt: Timestamp.pipe(Schema.propertySignature, Schema.fromKey("expire_at")),
  abandonAt: Timestamp.pipe(Schema.propertySignature, Schema.fromKey("abandon_at")),
  updatedAt: Timestamp.pipe(Schema.propertySignature, Schema.fromKey("updated_at")),
  createdAt: Timestamp.pipe(Schema.propertySignature, Schema.fromKey("created_at")),
  tasks: optionalNullable(Schema.Array(SessionTask))
}) {}

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
export const SessionListWire = Schema.Union(
  Schema.Struct({
    data: Schema.Array(Session),
    totalCount: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("total_count"))
  }),
  Schema.Array(Session)
)

/**
 * The list body in either shape, as a {@link SessionList}. A bare array carries no total,
 * so its `totalCount` is its own length.
 *
 * @since 0.1.0
 */
export const SessionListFromWire = Schema.transform(SessionListWire, Schema.typeSchema(SessionList), {
  strict: true,
  decode: (wire) =>
    Array.isArray(wire)
      ? new SessionList({ data: wire, totalCount: wire.length }, true)
      : new SessionList(wire as SessionList, true),
  encode: (list) => ({ data: list.data, totalCount: list.totalCount })
})

/**
 * A minted session token (`{ object: "token", jwt }`). The JWT is `Redacted`: use
 * `Redacted.value(token.jwt)` where you really need it.
 *
 * @since 0.1.0
 */
export class SessionToken extends Schema.Class<SessionToken>("SessionToken")({
  object: Schema.optionalWith(Schema.Literal("token"), { default: () => "token" as const }),
  jwt: Schema.Redacted(Schema.String)
}) {}

/**
 * `Set-Cookie` values from `refreshSession` with `format: "cookie"`, each `Redacted`.
 *
 * @since 0.1.0
 */
export class SessionCookies extends Schema.Class<SessionCookies>("SessionCookies")({
  object: Schema.Literal("cookies"),
  cookies: Schema.Array(Schema.Redacted(Schema.String))
}) {}

/**
 * What `refreshSession` returns: a token, or cookies when `format: "cookie"`.
 *
 * @since 0.1.0
 */
export const SessionRefresh = Schema.Union(SessionCookies, SessionToken)

/** @since 0.1.0 */
export type SessionRefresh = SessionToken | SessionCookies
