/**
 * Networkless verification of Clerk session tokens: the signature with the instance's
 * public key (from `GET /v1/jwks`, cached, or a PEM you configure), then the algorithm,
 * time, authorized-party, issuer and audience checks, then the claims decoded into
 * {@link SessionClaims}.
 *
 * What is accepted:
 * - RS256, RS384 and RS512 only. The algorithm comes from the key (the JWK's `alg`; a PEM is
 *   RS256); a token whose `alg` header differs from its key's fails `TokenInvalidAlgorithm`.
 * - A `typ` header, when present, must be `JWT`.
 * - `exp` (required), `nbf` and `iat` are checked against Effect's `Clock` with `clockSkew`
 *   (default 5 s), in whole seconds like jose: a token is expired when
 *   `exp <= now - skew`, not yet active when `nbf > now + skew`, and `iat > now + skew`
 *   fails `TokenIatInTheFuture`.
 * - Session tokens only. A `cat` claim other than the session category
 *   (`cl_B7d4PD111AAA`) fails `TokenInvalid`: JWT template tokens (`cl_B7d4PD222AAA`) and
 *   machine tokens (`cl_B7d4PD333AAA`) are not sessions. A token without `cat` (minted
 *   before Clerk added it) is accepted if it has a `sid`; a template token without `cat`
 *   has no `sid` and fails `TokenInvalid` for that reason.
 * - A `pending` session (`sts: "pending"`, tasks left) verifies; check `claims.sts` where
 *   only active sessions may pass.
 *
 * The signature is always checked before any claim; the first failing check decides the
 * `reason`. Tokens longer than 16 KB are refused before any parsing. A token never appears
 * in an error, a message, a log or a span.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import { decodeProtectedHeader, type JWTPayload, jwtVerify, type JWTVerifyOptions } from "jose"
import { checkedString, type ConfigError, invalidConfig, optionalString, type Wrap } from "#line/Config"
import {
  callback,
  catchAll,
  type DurationInput,
  illegalArgument,
  scopedLayer,
  Service,
  toDuration,
  TRUSTED,
  unwrapLayer,
  withFiberState
} from "#line/Kernel"
import { Literals, Union } from "#line/Models"
import { ClerkClient } from "./ClerkClient.js"
import { type FleetError, JwksStoreByKey, jwksStoreKeyOf, type JwksStoreService } from "./internal/fleet.js"
import {
  ClerkBadRequest,
  ClerkConflict,
  ClerkDecodeError,
  ClerkForbidden,
  ClerkGone,
  ClerkInvalidInput,
  ClerkNotFound,
  ClerkRateLimited,
  ClerkServerError,
  ClerkTimeout,
  ClerkTransportError,
  ClerkUnauthorized,
  ClerkUnexpectedStatus,
  ClerkUnprocessableEntity
} from "./ClerkError.js"
import { timeoutFail } from "./internal/attempt.js"
import {
  decodeJwks,
  importPem,
  isRsaAlgorithm,
  type JwksCacheStore,
  type KeySet,
  makeJwksCache,
  type StoredJwks,
  RSA_ALGORITHMS,
  type RsaAlgorithm,
  type UsableKey
} from "./internal/jwks.js"
import { BODY_CAPS } from "./internal/body.js"
import { readWrapped } from "./internal/wrap.js"
import { decodeClaims } from "./internal/claims.js"
import { isNative } from "./internal/span.js"
import { describeParseError } from "./internal/response.js"
import { MAX_NUMERIC_DATE, MIN_NUMERIC_DATE, SessionClaims } from "./SessionClaims.js"

/** The statuses GET /jwks is mapped with (see `TokenVerifier.layer`). */
const jwksStatuses: ReadonlySet<401> = new Set([401])

