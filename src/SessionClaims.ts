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

/** @since 0.1.0 */
export type SessionClaimsOrganization = typeof SessionClaimsOrganization.Type

/**
 * The impersonating actor (`act`, present only while impersonating).
 *
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

/** @since 0.1.0 */
export type SessionClaimsActor = typeof SessionClaimsActor.Type

/**
 * The first second of year 1 in epoch seconds: the earliest time claim accepted. Times
 * before 1970 are negative and stay accepted: a test on `TestClock`, which starts at 0,
 * mints an `nbf` of -5.
 *
 * @since 0.1.0
 */
export const MIN_NUMERIC_DATE = -62135596800

/**
 * The last second of year 9999 in epoch seconds: the latest time claim accepted.
 *
 * @since 0.1.0
 */
export const MAX_NUMERIC_DATE = 253402300799

/**
 * A JWT NumericDate (epoch seconds) as a time claim must be: a finite number from the start
 * of year 1 to the end of year 9999. JSON's `1e400` parses to `Infinity`, which this refuses.
 *
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

/** @since 0.1.0 */
export interface SessionClaims extends SessionClaimsType {}

