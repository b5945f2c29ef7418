/**
 * The configured Clerk Backend API transport: base URL, `Authorization: Bearer` from a
 * `Redacted` secret key, `Clerk-API-Version`, `User-Agent`, a per-attempt timeout, the
 * retry policy, and one response handler that turns statuses into typed errors.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { checkedOptionalString, checkedString, type ConfigError, type Wrap } from "#line/Config"
import type { DecodeResult } from "#line/Decode"
import { HttpClient } from "#line/Http"
import { illegalArgument, Service, toDuration } from "#line/Kernel"
import type { ClerkError } from "./ClerkError.js"
import { retryPolicyOf } from "./internal/attempt.js"
import { makeMemoryRateLimiter, RateLimiterByKey, type RateLimiterService } from "./internal/fleet.js"
import { makeInstanceKey, makeStateKey } from "./internal/instance.js"
import { apiUrlProblem, optionProblems, secretKeyProblem } from "./internal/options.js"
import { makeRateLimit } from "./internal/rateLimit.js"
import type { DeclaredStatus } from "./internal/request.js"
import { handleResponse } from "./internal/response.js"
import { type Attempt, Fetch, fetchTransport, httpClientTransport, type Settings, settingsOf } from "./internal/transport.js"
import { readWrapped } from "./internal/wrap.js"
import { VERSION } from "./internal/version.js"

import type { ClerkClientOptions } from "./internal/options.js"
import type { ClerkRequest, ClerkRequestError } from "./internal/request.js"

export type { ClerkClientOptions, RateLimitPolicy, RetryPolicy } from "./internal/options.js"
export type { ClerkRequest, ClerkRequestError } from "./internal/request.js"

/**
 * The `Clerk-API-Version` header every request sends unless `apiVersion` says otherwise: the
 * Backend API version this SDK's schemas are written against.
 *
 * @example
 * ```ts
 * import { ClerkClient, DEFAULT_API_VERSION } from "effect-clerk"
 * import { Redacted } from "effect"
 *
 * // Pin the version explicitly (the same as leaving `apiVersion` out).
 * const ClerkLive = ClerkClient.layerFetch({
 *   secretKey: Redacted.make("sk_test_..."),
 *   apiVersion: DEFAULT_API_VERSION
 * })
 * ```
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_API_VERSION = "2026-05-12"

/**
 * The Backend API's base URL, used unless `apiUrl` (or `CLERK_API_URL`) says otherwise.
 *
 * @example
 * ```ts
 * import { DEFAULT_API_URL } from "effect-clerk"
 *
 * const isProduction = (apiUrl: string) => apiUrl === DEFAULT_API_URL
 * console.log(isProduction("http://127.0.0.1:8787")) // false
 * ```
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_API_URL = "https://api.clerk.com"






/**
 * @since 0.1.0
 */
export declare namespace ClerkClient {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** The resolved base URL, ending in `/v1`. */
    readonly baseUrl: string
    /**
     * Names the Clerk instance for state shared across isolates (the JWKS store, the
     * rate-limit budget): the base URL and 32 bytes (hex) derived from the secret key with
     * HKDF-SHA256, never the key.
     */
    readonly instanceKey: Effect.Effect<string>
    /**
     * A non-extractable HMAC-SHA256 key derived from the secret key with HKDF (another
     * derivation than `instanceKey`'s): `TokenVerifier` signs the entries it puts in a
     * `JwksStore` with it and drops any entry whose signature does not check, so that write
     * access to the store is not signing power. A client without it (a hand-made
     * `ClerkClient.of`) makes the verifier go without the store.
     */
    readonly stateKey?: Effect.Effect<CryptoKey> | undefined
    /**
     * Send one request through the timeout and retry policy; map a non-2xx status to its
     * typed error and decode a 2xx JSON body with `decode`: `Schema.decodeUnknownEither(schema)`
     * on effect 3, `Schema.decodeUnknownResult(schema)` on effect 4, or a function giving
     * `{ ok: true, value }` / `{ ok: false, issues }`.
     */
    readonly request: <A, S extends DeclaredStatus>(
      request: ClerkRequest,
      decode: (body: unknown) => DecodeResult<A>,
      declared: ReadonlySet<S>
    ) => Effect.Effect<A, ClerkRequestError<S>>
  }
}