/**
 * Why a token was refused, with the names Clerk's SDKs use: the schema of
 * {@link ClerkTokenInvalid}'s `reason`, whose `literals` list every reason.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { TokenInvalidReason } from "effect-clerk"
 *
 * console.log(TokenInvalidReason.literals.length) // 10
 *
 * // E.g. to accept a reason read back from a log or a queue.
 * const isReason = Schema.is(TokenInvalidReason)
 * console.log(isReason("TokenExpired"), isReason("Expired")) // true false
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const TokenInvalidReason = Literals([
  "TokenExpired",
  "TokenNotActiveYet",
  "TokenIatInTheFuture",
  "TokenInvalidSignature",
  "TokenInvalidAlgorithm",
  "TokenInvalidAuthorizedParties",
  "TokenInvalidIssuer",
  "TokenInvalid",
  "JwkKidMismatch",
  "JwkFailedToResolve"
])

/**
 * One of the {@link TokenInvalidReason} names: `TokenExpired`, `TokenNotActiveYet`,
 * `TokenIatInTheFuture`, `TokenInvalidSignature`, `TokenInvalidAlgorithm`,
 * `TokenInvalidAuthorizedParties`, `TokenInvalidIssuer`, `TokenInvalid`, `JwkKidMismatch` or
 * `JwkFailedToResolve`.
 *
 * @example
 * ```ts
 * import type { TokenInvalidReason } from "effect-clerk"
 *
 * // A token that was fine once (expired, or not active yet) asks for a refresh; the rest is refused.
 * const statusFor = (reason: TokenInvalidReason): 401 | 403 =>
 *   reason === "TokenExpired" || reason === "TokenNotActiveYet" ? 401 : 403
 *
 * console.log(statusFor("TokenExpired"), statusFor("TokenInvalidSignature")) // 401 403
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type TokenInvalidReason = typeof TokenInvalidReason.Type

const ClerkErrorSchema = Union([
  ClerkBadRequest,
  ClerkUnauthorized,
  ClerkForbidden,
  ClerkNotFound,
  ClerkConflict,
  ClerkGone,
  ClerkUnprocessableEntity,
  ClerkRateLimited,
  ClerkServerError,
  ClerkUnexpectedStatus,
  ClerkTransportError,
  ClerkTimeout,
  ClerkDecodeError,
  ClerkInvalidInput
])

/**
 * The session token was refused. `reason` says why (Clerk's names); `message` says it for
 * people, never quoting the token. `JwkFailedToResolve` from the JWKS layer carries the
 * Clerk API failure as `cause`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { TokenVerifier } from "effect-clerk"
 * import { ClerkEmulator } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const verifier = yield* TokenVerifier
 *   return yield* verifier.verify("not-a-jwt")
 * }).pipe(
 *   Effect.map((claims) => `signed in as ${claims.sub}`),
 *   // `cause` is set only for JwkFailedToResolve: the Clerk error behind a failed JWKS fetch.
 *   Effect.catchTag("ClerkTokenInvalid", (e) => Effect.succeed(`${e.reason}: ${e.message} (${e.cause?._tag ?? "no cause"})`)),
 *   Effect.provide(
 *     TokenVerifier.layer({ authorizedParties: ["http://localhost:3000"] }).pipe(Layer.provide(ClerkEmulator.layerClient()))
 *   )
 * )
 *
 * Effect.runPromise(program).then(console.log)
 * // TokenInvalid: Malformed token: not a JWT (header.payload.signature) (no cause)
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkTokenInvalid extends Schema.TaggedError<ClerkTokenInvalid>()("ClerkTokenInvalid", {
  reason: TokenInvalidReason,
  message: Schema.String,
  cause: Schema.optional(ClerkErrorSchema)
}) {}

/**
 * `authenticateRequest` found no token: no `Authorization: Bearer` header and no
 * `__session` cookie. It has no fields; its `message` says just that. Answer it by asking
 * the user to sign in, apart from {@link ClerkTokenInvalid} (a token that was refused).
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { TokenVerifier } from "effect-clerk"
 * import { ClerkEmulator } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const verifier = yield* TokenVerifier
 *   const claims = yield* verifier.authenticateRequest(new Request("https://app.example.com/"))
 *   return `signed in as ${claims.sub}`
 * }).pipe(
 *   Effect.catchTag("ClerkTokenMissing", (e) => Effect.succeed(`401: ${e.message}`)),
 *   Effect.provide(
 *     TokenVerifier.layer({ authorizedParties: ["http://localhost:3000"] }).pipe(Layer.provide(ClerkEmulator.layerClient()))
 *   )
 * )
 *
 * Effect.runPromise(program).then(console.log)
 * // 401: No session token: the request has neither an Authorization: Bearer header nor a __session cookie
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkTokenMissing extends Schema.TaggedError<ClerkTokenMissing>()("ClerkTokenMissing", {}) {
  override get message() {
    return "No session token: the request has neither an Authorization: Bearer header nor a __session cookie"
  }
}

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

/**
 * Options of {@link TokenVerifier.layer} and {@link TokenVerifier.layerConfig}: the
 * {@link TokenVerifierCheckOptions}, plus how the JWKS is cached, refetched and, while
 * Clerk is unreachable, kept serving. Every field has a default.
 *
 * @example
 * ```ts
 * import { Duration, Layer, Redacted } from "effect"
 * import { ClerkClient, TokenVerifier, type TokenVerifierOptions } from "effect-clerk"
 *
 * const options: TokenVerifierOptions = {
 *   authorizedParties: ["https://app.example.com"],
 *   jwksCacheTtl: Duration.minutes(10),
 *   // Keep verifying with the last keys for up to 6 hours while every refresh fails.
 *   jwksMaxStale: Duration.hours(6)
 * }
 *
 * const VerifierLive = TokenVerifier.layer(options).pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") }))
 * )
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface TokenVerifierOptions extends TokenVerifierCheckOptions {
  /** How long fetched keys are used before the next verify refetches them (default 5 minutes). */
  readonly jwksCacheTtl?: DurationInput | undefined
  /**
   * After a JWKS fetch (successful or not), how long a token with an unknown `kid` is
   * refused without refetching (default 30 seconds, like jose's remote JWKS cooldown).
   */
  readonly kidRefetchCooldown?: DurationInput | undefined
  /**
   * After a failed JWKS fetch, how long no new fetch is made (default: `kidRefetchCooldown`,
   * so 30 seconds). With nothing cached, every verification in that time fails
   * `JwkFailedToResolve` with the failure as `cause`, without a request; with keys cached,
   * the stale keys serve. A failing JWKS is so asked at most once per cooldown (one request,
   * plus the `ClerkClient`'s retries for 429/502/503/504/transport errors, never for a 401),
   * however many tokens arrive.
   */
  readonly jwksFailureCooldown?: DurationInput | undefined
  /**
   * How long past `jwksCacheTtl` cached keys keep verifying while every refresh fails
   * (default 1 hour). After that, verification fails closed with `JwkFailedToResolve` until
   * a refresh succeeds. `Duration.infinity` trusts the last keys for as long as the API is
   * down.
   */
  readonly jwksMaxStale?: DurationInput | undefined
  /**
   * With a `JwksStore` provided: how long a store read or write may take before the verifier
   * goes on without it (default 1 second).
   */
  readonly jwksStoreTimeout?: DurationInput | undefined
}

