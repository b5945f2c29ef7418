/**
 * The verification algorithm of `TokenVerifier`, on keys from a {@link KeySource} (a JWKS
 * cache or one PEM key): the token's shape and header, the algorithm and key choice (with
 * the refetch rules for an unknown kid and a bad signature with stored keys), jose's
 * signature and time checks with the clock skew, and Clerk's own claims (iat, cat, sid, azp,
 * iss), each refusal a `ClerkTokenInvalid` with Clerk's reason, never quoting the token.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Mutable } from "effect/Types"
import { decodeProtectedHeader, type JWTPayload, jwtVerify, type JWTVerifyOptions } from "jose"
import { callback, catchAll, type DurationInput, TRUSTED } from "#line/Kernel"
import { ClerkTokenInvalid, type TokenInvalidReason } from "../ClerkError.js"
import { MAX_NUMERIC_DATE, MIN_NUMERIC_DATE, type SessionClaims } from "../SessionClaims.js"
import { decodeClaims } from "./claims.js"
import { isRsaAlgorithm, type KeySet, type makeJwksCache, RSA_ALGORITHMS, type RsaAlgorithm, type UsableKey } from "./jwks.js"
import { describeParseError } from "./response.js"

// The checks' options, declared beside the algorithm that applies them; TokenVerifier.ts re-exports them.

/**
 * The checks every verifier applies, whatever its key source: the `azp`, `iss` and `aud`
 * to accept, and the clock skew allowed for `exp`, `nbf` and `iat`. Every layer of
 * {@link TokenVerifier} takes them.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { TokenVerifier, type TokenVerifierCheckOptions } from "effect-clerk"
 *
 * const checks: TokenVerifierCheckOptions = {
 *   authorizedParties: ["https://app.example.com"],
 *   issuer: (iss) => iss.endsWith(".clerk.accounts.dev"),
 *   clockSkew: Duration.seconds(10)
 * }
 *
 * // The same checks with keys from GET /v1/jwks, or from CLERK_JWT_KEY when it is set.
 * const JwksVerifierLive = TokenVerifier.layer(checks)
 * const ConfigVerifierLive = TokenVerifier.layerConfig(checks)
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface TokenVerifierCheckOptions {
  /**
   * Origins allowed in `azp`. When non-empty, a token whose `azp` is missing or not listed
   * fails `TokenInvalidAuthorizedParties`. When absent or empty, `azp` is not checked.
   */
  readonly authorizedParties?: ReadonlyArray<string> | undefined
  /** The expected `iss` (your Frontend API URL), or a predicate on it. Not checked when absent. */
  readonly issuer?: string | ((iss: string) => boolean) | undefined
  /** When set, the token's `aud` must contain one of these (`TokenInvalid` otherwise). */
  readonly audience?: string | ReadonlyArray<string> | undefined
  /** Tolerance for `exp`, `nbf` and `iat` (default 5 seconds, like Clerk's SDKs). */
  readonly clockSkew?: DurationInput | undefined
}

/** Tokens longer than this are refused before parsing (Clerk's are about 1 KB). */
const MAX_TOKEN_LENGTH = 16 * 1024

const TIME_CLAIMS = ["exp", "nbf", "iat"] as const

const SESSION_CATEGORY = "cl_B7d4PD111AAA"
const TEMPLATE_CATEGORY = "cl_B7d4PD222AAA"
const MACHINE_CATEGORY = "cl_B7d4PD333AAA"

const invalid = (reason: TokenInvalidReason, message: string) => new ClerkTokenInvalid({ reason, message }, TRUSTED)

/** A claim value quoted in a message: short, and never more than a claim (never the token). */
const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 120 ? `${text.slice(0, 120)}…` : text
}

/** The token's `kid` is not among the keys it was tried with. */
class UnknownKid {
  readonly _tag = "UnknownKid"
  constructor(readonly kid: string) {}
}

/** What a key source answers for a token's `kid`. */
export type KeyLookup = (kid: string | undefined) => UsableKey | ClerkTokenInvalid | UnknownKid

