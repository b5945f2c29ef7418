/**
 * The Sessions models: Schema classes that decode Clerk's snake_case wire format into
 * camelCase values with `DateTime.Utc` timestamps and `Redacted` secrets.
 *
 * Tolerant reader: unknown keys are ignored, fields the API omits or nulls decode as
 * absent (as the real API does: fields come and go by instance settings), and an unknown
 * future `status` still decodes.
 *
 * Decode Clerk's JSON with the `*FromWire` codecs (`SessionFromWire`, `SessionListWire`, …):
 * they read the wire form on both lines. On the Effect 3 line the classes themselves
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
  Union,
  UnknownRecord,
  wireFields,
  wireStruct,
  withDefault
} from "#line/Models"

/**
 * The eight documented session statuses.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { KnownSessionStatus, type Session } from "effect-clerk"
 *
 * const isKnown = Schema.is(KnownSessionStatus)
 *
 * // A status Clerk added after this SDK still decodes: tell it apart before relying on it.
 * const describe = (session: Session): string =>
 *   isKnown(session.status) ? `status ${session.status}` : `a status this SDK does not know: ${session.status}`
 * ```
 *
 * @category schemas
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
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionStatus } from "effect-clerk"
 *
 * const decodeStatus = Schema.decodeUnknownSync(SessionStatus)
 *
 * console.log(decodeStatus("active")) // "active"
 * console.log(decodeStatus("suspended")) // "suspended": an unknown status is kept, not refused
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionStatus = Union([KnownSessionStatus, Schema.String])

/**
 * A session's `status`: one of the eight documented values (with completions), or any
 * string Clerk adds later.
 *
 * @example
 * ```ts
 * import type { SessionStatus } from "effect-clerk"
 *
 * const label = (status: SessionStatus): string => {
 *   switch (status) {
 *     case "active":
 *       return "signed in"
 *     case "pending":
 *       return "signed in, tasks to finish"
 *     case "revoked":
 *     case "ended":
 *     case "removed":
 *       return "signed out"
 *     default:
 *       return status // expired, abandoned, replaced, or a status Clerk added later
 *   }
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionStatus = typeof KnownSessionStatus.Type | (string & {})

/**
 * The statuses `getSessionList` can filter on (Clerk's query enum has no `pending`).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { SessionStatusFilter, Sessions } from "effect-clerk"
 *
 * const isFilter = Schema.is(SessionStatusFilter)
 *
 * // A `?status=` from your own API, checked before it reaches getSessionList.
 * const sessionsOf = (userId: string, status: string | null) =>
 *   Effect.flatMap(Sessions, (sessions) =>
 *     sessions.getSessionList({ userId, status: status !== null && isFilter(status) ? status : undefined }))
 * ```
 *
 * @category schemas
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

/**
 * A status `getSessionList` and `listAll` can filter on: every documented status but
 * `pending`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type SessionStatusFilter, Sessions } from "effect-clerk"
 *
 * // How many sessions of a user have this status (one tiny page: totalCount counts them all).
 * const countOf = (userId: string, status: SessionStatusFilter) =>
 *   Effect.flatMap(Sessions, (sessions) => sessions.getSessionList({ userId, status, limit: 1 })).pipe(
 *     Effect.map((page) => page.totalCount)
 *   )
 * ```
 *
 * @category params
 * @since 0.1.0
 */
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
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { type SessionActivity, Sessions } from "effect-clerk"
 *
 * // e.g. "Safari 17 on iPhone, Lyon FR"
 * const describe = (a: SessionActivity) =>
 *   `${a.browserName ?? "a browser"} ${a.browserVersion ?? ""} on ${a.deviceType ?? (a.isMobile ? "mobile" : "desktop")}, ${a.city ?? "?"} ${a.country ?? ""}`
 *
 * // Session lists carry latestActivity; a single getSession usually leaves it out.
 * const program = Effect.gen(function*() {
 *   const page = yield* (yield* Sessions).getSessionList({ userId: "user_123", status: "active" })
 *   for (const session of page.data) {
 *     if (session.latestActivity !== undefined) yield* Console.log(describe(session.latestActivity))
 *   }
 * })
 * ```
 *
 * @category models
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
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionActivityFromWire } from "effect-clerk"
 *
 * const activity = Schema.decodeUnknownSync(SessionActivityFromWire)({
 *   id: "sess_activity_123",
 *   is_mobile: true,
 *   browser_name: "Safari",
 *   city: "Lyon"
 * })
 * console.log(activity.browserName, activity.isMobile, activity.country) // Safari true undefined
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionActivityFromWire = fromWire(SessionActivity, activityKeys)

/**
 * A pending task the user must finish before the session becomes active
 * (`choose-organization`, `reset-password`, `setup-mfa`, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // What a pending session still asks of its user, e.g. ["choose-organization"].
 * const tasksOf = (sessionId: string) =>
 *   Effect.flatMap(Sessions, (sessions) => sessions.getSession(sessionId)).pipe(
 *     Effect.map((session) => (session.tasks ?? []).map((task) => task.key))
 *   )
 * ```
 *
 * @category models
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
 * @example
 * ```ts
 * import { Console, DateTime, Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * const program = Effect.gen(function*() {
 *   const session = yield* (yield* Sessions).getSession("sess_123")
 *   yield* Console.log(`${session.id} of ${session.userId}: ${session.status}`)
 *   // Timestamps are DateTime.Utc; fields Clerk omits or nulls are undefined.
 *   yield* Console.log(`expires ${DateTime.formatIso(session.expireAt)}`) // e.g. "expires 2026-05-19T00:00:00.000Z"
 *   if (session.actor !== undefined) yield* Console.log("impersonated by", session.actor.sub)
 * })
 *
 * const SessionsLive = Sessions.layer.pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") }))
 * )
 * Effect.runPromise(Effect.provide(program, SessionsLive))
 * ```
 *
 * @category models
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
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { SessionFromWire } from "effect-clerk"
 *
 * // A session object as Clerk's API sends it, e.g. one you fetched or stored yourself.
 * const session = Schema.decodeUnknownSync(SessionFromWire)({
 *   id: "sess_123",
 *   user_id: "user_123",
 *   client_id: "client_123",
 *   status: "active",
 *   last_active_at: 1778578200000,
 *   expire_at: 1779148800000,
 *   abandon_at: 1781136000000,
 *   updated_at: 1778578200000,
 *   created_at: 1778544000000
 * })
 * console.log(session.userId, DateTime.formatIso(session.lastActiveAt)) // user_123 2026-05-12T09:30:00.000Z
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionFromWire = fromWire(Session, sessionKeys, {
  latestActivity: optionalNullable(SessionActivityFromWire)
})