/**
 * Options of {@link TokenVerifier.layerJwtKey}: the {@link TokenVerifierCheckOptions} and
 * the instance's PEM public key, so tokens are verified without any network.
 *
 * @example
 * ```ts
 * import { TokenVerifier, type TokenVerifierJwtKeyOptions } from "effect-clerk"
 *
 * // Clerk Dashboard → API keys → "JWKS Public Key".
 * const pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...\n-----END PUBLIC KEY-----"
 *
 * const options: TokenVerifierJwtKeyOptions = { jwtKey: pem, authorizedParties: ["https://app.example.com"] }
 *
 * // The PEM is imported when the layer is built: a bad one fails it with a ConfigError naming jwtKey.
 * const VerifierLive = TokenVerifier.layerJwtKey(options)
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface TokenVerifierJwtKeyOptions extends TokenVerifierCheckOptions {
  /** The instance's PEM public key (Clerk Dashboard → API keys → "JWKS Public Key"). */
  readonly jwtKey: string
}

/**
 * @since 0.1.0
 */
export declare namespace TokenVerifier {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** Verify a session token and decode its claims. */
    readonly verify: (token: string | Redacted.Redacted<string>) => Effect.Effect<SessionClaims, ClerkTokenInvalid>
    /**
     * Verify the session token of a request: `Authorization: Bearer <token>` first, else
     * the `__session` cookie.
     */
    readonly authenticateRequest: (
      request: Request
    ) => Effect.Effect<SessionClaims, ClerkTokenMissing | ClerkTokenInvalid>
  }
}