export interface KeySource {
  /** Whether a token must name its key (`kid`): always for a JWKS, never for one PEM. */
  readonly requiresKid: boolean
  /** The lookup to verify with at `now` when no fetch is needed (the hot path). */
  readonly ready: (now: number) => KeyLookup | undefined
  /** The lookup to verify with at `now`. */
  readonly lookup: (now: number) => Effect.Effect<KeyLookup, ClerkTokenInvalid>
  /** After an unknown `kid`: a newer lookup to retry with, or `undefined` when none is allowed. */
  readonly retry: (now: number, used: KeyLookup) => Effect.Effect<KeyLookup | undefined, ClerkTokenInvalid>
  /** After a bad signature: a newer lookup to retry with (keys that came from a store), or `undefined`. */
  readonly retryBadSignature?: (now: number, used: KeyLookup) => Effect.Effect<KeyLookup | undefined>
}

// Clerk's SDKs look the kid up in the JWKS and report a missing one as a kid mismatch.
const missingKid = () =>
  invalid(
    "JwkKidMismatch",
    "The token has no kid header: Clerk session tokens always name their signing key, and the JWKS key is chosen by it"
  )

const failedToResolve = (cause: ClerkTokenInvalid["cause"]) =>
  new ClerkTokenInvalid({
    reason: "JwkFailedToResolve",
    message: `Could not load the instance's JWKS: ${cause?.message ?? "unknown error"}`,
    cause
  }, TRUSTED)

const lookupIn = (keys: KeySet): KeyLookup => (kid) => {
  // Refused before any lookup (KeySource.requiresKid); kept for the type.
  if (kid === undefined) return missingKid()
  const entry = keys.byKid.get(kid)
  if (entry === undefined) return new UnknownKid(kid)
  if (entry._tag === "Unusable") {
    return invalid("TokenInvalidAlgorithm", `The JWKS key ${quote(kid)} cannot verify session tokens: ${entry.why}`)
  }
  return entry
}

export const jwksSource = (cache: ReturnType<typeof makeJwksCache>): KeySource => {
  // The lookup of each key set is made once, so the hot path allocates nothing for it.
  const lookups = new WeakMap<KeySet, KeyLookup>()
  const sets = new WeakMap<KeyLookup, KeySet>()
  const lookupOf = (keys: KeySet): KeyLookup => {
    let lookup = lookups.get(keys)
    if (lookup === undefined) {
      lookup = lookupIn(keys)
      lookups.set(keys, lookup)
      sets.set(lookup, keys)
    }
    return lookup
  }
  return {
    requiresKid: true,
    ready: (now) => {
      const keys = cache.ready(now)
      return keys === undefined ? undefined : lookupOf(keys)
    },
    lookup: (now) => Effect.mapBoth(cache.get(now), { onFailure: failedToResolve, onSuccess: lookupOf }),
    retry: (now, used) =>
      Effect.mapBoth(cache.refetchForUnknownKid(now, sets.get(used)!), {
        onFailure: failedToResolve,
        onSuccess: (keys) => keys === undefined ? undefined : lookupOf(keys)
      }),
    retryBadSignature: (now, used) =>
      Effect.map(cache.refetchAfterBadSignature(now, sets.get(used)!), (keys) => keys === undefined ? undefined : lookupOf(keys))
  }
}

/**
 * Why a token's time claims (`exp`, `nbf`, `iat`) are not times at all, or `undefined`.
 * JSON's `1e400` parses to `Infinity`, which passes every comparison jose makes, and no
 * time Clerk issues lies outside years 1 to 9999. (Times before 1970 are negative and fine:
 * tests on `TestClock` start at 0.)
 */
const timeClaimsProblem = (payload: unknown): string | undefined => {
  if (typeof payload !== "object" || payload === null) return undefined
  for (const claim of TIME_CLAIMS) {
    const value = (payload as Record<string, unknown>)[claim]
    if (value === undefined || typeof value !== "number") continue
    if (!(value >= MIN_NUMERIC_DATE && value <= MAX_NUMERIC_DATE)) {
      return `The token's ${claim} (${String(value)}) is not a time: expected epoch seconds from ${MIN_NUMERIC_DATE} (year 1) to ${MAX_NUMERIC_DATE} (year 9999)`
    }
  }
  return undefined
}