/**
 * The Clerk Backend API transport. Provide it with {@link ClerkClient.layer} or
 * {@link ClerkClient.layerConfig}, on top of an `HttpClient` (normally
 * `FetchHttpClient.layer`), or with {@link ClerkClient.layerFetch} /
 * {@link ClerkClient.layerFetchConfig}, which send with `fetch` directly. Applications
 * rarely call it themselves: `Sessions` and `TokenVerifier` are built on it; its `request`
 * sends to endpoints the SDK does not wrap.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * const ClerkLive = ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") })
 *
 * // What most apps do: provide it under Sessions (and TokenVerifier).
 * const SessionsLive = Sessions.layer.pipe(Layer.provide(ClerkLive))
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* ClerkClient
 *   console.log(client.baseUrl) // "https://api.clerk.com/v1"
 * })
 *
 * Effect.runPromise(Effect.provide(program, ClerkLive))
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class ClerkClient extends Service<ClerkClient, ClerkClient.Service>()("effect-clerk/ClerkClient") {
  /**
   * @since 0.1.0
   */
  static readonly make = (options: ClerkClientOptions) => make(options)

  /**
   * Requests go through the application's `HttpClient`, so its middleware, its
   * `http.client` spans and any `HttpClient` a test provides apply to them. Options that
   * cannot work (see {@link ClerkClientOptions}) are a defect when the layer is built.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: ClerkClientOptions): Layer.Layer<ClerkClient, never, HttpClient> =>
    Layer.effect(ClerkClient, make(options))

  /**
   * Reads `CLERK_SECRET_KEY` (required), `CLERK_API_URL` and `CLERK_API_VERSION`; a value
   * that cannot work is a `ConfigError` naming its variable (never quoting the key).
   * `CLERK_API_VERSION` may be `v1` (the URL path version Clerk's other SDKs use; the dated
   * header then keeps its default) or a date `YYYY-MM-DD` (sent as `Clerk-API-Version`).
   * `options` win over the environment: plain values, or, in Effect's `Config.Wrap`
   * convention, a `Config` per field (or one `Config` for all of them).
   *
   * @example
   * ```ts
   * import { Config, Duration, Layer } from "effect"
   * import { ClerkClient, Sessions } from "effect-clerk"
   *
   * // CLERK_SECRET_KEY, CLERK_API_URL and CLERK_API_VERSION from the environment; the other
   * // options as a Config per field (Config.Wrap), or as plain values:
   * // ClerkClient.layerConfig({ timeout: Duration.seconds(3) }).
   * const SessionsLive = Sessions.layer.pipe(
   *   Layer.provide(ClerkClient.layerConfig({
   *     timeout: Config.succeed(Duration.seconds(3))
   *   }))
   * )
   * // SessionsLive still needs your HttpClient: Layer.provide(FetchHttpClient.layer), say.
   * ```
   *
   * @category layers
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options?: Wrap<Partial<ClerkClientOptions>> | Partial<ClerkClientOptions>
  ): Layer.Layer<ClerkClient, ConfigError, HttpClient> =>
    Layer.effect(ClerkClient, Effect.flatMap(configured(options), make))

  /**
   * Requests go straight to `fetch`: the `FetchHttpClient.Fetch` service if the layer is
   * given one (a test's mock, `ClerkEmulator.layer`'s in-process fetch), else
   * `globalThis.fetch`. Same headers, timeout, retry, errors and operation spans as
   * {@link ClerkClient.layer}, at about a quarter of its CPU per call (BENCHMARKS.md): no
   * `HttpClient` in the path, so no `http.client` span and no `HttpClient` middleware.
   * The choice for Workers, whose CPU time is billed and capped.
   *
   * @since 0.1.0
   */
  static readonly layerFetch = (options: ClerkClientOptions): Layer.Layer<ClerkClient> =>
    Layer.effect(ClerkClient, makeFetch(options))

  /**
   * {@link ClerkClient.layerConfig}'s variables, over {@link ClerkClient.layerFetch}.
   *
   * @since 0.1.0
   */
  static readonly layerFetchConfig = (
    options?: Wrap<Partial<ClerkClientOptions>> | Partial<ClerkClientOptions>
  ): Layer.Layer<ClerkClient, ConfigError> =>
    Layer.effect(ClerkClient, Effect.flatMap(configured(options), makeFetch))
}

const configured = (options: Wrap<Partial<ClerkClientOptions>> | Partial<ClerkClientOptions> | undefined) =>
  Effect.gen(function*() {
    const overrides = yield* readWrapped<Partial<ClerkClientOptions> | undefined>(options)
    const secretKey = overrides?.secretKey ?? (yield* secretKeyConfig)
    const apiUrl = overrides?.apiUrl ?? (yield* apiUrlConfig(overrides?.allowInsecureHttp === true))
    const apiVersion = overrides?.apiVersion ?? (yield* apiVersionConfig)
    return { ...overrides, secretKey, apiUrl, apiVersion } satisfies ClerkClientOptions
  })