/**
 * Verifies Clerk session tokens without calling Clerk for each one: `verify(token)` and
 * `authenticateRequest(request)` (the `Authorization: Bearer` header, else the `__session`
 * cookie) succeed with the token's {@link SessionClaims}, or fail with
 * {@link ClerkTokenInvalid} (or {@link ClerkTokenMissing}). Provide it with
 * {@link TokenVerifier.layer} (keys from `GET /v1/jwks`, cached), {@link TokenVerifier.layerJwtKey}
 * (a PEM key, no network at all) or {@link TokenVerifier.layerConfig} (either, from the
 * environment).
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, TokenVerifier } from "effect-clerk"
 *
 * // Build it once (its JWKS cache lives as long as the layer), e.g. in a ManagedRuntime.
 * const VerifierLive = TokenVerifier.layer({ authorizedParties: ["https://app.example.com"] }).pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") }))
 * )
 *
 * const handle = (request: Request) =>
 *   Effect.gen(function*() {
 *     const verifier = yield* TokenVerifier
 *     const claims = yield* verifier.authenticateRequest(request)
 *     return Response.json({ userId: claims.sub, sessionId: claims.sid, orgId: claims.o?.id })
 *   }).pipe(
 *     Effect.catchTags({
 *       ClerkTokenMissing: () => Effect.succeed(new Response("sign in", { status: 401 })),
 *       ClerkTokenInvalid: (e) => Effect.succeed(new Response(e.reason, { status: 401 }))
 *     })
 *   )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class TokenVerifier extends Service<TokenVerifier, TokenVerifier.Service>()("effect-clerk/TokenVerifier") {
  /**
   * Keys from `GET /v1/jwks` through the `ClerkClient` (its auth, timeout, retry and typed
   * errors apply). The keys are cached by this layer instance, so never shared between
   * secret keys: fresh for `jwksCacheTtl`, one fetch shared by concurrent callers, an
   * unknown `kid` refetches at most once per `kidRefetchCooldown`, a failed fetch is not
   * repeated for `jwksFailureCooldown`, and stale keys keep serving while the API fails, for
   * at most `jwksMaxStale` past the TTL. With no usable keys, a failed fetch is
   * `JwkFailedToResolve` with the Clerk error as `cause`. Each key is imported once, and
   * only RSA keys of at least 2048 bits with the exponent 65537 are used. Tokens must carry
   * a `kid` (Clerk's always do).
   *
   * @since 0.1.0
   */
  static readonly layer = (options: TokenVerifierOptions = {}): Layer.Layer<TokenVerifier, never, ClerkClient> =>
    scopedLayer(
      TokenVerifier,
      Effect.gen(function*() {
        // Options that cannot work are a defect, as ClerkClient.layer's are; layerConfig's a ConfigError.
        yield* catchAll(() => Effect.die(illegalArgument(`TokenVerifier: invalid options: ${optionsProblem(options)}`)))(checkOptions(options))
        const client = yield* ClerkClient
        const scope = yield* Effect.scope
        const cooldown = Duration.toMillis(options.kidRefetchCooldown ?? Duration.seconds(30))
        const ttlMillis = Duration.toMillis(options.jwksCacheTtl ?? Duration.minutes(5))
        const maxStaleMillis = Duration.toMillis(options.jwksMaxStale ?? Duration.hours(1))
        const provided = yield* Effect.serviceOption(JwksStoreByKey)
        // Entries are signed with the client's state key: a client without one (a hand-made
        // ClerkClient.of) cannot tell a planted entry, so the store goes unused.
        const store = Option.isSome(provided) && client.stateKey === undefined ? Option.none() : provided
        if (Option.isSome(provided) && Option.isNone(store)) {
          yield* Effect.logWarning("effect-clerk: the ClerkClient has no stateKey to sign JWKS store entries with; not using the JwksStore")
        }
        const cacheStore = Option.isNone(store) ? undefined : storeAdapter(
          store.value,
          jwksStoreKeyOf(yield* client.instanceKey),
          client.stateKey!,
          // Kept as long as the keys may serve (fresh, then stale); the verifier checks the age itself.
          Number.isFinite(ttlMillis + maxStaleMillis) ? (ttlMillis + maxStaleMillis) / 1000 : undefined,
          toDuration(options.jwksStoreTimeout ?? Duration.seconds(1))
        )
        const cache = makeJwksCache(
          // The spec declares no error for /jwks, but a wrong secret key is a 401 on every
          // Backend API path: surface it as ClerkUnauthorized, the tag users look for.
          client.request({ method: "GET", path: "/jwks", idempotent: true, maxBodyBytes: BODY_CAPS.jwks, rateLimited: false }, decodeJwks, jwksStatuses),
          {
            ttlMillis,
            cooldownMillis: cooldown,
            failureCooldownMillis: options.jwksFailureCooldown === undefined
              ? cooldown
              : Duration.toMillis(options.jwksFailureCooldown),
            maxStaleMillis
          },
          scope,
          cacheStore
        )
        return make(options, jwksSource(cache))
      })
    )

  /**
   * Verification with a PEM public key: no network, ever. The PEM is imported once, here;
   * a PEM that is not an RSA public key (of at least 2048 bits, exponent 65537) fails the layer with a
   * `ConfigError` naming `jwtKey`, so a misconfigured key stops start-up instead of
   * refusing every request. The token's `kid` is not matched (the PEM has none); `alg`
   * must be RS256.
   *
   * @since 0.1.0
   */
  static readonly layerJwtKey = (
    options: TokenVerifierJwtKeyOptions
  ): Layer.Layer<TokenVerifier, ConfigError> => layerPem(options.jwtKey, "jwtKey", options)

  /**
   * `CLERK_JWT_KEY` (a PEM; `\n` escapes are accepted) when it is set and not empty, as
   * {@link TokenVerifier.layerJwtKey}; otherwise the JWKS through `ClerkClient`, as
   * {@link TokenVerifier.layer}. A malformed `CLERK_JWT_KEY` is a `ConfigError` naming it.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: Wrap<TokenVerifierOptions> | TokenVerifierOptions = {}
  ): Layer.Layer<TokenVerifier, ConfigError, ClerkClient> =>
    unwrapLayer(
      Effect.flatMap(configuredOptions(options), (read) =>
        Effect.map(
          optionalString("CLERK_JWT_KEY"),
          (jwtKey): Layer.Layer<TokenVerifier, ConfigError, ClerkClient> =>
            Option.isSome(jwtKey) && jwtKey.value.trim() !== ""
              ? layerPem(jwtKey.value, "CLERK_JWT_KEY", read)
              : TokenVerifier.layer(read)
        ))
    )

  /**
   * `CLERK_JWT_KEY` (required: a PEM, `\n` escapes accepted) as {@link TokenVerifier.layerJwtKey}
   * and `CLERK_AUTHORIZED_PARTIES` (comma-separated origins) when set: verification with no
   * network and no `ClerkClient`, so no `CLERK_SECRET_KEY` either. A missing or malformed
   * `CLERK_JWT_KEY` is a `ConfigError` naming it.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { TokenVerifier } from "effect-clerk"
   *
   * // CLERK_JWT_KEY (the instance's PEM public key) is all it reads: no secret key, no network.
   * const userIdOf = (token: string) =>
   *   Effect.gen(function*() {
   *     const verifier = yield* TokenVerifier
   *     const claims = yield* verifier.verify(token)
   *     return claims.sub
   *   }).pipe(Effect.provide(TokenVerifier.layerConfigJwtKey()))
   * ```
   *
   * @category layers
   * @since 0.1.0
   */
  static readonly layerConfigJwtKey = (
    options: Wrap<TokenVerifierCheckOptions> | TokenVerifierCheckOptions = {}
  ): Layer.Layer<TokenVerifier, ConfigError> =>
    unwrapLayer(
      Effect.flatMap(configuredOptions(options), (read) =>
        Effect.map(
          checkedString("CLERK_JWT_KEY", (pem) => pem.trim() === "" ? "CLERK_JWT_KEY is empty" : undefined),
          (jwtKey) => layerPem(jwtKey, "CLERK_JWT_KEY", read)
        ))
    )
}