/** jose's failures → Clerk's reasons. jose's messages never contain the token. */
const fromJose = (error: unknown): ClerkTokenInvalid => {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  // jose compared an absurd time (an exp of -1e20 is "expired", an infinite nbf "not yet"):
  // that is a malformed token, not an expired one. jose attaches the verified payload.
  if (code === "ERR_JWT_EXPIRED" || code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    const problem = timeClaimsProblem((error as { payload?: unknown }).payload)
    if (problem !== undefined) return invalid("TokenInvalid", problem)
  }
  switch (code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return invalid("TokenInvalidSignature", "The token's signature does not verify with the instance's key")
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return invalid("TokenInvalidAlgorithm", `The token's alg is not one of ${RSA_ALGORITHMS.join(", ")}`)
    case "ERR_JWT_EXPIRED":
      return invalid("TokenExpired", "The token has expired (exp)")
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const { claim, reason } = error as { claim?: string; reason?: string }
      if (claim === "nbf" && reason === "check_failed") {
        return invalid("TokenNotActiveYet", "The token is not active yet (nbf)")
      }
      if (claim === "aud") return invalid("TokenInvalid", `The token's aud does not match the audience (${message})`)
      return invalid("TokenInvalid", `Invalid claims: ${message}`)
    }
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_NOT_SUPPORTED":
      return invalid("TokenInvalid", `Malformed token: ${message}`)
    default:
      return invalid("TokenInvalid", `The token could not be verified: ${error instanceof Error ? error.name : "error"}`)
  }
}

/** The parts of a token's protected header verification needs, already checked. */
interface TokenHeader {
  readonly _tag: "TokenHeader"
  readonly alg: RsaAlgorithm
  readonly kid: string | undefined
}

const parseHeader = (segment: string): TokenHeader | ClerkTokenInvalid => {
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader({ protected: segment }) as Record<string, unknown>
  } catch {
    return invalid("TokenInvalid", "Malformed token: the header is not base64url-encoded JSON")
  }
  const { alg, kid, typ } = header
  if (!isRsaAlgorithm(alg)) {
    return invalid(
      "TokenInvalidAlgorithm",
      `The token's alg ${typeof alg === "string" ? quote(alg) : "header"} is not one of ${RSA_ALGORITHMS.join(", ")}`
    )
  }
  if (typ !== undefined && typ !== "JWT") return invalid("TokenInvalid", `The token's typ header is ${quote(typ)}, not "JWT"`)
  if (kid !== undefined && typeof kid !== "string") return invalid("TokenInvalid", "The token's kid header is not a string")
  return { _tag: "TokenHeader", alg, kid }
}

const HEADER_CACHE_SIZE = 64

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const base64urlOnly = /^[A-Za-z0-9_-]+$/

/**
 * The header and payload are signed as they are written, so any change to them breaks the
 * signature. The signature segment is not: base64 decoders skip whitespace and padding and
 * ignore the unused bits of the last character, so one signature has many spellings. Only
 * the canonical one is accepted, so a token verifies only exactly as it was issued.
 */
const isCanonicalSignature = (signature: string): boolean => {
  if (!base64urlOnly.test(signature)) return false
  const rest = signature.length % 4
  if (rest === 0) return true
  if (rest === 1) return false
  const last = BASE64URL.indexOf(signature[signature.length - 1])
  return (last & (rest === 2 ? 15 : 3)) === 0
}

/**
 * The verification of one token at `now` with `options`' checks and keys from `source`:
 * everything knowable without a key first (length, shape, header, alg, canonical signature,
 * kid), then the key (a cached lookup on the hot path; a refetch for an unknown kid, or after
 * a bad signature with stored keys), jose's signature and time checks, then Clerk's claims
 * (iat, cat, sid, azp, iss) and the claims' decode.
 */