// A refused value's error names the variable; the message never quotes the key.
const secretKeyConfig = checkedString("CLERK_SECRET_KEY", (key) => {
  const problem = secretKeyProblem(key)
  return problem === undefined ? undefined : `the secret key ${problem}`
}).pipe(Config.map(Redacted.make))

const apiUrlConfig = (allowInsecureHttp: boolean) =>
  checkedString("CLERK_API_URL", (url) => {
    const problem = apiUrlProblem(url, allowInsecureHttp)
    return problem === undefined ? undefined : `the API URL ${problem}`
  }).pipe(Config.withDefault(DEFAULT_API_URL))

const apiVersionConfig = checkedOptionalString(
  "CLERK_API_VERSION",
  (value) =>
    value === "v1" || /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? undefined
      : `Expected "v1" or a dated version like "${DEFAULT_API_VERSION}", got ${JSON.stringify(value)}`
).pipe(Config.map((value) => Option.isNone(value) || value.value === "v1" ? DEFAULT_API_VERSION : value.value))

/**
 * The options' problems as one defect, naming each refused option (`layer`, `layerFetch`,
 * and `layerConfig`'s overrides).
 */
const checkOptions = (options: ClerkClientOptions): Effect.Effect<void> => {
  const problems = optionProblems(options, DEFAULT_API_URL)
  if (problems.length === 0) return Effect.void
  const lines = problems.map((p) => `${p.option} ${p.reason}`)
  return Effect.die(illegalArgument(`ClerkClient: invalid options: ${lines.join("; ")}`))
}

/** One request through the pipeline: a rate-limit slot, the attempt (timed), the response handler; retried when idempotent. */
const makeWith = (options: ClerkClientOptions, settings: Settings, attempt: Attempt, limiter?: RateLimiterService): ClerkClient.Service => {
  const timeout = toDuration(options.timeout ?? Duration.seconds(10))
  const withRetry = retryPolicyOf(options.retry)
  const instanceKey = makeInstanceKey(settings.baseUrl, settings.secretKey)
  const rateLimited = limiter === undefined ? undefined : makeRateLimit(options, limiter, instanceKey)

  const request = <A, S extends DeclaredStatus>(
    spec: ClerkRequest,
    decode: (body: unknown) => DecodeResult<A>,
    declared: ReadonlySet<S>
  ): Effect.Effect<A, ClerkRequestError<S>> => {
    // One attempt (send and read the whole body within the timeout; a body that stalls is
    // inside it), then the response handler; with `rateLimit`, a slot first.
    const sent = Effect.flatMap(attempt(spec, timeout), (exchange) => handleResponse(spec, exchange, decode, declared))
    const limited = rateLimited === undefined ? sent : rateLimited(spec, sent)
    return withRetry === undefined || !spec.idempotent
      ? limited
      : withRetry(limited as Effect.Effect<A, ClerkError>) as Effect.Effect<A, ClerkRequestError<S>>
  }

  return ClerkClient.of({ baseUrl: settings.baseUrl, instanceKey, stateKey: makeStateKey(settings.secretKey), request })
}

/**
 * The `RateLimiter` in the context, or this client's own memory budget; none without
 * `rateLimit` (the one place that option turns rate limiting on or off).
 */
const limiterFor = (options: ClerkClientOptions): Effect.Effect<RateLimiterService | undefined> =>
  options.rateLimit === undefined || options.rateLimit === false
    ? Effect.succeed(undefined)
    : Effect.map(Effect.serviceOption(RateLimiterByKey), Option.getOrElse(makeMemoryRateLimiter))

const settingsFor = (options: ClerkClientOptions): Settings =>
  settingsOf({
    secretKey: options.secretKey,
    apiUrl: options.apiUrl ?? DEFAULT_API_URL,
    apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
    userAgent: options.userAgent ?? `effect-clerk/${VERSION}`
  })

const make = (options: ClerkClientOptions) =>
  Effect.gen(function*() {
    yield* checkOptions(options)
    const settings = settingsFor(options)
    return makeWith(options, settings, httpClientTransport(yield* HttpClient, settings), yield* limiterFor(options))
  })

const makeFetch = (options: ClerkClientOptions) =>
  Effect.gen(function*() {
    yield* checkOptions(options)
    const settings = settingsFor(options)
    const fetch = Option.getOrUndefined(yield* Effect.serviceOption(Fetch))
    return makeWith(options, settings, fetchTransport(fetch, settings), yield* limiterFor(options))
  })