/** The longest `clockSkew` accepted: tolerance beyond minutes accepts tokens long expired. */
const MAX_CLOCK_SKEW_MILLIS = 5 * 60_000

/** The options' problems as a `ConfigError` naming the option, checked when a layer is built. */
const checkOptions = (options: TokenVerifierCheckOptions): Effect.Effect<void, ConfigError> => {
  const warn = options.authorizedParties === undefined || options.authorizedParties.length === 0
    ? Effect.logWarning(
      "effect-clerk: TokenVerifier has no authorizedParties, so a token's azp (the origin it was issued to) is not " +
        "checked; set authorizedParties (or CLERK_AUTHORIZED_PARTIES) to your frontend's origins"
    )
    : Effect.void
  const problem = optionsProblem(options)
  return problem === undefined ? warn : Effect.fail(invalidConfig("clockSkew", problem))
}

const optionsProblem = (options: TokenVerifierCheckOptions): string | undefined => {
  if (options.clockSkew === undefined) return undefined
  let millis: number
  try {
    millis = Duration.toMillis(toDuration(options.clockSkew))
  } catch {
    millis = Number.NaN
  }
  if (millis >= 0 && millis <= MAX_CLOCK_SKEW_MILLIS) return undefined
  const shown = Number.isNaN(millis) ? "not a duration" : `${Number.isFinite(millis) ? `${millis} ms` : "infinite"}`
  return `clockSkew must be a duration from 0 to 5 minutes, got ${shown}`
}