export const makeVerifyAt = (
  options: TokenVerifierCheckOptions,
  source: KeySource
): (token: unknown, now: number) => Effect.Effect<SessionClaims, ClerkTokenInvalid> => {
  const skewMillis = Duration.toMillis(options.clockSkew ?? Duration.seconds(5))
  const skewSeconds = skewMillis / 1000
  const parties = options.authorizedParties !== undefined && options.authorizedParties.length > 0
    ? new Set(options.authorizedParties)
    : undefined
  const issuer = options.issuer
  const audience = options.audience === undefined
    ? undefined
    : typeof options.audience === "string"
    ? options.audience
    : [...options.audience]
  const checkClaims = (payload: JWTPayload, now: number): Effect.Effect<SessionClaims, ClerkTokenInvalid> => {
    const times = timeClaimsProblem(payload)
    if (times !== undefined) return Effect.fail(invalid("TokenInvalid", times))
    if (typeof payload.iat === "number" && payload.iat > Math.floor(now / 1000) + skewSeconds) {
      return Effect.fail(invalid("TokenIatInTheFuture", "The token's iat is in the future"))
    }
    const category = payload.cat
    if (category !== undefined && category !== SESSION_CATEGORY) {
      return Effect.fail(invalid(
        "TokenInvalid",
        category === TEMPLATE_CATEGORY
          ? "A JWT template token is not a session token (cat)"
          : category === MACHINE_CATEGORY
          ? "A machine (M2M) token is not a session token (cat)"
          : `The token's category ${quote(category)} is not a session token (cat)`
      ))
    }
    if (typeof payload.sid !== "string") {
      return Effect.fail(invalid(
        "TokenInvalid",
        "The token has no sid claim, so it is not a session token (JWT template tokens carry none)"
      ))
    }
    if (parties !== undefined) {
      if (typeof payload.azp !== "string") {
        return Effect.fail(invalid(
          "TokenInvalidAuthorizedParties",
          "The token has no azp claim and authorizedParties is set"
        ))
      }
      if (!parties.has(payload.azp)) {
        return Effect.fail(invalid(
          "TokenInvalidAuthorizedParties",
          `The token's azp ${quote(payload.azp)} is not one of the authorizedParties`
        ))
      }
    }
    if (issuer !== undefined) {
      const iss = payload.iss
      if (typeof iss !== "string" || (typeof issuer === "string" ? iss !== issuer : !issuer(iss))) {
        return Effect.fail(invalid(
          "TokenInvalidIssuer",
          iss === undefined ? "The token has no iss claim" : `The token's iss ${quote(iss)} is not the expected issuer`
        ))
      }
    }
    const decoded = decodeClaims(payload)
    if (!decoded.ok) {
      const issues = describeParseError(decoded.issues)
      return Effect.fail(invalid("TokenInvalid", `The token's claims are not a Clerk session's: ${issues}`))
    }
    // The parser's output is a fresh object nobody else holds yet: attach the payload as is.
    const claims = decoded.value as Mutable<SessionClaims>
    claims.raw = payload
    return Effect.succeed(claims)
  }

  // Every token of an instance carries the same header bytes, so parsed headers are kept by
  // their encoded form; the map is bounded so random headers cannot grow it.
  const headerCache = new Map<string, TokenHeader | ClerkTokenInvalid>()
  const headerOf = (token: string): TokenHeader | ClerkTokenInvalid => {
    const segment = token.slice(0, token.indexOf("."))
    let header = headerCache.get(segment)
    if (header === undefined) {
      header = parseHeader(segment)
      if (headerCache.size >= HEADER_CACHE_SIZE) headerCache.clear()
      headerCache.set(segment, header)
    }
    return header
  }

  const required = ["exp"]
  const allowOnly: Record<RsaAlgorithm, ReadonlyArray<string>> = { RS256: ["RS256"], RS384: ["RS384"], RS512: ["RS512"] }

  // The signature and jose's claim checks with one known key. jose is told to accept only
  // the key's algorithm, so the token's `alg` must equal it.
  const verifyWithKey = (token: string, now: number, key: UsableKey): Effect.Effect<SessionClaims, ClerkTokenInvalid> => {
    const verifyOptions: JWTVerifyOptions = {
      algorithms: allowOnly[key.alg] as Array<string>,
      currentDate: new Date(now),
      clockTolerance: skewSeconds,
      requiredClaims: required
    }
    if (audience !== undefined) verifyOptions.audience = audience
    // One async step: jose's promise resumes the fiber straight with the checked claims.
    return callback<SessionClaims, ClerkTokenInvalid>((resume) => {
      jwtVerify(token, key.key, verifyOptions).then(
        (result) => {
          let checked: Effect.Effect<SessionClaims, ClerkTokenInvalid>
          try {
            checked = checkClaims(result.payload, now)
          } catch (defect) {
            // Only a throwing `issuer` predicate gets here; never leave the fiber hanging.
            checked = Effect.die(defect)
          }
          resume(checked)
        },
        (error) => resume(Effect.fail(fromJose(error)))
      )
    })
  }

  const withKey = (token: string, now: number, header: TokenHeader, found: UsableKey | ClerkTokenInvalid) => {
    if (found._tag !== "Usable") return Effect.fail(found)
    if (header.alg !== found.alg) {
      return Effect.fail(invalid("TokenInvalidAlgorithm", `The token's alg ${header.alg} does not match its key's ${found.alg}`))
    }
    return verifyWithKey(token, now, found)
  }

  const kidMismatch = (kid: string) =>
    invalid("JwkKidMismatch", `No key with the token's kid ${quote(kid)} in the instance's JWKS`)

  // A bad signature with keys a store gave: the entry may carry a wrong key for the kid
  // (an older writer, a bad write). Refetched once before the token is refused.
  const retryBadSignature = source.retryBadSignature
  const withKeyOf = (token: string, now: number, header: TokenHeader, lookup: KeyLookup, found: UsableKey | ClerkTokenInvalid) =>
    retryBadSignature === undefined
      ? withKey(token, now, header, found)
      : catchAll((error: ClerkTokenInvalid) =>
        error.reason !== "TokenInvalidSignature"
          ? Effect.fail(error)
          : Effect.flatMap(retryBadSignature(now, lookup), (fresh) => {
            const again = fresh === undefined ? undefined : fresh(header.kid)
            return again === undefined || again._tag === "UnknownKid" ? Effect.fail(error) : withKey(token, now, header, again)
          }))(withKey(token, now, header, found))

  const withLookup = (token: string, now: number, header: TokenHeader, lookup: KeyLookup) => {
    const found = lookup(header.kid)
    if (found._tag !== "UnknownKid") return withKeyOf(token, now, header, lookup, found)
    // An unknown kid: the keys may have rotated. Retry once with newer keys if allowed.
    return Effect.flatMap(source.retry(now, lookup), (fresh) => {
      const again = fresh === undefined ? found : fresh(header.kid)
      return again._tag === "UnknownKid" ? Effect.fail(kidMismatch(again.kid)) : withKey(token, now, header, again)
    })
  }

  const verifyAt = (token: unknown, now: number): Effect.Effect<SessionClaims, ClerkTokenInvalid> => {
    if (typeof token !== "string") return Effect.fail(invalid("TokenInvalid", "The token is not a string"))
    if (token.length === 0) return Effect.fail(invalid("TokenInvalid", "The token is empty"))
    if (token.length > MAX_TOKEN_LENGTH) {
      return Effect.fail(invalid("TokenInvalid", `The token is ${token.length} characters, over the ${MAX_TOKEN_LENGTH} limit`))
    }
    // Everything that can be known without a key is checked here, before any JWKS fetch:
    // junk never costs a request to Clerk.
    const first = token.indexOf(".")
    const last = token.lastIndexOf(".")
    if (first === -1 || first === last || token.indexOf(".", first + 1) !== last) {
      return Effect.fail(invalid("TokenInvalid", "Malformed token: not a JWT (header.payload.signature)"))
    }
    const header = headerOf(token)
    if (header._tag !== "TokenHeader") return Effect.fail(header)
    if (!base64urlOnly.test(token.slice(first + 1, last))) {
      return Effect.fail(invalid("TokenInvalid", "Malformed token: the payload is not base64url"))
    }
    if (!isCanonicalSignature(token.slice(last + 1))) {
      return Effect.fail(invalid("TokenInvalidSignature", "The token's signature is not canonical base64url"))
    }
    if (source.requiresKid && (header.kid === undefined || header.kid === "")) return Effect.fail(missingKid())
    const ready = source.ready(now)
    return ready !== undefined
      ? withLookup(token, now, header, ready)
      : Effect.flatMap(source.lookup(now), (lookup) => withLookup(token, now, header, lookup))
  }

  return verifyAt
}
