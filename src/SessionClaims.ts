/**
 * The claims of a verified Clerk session token, decoded by Schema.
 *
 * Field names are the JWT's own claim names as Clerk documents them (`sid`, `sub`, `azp`,
 * `o.rol`, `org_id`, …), so Clerk's docs apply word for word. Time claims (`exp`, `iat`,
 * `nbf`) stay JWT NumericDates, epoch **seconds** (`DateTime.unsafeMake(claims.exp * 1000)`
 * when you want a `DateTime`): verification runs on every request and this keeps it cheap.
 * The whole verified payload stays available as `raw`, for the custom claims of a
 * customized session token.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { type Codec, named, NumberBetween } from "#line/Models"

/**
 * The verified payload as it was signed. Declared rather than decoded as a record: it is
 * already a parsed JSON object, and copying it on every verification would cost more than
 * the rest of the claims.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { RawClaims, TokenVerifier } from "effect-clerk"
 *
 * console.log(Schema.is(RawClaims)({ sub: "user_123" }), Schema.is(RawClaims)([])) // true false
 *
 * // A customized session token's own claims are in `raw`, e.g. { "email": "…" }.
 * const emailOf = (request: Request) =>
 *   Effect.gen(function*() {
 *     const claims = yield* (yield* TokenVerifier).authenticateRequest(request)
 *     const email = claims.raw.email
 *     return typeof email === "string" ? email : undefined
 *   })
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const RawClaims: Codec<Readonly<Record<string, unknown>>> = Schema.declare(
  (u): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u),
  { identifier: "RawClaims", description: "the verified JWT payload" }
)

/**
 * The active organization of a v2 token (`o`, present only with an active organization).
 * `rol` has no `org:` prefix; `per` is a comma-separated permission list; `fpm` is a
 * comma-separated list of permission bitmasks, one per `fea` feature.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionClaimsOrganization } from "effect-clerk"
 *
 * const decodeOrganization = Schema.decodeUnknownSync(SessionClaimsOrganization)
 *
 * const org = decodeOrganization({ id: "org_123", slg: "acme", rol: "admin", per: "read,manage", fpm: "3" })
 * console.log(org.rol, org.per?.split(",")) // admin [ 'read', 'manage' ]
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionClaimsOrganization = named(
  Schema.Struct({
    id: Schema.String,
    slg: Schema.optional(Schema.String),
    rol: Schema.optional(Schema.String),
    per: Schema.optional(Schema.String),
    fpm: Schema.optional(Schema.String)
  }),
  "SessionClaimsOrganization"
)

/**
 * The `o` claim as a value: `id`, and `slg` (slug), `rol` (role, no `org:` prefix), `per`
 * (permissions, comma-separated) and `fpm` (permission bitmasks) when the token has them.
 *
 * @example
 * ```ts
 * import type { SessionClaimsOrganization } from "effect-clerk"
 *
 * // v2's role has no "org:" prefix (v1's `org_role` has it).
 * const isAdmin = (org: SessionClaimsOrganization | undefined): boolean => org?.rol === "admin"
 *
 * const org: SessionClaimsOrganization = { id: "org_123", slg: "acme", rol: "admin", per: "read,manage" }
 * console.log(isAdmin(org), isAdmin(undefined)) // true false
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionClaimsOrganization = typeof SessionClaimsOrganization.Type

/**
 * The impersonating actor (`act`, present only while impersonating).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionClaimsActor } from "effect-clerk"
 *
 * const isActor = Schema.is(SessionClaimsActor)
 *
 * console.log(isActor({ sub: "user_admin", iss: "https://dashboard.clerk.com" })) // true
 * console.log(isActor({ iss: "https://dashboard.clerk.com" })) // false: `sub` is required
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionClaimsActor = named(
  Schema.Struct({
    sub: Schema.String,
    iss: Schema.optional(Schema.String),
    sid: Schema.optional(Schema.String)
  }),
  "SessionClaimsActor"
)

/**
 * The `act` claim as a value: `sub`, the user (or admin) impersonating the token's `sub`,
 * with its `iss` and `sid` when present.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type SessionClaimsActor, TokenVerifier } from "effect-clerk"
 *
 * // For an audit log: who really acted.
 * const actorLabel = (userId: string, act: SessionClaimsActor | undefined) =>
 *   act === undefined ? userId : `${act.sub} impersonating ${userId}`
 *
 * const whoActs = (request: Request) =>
 *   Effect.map(Effect.flatMap(TokenVerifier, (verifier) => verifier.authenticateRequest(request)), (claims) =>
 *     actorLabel(claims.sub, claims.act))
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionClaimsActor = typeof SessionClaimsActor.Type

/**
 * The first second of year 1 in epoch seconds: the earliest time claim accepted. Times
 * before 1970 are negative and stay accepted: a test on `TestClock`, which starts at 0,
 * mints an `nbf` of -5.
 *
 * @example
 * ```ts
 * import { MAX_NUMERIC_DATE, MIN_NUMERIC_DATE } from "effect-clerk"
 *
 * console.log(new Date(MIN_NUMERIC_DATE * 1000).toISOString()) // 0001-01-01T00:00:00.000Z
 *
 * // The range a time claim must be in (as NumericDate checks it).
 * const isTimeClaim = (seconds: number) => seconds >= MIN_NUMERIC_DATE && seconds <= MAX_NUMERIC_DATE
 * console.log(isTimeClaim(-5), isTimeClaim(Number.POSITIVE_INFINITY)) // true false
 * ```
 *
 * @category constants
 * @since 0.1.0
 */