/** `layerConfig`'s options read (Config.Wrap), with CLERK_AUTHORIZED_PARTIES when none are given. */
const configuredOptions = <A extends TokenVerifierCheckOptions>(options: Wrap<A> | A): Effect.Effect<A, ConfigError> =>
  Effect.flatMap(readWrapped<A>(options), (read) =>
    read.authorizedParties !== undefined
      ? Effect.succeed(read)
      : Effect.map(optionalString("CLERK_AUTHORIZED_PARTIES"), (parties) =>
        Option.isNone(parties)
          ? read
          : { ...read, authorizedParties: parties.value.split(",").map((p) => p.trim()).filter((p) => p !== "") }))

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
type KeyLookup = (kid: string | undefined) => UsableKey | ClerkTokenInvalid | UnknownKid

interface KeySource {
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

const jwksSource = (cache: ReturnType<typeof makeJwksCache>): KeySource => {
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

/** How far in the future a stored `fetchedAt` may lie (a writer's clock ahead of ours). */
const FUTURE_ALLOWANCE_MILLIS = 60_000

const encodeText = (text: string) => new TextEncoder().encode(text)

const toBase64url = (bytes: ArrayBuffer): string => {
  let binary = ""
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=")
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** What the MAC covers: the store key (an entry cannot be moved to another instance) and the body. */
const signedBytes = (key: string, body: string) => encodeText(`${key}\n${body}`)

/** A stored entry's envelope: `{ v: 2, body, mac }`, or why it is not one. */
const parseEnvelope = (text: string): { readonly body: string; readonly mac: Uint8Array<ArrayBuffer> } | "corrupt" => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return "corrupt"
  }
  if (typeof value !== "object" || value === null) return "corrupt"
  const { body, mac, v } = value as Record<string, unknown>
  const bytes = typeof mac === "string" ? fromBase64url(mac) : undefined
  return v === 2 && typeof body === "string" && bytes !== undefined ? { body, mac: bytes } : "corrupt"
}

/**
 * A signed body (`{ fetchedAt, keys }`) as the cache takes it, or `undefined` when it is not
 * one: the keys are checked by the JWKS wire decoder, the rest by hand (no other Schema in a
 * Worker's bundle). A `fetchedAt` further ahead than a minute is refused: it would make the
 * entry look newer than every fetch for as long as it is stored.
 */
const parseBody = (body: string, now: number): StoredJwks | undefined => {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof value !== "object" || value === null) return undefined
  const { fetchedAt, keys } = value as Record<string, unknown>
  if (typeof fetchedAt !== "number" || !Number.isFinite(fetchedAt) || fetchedAt > now + FUTURE_ALLOWANCE_MILLIS) {
    return undefined
  }
  const jwks = decodeJwks({ keys })
  return jwks.ok ? { jwks: jwks.value, fetchedAt } : undefined
}