/**
 * One page of sessions and the total number matching the filters.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // The third page of 20: `data` is this page (newest first), `totalCount` every match.
 * const program = Effect.gen(function*() {
 *   const page = yield* (yield* Sessions).getSessionList({ userId: "user_123", limit: 20, offset: 40 })
 *   yield* Console.log(`sessions 41-${40 + page.data.length} of ${page.totalCount}`)
 *   return page.data.map((session) => session.id)
 * })
 * ```
 *
 * @category models
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
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionListWire } from "effect-clerk"
 *
 * const body = Schema.decodeUnknownSync(SessionListWire)({ data: [], total_count: 42 })
 *
 * // Which shape came: only the paginated one has a real total.
 * console.log("totalCount" in body ? `paginated, ${body.totalCount} in all` : "a bare array") // paginated, 42 in all
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionListWire = Union([
  wireStruct({ data: Schema.Array(SessionFromWire), totalCount: Schema.Number }, { totalCount: "total_count" }),
  Schema.Array(SessionFromWire)
])

/**
 * A minted session token (`{ object: "token", jwt }`). The JWT is `Redacted`: use
 * `Redacted.value(token.jwt)` where you really need it.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // A one-minute token for a call to your own backend as that session's user.
 * const program = Effect.gen(function*() {
 *   const token = yield* (yield* Sessions).createSessionToken("sess_123", { expiresInSeconds: 60 })
 *   console.log(`${token.jwt}`) // <redacted>: logs never show it
 *   return yield* Effect.tryPromise(() =>
 *     fetch("https://api.example.com/me", { headers: { authorization: `Bearer ${Redacted.value(token.jwt)}` } }))
 * })
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export class SessionToken extends Schema.Class<SessionToken>("SessionToken")({
  object: withDefault(Schema.Literal("token"), "token"),
  jwt: RedactedString
}) {}

/**
 * `Set-Cookie` values from `refreshSession` with `format: "cookie"`, each `Redacted`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { SessionCookies, Sessions } from "effect-clerk"
 *
 * // Refresh from the browser's cookies and hand the new ones back as Set-Cookie headers.
 * const refreshed = (expiredToken: string, refreshToken: string) =>
 *   Effect.gen(function*() {
 *     const result = yield* (yield* Sessions).refreshSession("sess_123", {
 *       expiredToken: Redacted.make(expiredToken),
 *       refreshToken: Redacted.make(refreshToken),
 *       requestOrigin: "https://app.example.com",
 *       format: "cookie"
 *     })
 *     const headers = new Headers()
 *     if (result instanceof SessionCookies) {
 *       for (const cookie of result.cookies) headers.append("set-cookie", Redacted.value(cookie))
 *     }
 *     return headers
 *   })
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export class SessionCookies extends Schema.Class<SessionCookies>("SessionCookies")({
  object: Schema.Literal("cookies"),
  cookies: Schema.Array(RedactedString)
}) {}

/**
 * What `refreshSession` returns: a token, or cookies when `format: "cookie"`.
 *
 * @example
 * ```ts
 * import { Redacted, Schema } from "effect"
 * import { SessionRefresh, SessionToken } from "effect-clerk"
 *
 * const refresh = Schema.decodeUnknownSync(SessionRefresh)({ object: "token", jwt: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" })
 *
 * console.log(refresh instanceof SessionToken) // true
 * if (refresh.object === "token") console.log(Redacted.value(refresh.jwt).split(".").length) // 3
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionRefresh = Union([SessionCookies, SessionToken])

/**
 * What `refreshSession` resolves to: a {@link SessionToken} (`object: "token"`), or
 * {@link SessionCookies} (`object: "cookies"`) when asked for `format: "cookie"`.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { SessionRefresh } from "effect-clerk"
 *
 * // Either shape of a refresh, told apart by `object`, as response headers.
 * const toHeaders = (refresh: SessionRefresh): Headers => {
 *   const headers = new Headers()
 *   if (refresh.object === "token") headers.set("authorization", `Bearer ${Redacted.value(refresh.jwt)}`)
 *   else for (const cookie of refresh.cookies) headers.append("set-cookie", Redacted.value(cookie))
 *   return headers
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionRefresh = SessionToken | SessionCookies
