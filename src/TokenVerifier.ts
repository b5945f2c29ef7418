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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { checkedString, type ConfigError, invalidConfig, optionalString, type Wrap } from "#line/Config"
import { catchAll, type DurationInput, illegalArgument, scopedLayer, Service, toDuration, unwrapLayer, withFiberState } from "#line/Kernel"
import { ClerkClient } from "./ClerkClient.js"
import { type ClerkTokenInvalid, ClerkTokenMissing } from "./ClerkError.js"
import { BODY_CAPS } from "./internal/body.js"
import { JwksStoreByKey, jwksStoreKeyOf } from "./internal/fleet.js"
import { decodeJwks, importPem, makeJwksCache } from "./internal/jwks.js"
import { isNative } from "./internal/span.js"
import { bearerToken, sessionCookie } from "./internal/sessionToken.js"
import { storeAdapter } from "./internal/storedJwks.js"
import { jwksSource, type KeyLookup, type KeySource, makeVerifyAt, type TokenVerifierCheckOptions } from "./internal/verify.js"
import { readWrapped } from "./internal/wrap.js"
import type { SessionClaims } from "./SessionClaims.js"

export type { TokenVerifierCheckOptions } from "./internal/verify.js"

const jwksStatuses: ReadonlySet<401> = new Set([401])


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


const make = (options: TokenVerifierCheckOptions, source: KeySource): TokenVerifier.Service => {
  const verifyAt = makeVerifyAt(options, source)

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

/** `Authorization: Bearer` first, then the `__session` cookie. */
const tokenFromRequest = (request: Request): string | undefined =>
  bearerToken(request.headers.get("authorization")) ?? sessionCookie(request.headers.get("cookie"))