/**
 * The `JwksStore` as the cache sees it: each entry signed with the client's `stateKey`
 * (HMAC-SHA256, a key only holders of the secret key can derive) and checked on read, each
 * operation bounded by `timeout`, and any failure logged and treated as an empty store. An
 * entry whose signature does not check (planted by someone with write access to the store
 * but not the secret key), that is corrupt, or dated in the future is dropped with a warning,
 * and the next fetch overwrites it.
 */
const storeAdapter = (
  store: JwksStoreService,
  key: string,
  stateKey: Effect.Effect<CryptoKey>,
  ttlSeconds: number | undefined,
  timeout: Duration.Duration
): JwksCacheStore => {
  const timedOut = (operation: "get" | "set") => (): FleetError => ({
    message: `the JWKS store's ${operation} took longer than ${Duration.format(timeout)}`
  })
  const logged = (what: string) => (error: FleetError) =>
    Effect.logWarning(`effect-clerk: ${what}; going on without the JWKS store: ${error.message}`)
  const dropped = (why: string) =>
    Effect.as(Effect.logWarning(`effect-clerk: the stored JWKS ${why}; dropping it, asking Clerk and overwriting it`), undefined)
  const checked = (text: string): Effect.Effect<StoredJwks | undefined> => {
    const envelope = parseEnvelope(text)
    if (envelope === "corrupt") return dropped("is corrupt")
    return Effect.flatMap(stateKey, (mac) =>
      Effect.flatMap(
        Effect.promise(() => crypto.subtle.verify("HMAC", mac, envelope.mac, signedBytes(key, envelope.body))),
        (valid) => {
          if (!valid) return dropped("is not signed with this instance's key (written by someone without the secret key?)")
          return Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const stored = parseBody(envelope.body, now)
            return stored === undefined ? dropped("is corrupt or dated in the future") : Effect.succeed(stored)
          })
        }
      ))
  }
  return {
    read: timeoutFail(store.get(key), timeout, timedOut("get")).pipe(
      Effect.flatMap((text): Effect.Effect<StoredJwks | undefined> => text === undefined ? Effect.succeed(undefined) : checked(text)),
      catchAll((error: FleetError) => Effect.as(logged("reading the stored JWKS failed")(error), undefined))
    ),
    write: (entry) => {
      const body = JSON.stringify({ fetchedAt: entry.fetchedAt, keys: entry.jwks.keys })
      const signed = Effect.flatMap(stateKey, (mac) =>
        Effect.promise(() => crypto.subtle.sign("HMAC", mac, signedBytes(key, body))))
      return Effect.flatMap(signed, (mac) =>
        timeoutFail(
          store.set(key, JSON.stringify({ v: 2, body, mac: toBase64url(mac) }), ttlSeconds),
          timeout,
          timedOut("set")
        )).pipe(catchAll(logged("storing the JWKS failed")))
    }
  }
}