export const MIN_NUMERIC_DATE = -62135596800

/**
 * The last second of year 9999 in epoch seconds: the latest time claim accepted.
 *
 * @example
 * ```ts
 * import { MAX_NUMERIC_DATE } from "effect-clerk"
 *
 * console.log(new Date(MAX_NUMERIC_DATE * 1000).toISOString()) // 9999-12-31T23:59:59.000Z
 * ```
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_NUMERIC_DATE = 253402300799

/**
 * A JWT NumericDate (epoch seconds) as a time claim must be: a finite number from the start
 * of year 1 to the end of year 9999. JSON's `1e400` parses to `Infinity`, which this refuses.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { NumericDate } from "effect-clerk"
 *
 * const isNumericDate = Schema.is(NumericDate)
 *
 * console.log(isNumericDate(1778544000)) // true: 2026-05-12T00:00:00Z in epoch seconds
 * console.log(isNumericDate(JSON.parse("1e400"))) // false: JSON's 1e400 is Infinity
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const NumericDate = NumberBetween(MIN_NUMERIC_DATE, MAX_NUMERIC_DATE, "NumericDate")

const claimFields = {
  /** Session id (`sess_…`). */
  sid: Schema.String,
  /** User id (`user_…`). */
  sub: Schema.String,
  /** Issuer: the instance's Frontend API URL. */
  iss: Schema.String,
  /** Authorized party: the Origin the token was minted for (may be absent). */
  azp: Schema.optional(Schema.String),
  /** Expiry, epoch seconds. */
  exp: NumericDate,
  /** Issued at, epoch seconds. */
  iat: NumericDate,
  /** Not before, epoch seconds. */
  nbf: Schema.optional(NumericDate),
  jti: Schema.optional(Schema.String),
  /** Claims version: `2` for v2 tokens, absent on v1. */
  v: Schema.optional(Schema.Number),
  /** Factor verification age in minutes `[first, second]`, `-1` meaning never. */
  fva: Schema.optional(Schema.Array(Schema.Number)),
  /** Session status (`active` or `pending`; a later value is kept as its string). */
  sts: Schema.optional(Schema.String),
  o: Schema.optional(SessionClaimsOrganization),
  act: Schema.optional(SessionClaimsActor),
  /** Plan, e.g. `u:free` or `o:pro`. */
  pla: Schema.optional(Schema.String),
  /** Features, comma-separated, e.g. `o:dashboard,o:teams`. */
  fea: Schema.optional(Schema.String),
  /** v1 active organization id. */
  org_id: Schema.optional(Schema.String),
  /** v1 role in the active organization (with the `org:` prefix). */
  org_role: Schema.optional(Schema.String),
  /** v1 active organization slug. */
  org_slug: Schema.optional(Schema.String),
  /** v1 permissions in the active organization. */
  org_permissions: Schema.optional(Schema.Array(Schema.String))
}

/**
 * The claims of a verified Clerk session token (v2, plus the v1 organization claims when an
 * older token carries them), with the whole payload as `raw`. Only `sid`, `sub`, `iss`,
 * `exp` and `iat` are required; every other claim is optional because Clerk omits it when
 * it does not apply. Unknown claims are not fields (they are in `raw`).
 *
 * A `Schema.Struct` (a plain readonly object), not a `Schema.Class`: it is built on every
 * verification, and a class constructor would cost as much as all the other claim checks.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SessionClaims } from "effect-clerk"
 *
 * // A payload verified some other way, decoded with the payload itself as `raw`.
 * const payload = {
 *   sid: "sess_123",
 *   sub: "user_123",
 *   iss: "https://clerk.example.com",
 *   exp: 1778544060,
 *   iat: 1778544000,
 *   v: 2,
 *   o: { id: "org_123", rol: "admin" },
 *   theme: "dark" // a custom claim: not a field, but in `raw`
 * }
 * const claims = Schema.decodeUnknownSync(SessionClaims)({ ...payload, raw: payload })
 * console.log(claims.o?.rol, claims.raw.theme) // admin dark
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const SessionClaims = named(
  Schema.Struct({
    ...claimFields,
    /** The whole verified payload, custom claims included. */
    raw: RawClaims
  }),
  "SessionClaims"
)

type SessionClaimsType = typeof SessionClaims.Type

/**
 * The claims `TokenVerifier`'s `verify` and `authenticateRequest` succeed with: `sub` (the
 * user), `sid` (the session), `o` (the active organization), `sts`, `exp`/`iat`/`nbf` in
 * epoch seconds, the v1 organization claims, and `raw`, the whole payload.
 *
 * @example
 * ```ts
 * import { Clock, Effect } from "effect"
 * import { type SessionClaims, TokenVerifier } from "effect-clerk"
 *
 * const caller = (claims: SessionClaims, nowMillis: number) => ({
 *   userId: claims.sub,
 *   sessionId: claims.sid,
 *   orgId: claims.o?.id ?? claims.org_id, // v2's `o`, else v1's `org_id`
 *   pending: claims.sts === "pending", // pending sessions verify too
 *   secondsLeft: claims.exp - Math.floor(nowMillis / 1000) // time claims are epoch seconds
 * })
 *
 * const handler = (request: Request) =>
 *   Effect.gen(function*() {
 *     const claims = yield* (yield* TokenVerifier).authenticateRequest(request)
 *     return caller(claims, yield* Clock.currentTimeMillis)
 *   })
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SessionClaims extends SessionClaimsType {}