const layerPem = (
  pem: string,
  name: string,
  options: TokenVerifierCheckOptions
): Layer.Layer<TokenVerifier, ConfigError> =>
  Layer.effect(
    TokenVerifier,
    Effect.flatMap(Effect.andThen(checkOptions(options), Effect.promise(() => importPem(pem))), (key) => {
      if (typeof key === "string") {
        return Effect.fail(invalidConfig(name, `${name} is not a usable Clerk JWT public key: ${key}`))
      }
      const lookup: KeyLookup = () => key
      const found = Effect.succeed(lookup)
      return Effect.succeed(make(options, {
        requiresKid: false,
        ready: () => lookup,
        lookup: () => found,
        retry: () => Effect.succeed(undefined)
      }))
    })
  )


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

const make = (options: TokenVerifierCheckOptions, source: KeySource): TokenVerifier.Service => {
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

  // Time comes from the fiber's Clock (so TestClock drives it). A span costs about as much
  // as the rest of a cached verification, so one is opened only as the child of a span the
  // caller is already in (like OpenTelemetry's `requireParentSpan`), and only when a tracer
  // other than Effect's default collects it: traced applications see it, others do not pay.
  const run = (
    token: string | Redacted.Redacted<string> | undefined,
    missing: boolean,
    span: string
  ) =>
    withFiberState<SessionClaims, ClerkTokenInvalid | ClerkTokenMissing, never>((now, tracer, inSpan) => {
      const effect: Effect.Effect<SessionClaims, ClerkTokenInvalid | ClerkTokenMissing> = missing
        ? Effect.fail(new ClerkTokenMissing())
        : verifyAt(Redacted.isRedacted(token) ? Redacted.value(token) : token, now)
      return !inSpan || isNative(tracer) ? effect : Effect.withSpan(effect, span, { kind: "internal" })
    })

  const verify = (token: string | Redacted.Redacted<string>) =>
    run(token, false, "TokenVerifier.verify") as Effect.Effect<SessionClaims, ClerkTokenInvalid>

  const authenticateRequest = (request: Request) => {
    const token = tokenFromRequest(request)
    return run(token, token === undefined, "TokenVerifier.authenticateRequest")
  }

  return TokenVerifier.of({ verify, authenticateRequest })
}

const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** `Authorization: Bearer` first, then the `__session` cookie. */
const tokenFromRequest = (request: Request): string | undefined => {
  const authorization = request.headers.get("authorization")
  if (authorization !== null) {
    const match = bearer.exec(authorization)
    if (match !== null) return match[1]
  }
  const cookie = request.headers.get("cookie")
  if (cookie !== null) {
    for (const part of cookie.split(";")) {
      const eq = part.indexOf("=")
      if (eq === -1 || part.slice(0, eq).trim() !== "__session") continue
      let value = part.slice(eq + 1).trim()
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
      if (value !== "") return value
    }
  }
  return undefined
}
