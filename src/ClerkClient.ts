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
import type * as Schedule from "effect/Schedule"
import { checkedOptionalString, checkedString, type ConfigError, type Wrap } from "#line/Config"
import type { DecodeResult } from "#line/Decode"
import { HttpClient } from "#line/Http"
import { type DurationInput, illegalArgument, Service, toDuration } from "#line/Kernel"
import type { ClerkCommonError, ClerkError } from "./ClerkError.js"
import { retryPolicyOf } from "./internal/attempt.js"
import { makeMemoryRateLimiter, RateLimiterByKey, type RateLimiterService } from "./internal/fleet.js"
import { makeInstanceKey, makeStateKey } from "./internal/instance.js"
import { apiUrlProblem, optionProblems, secretKeyProblem } from "./internal/options.js"
import { makeRateLimit } from "./internal/rateLimit.js"
import { type DeclaredStatus, type DeclaredStatusErrors, handleResponse } from "./internal/response.js"
import { type Attempt, Fetch, fetchTransport, httpClientTransport, type Settings, settingsOf } from "./internal/transport.js"
import { readWrapped } from "./internal/wrap.js"
import { VERSION } from "./internal/version.js"

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
 * How safe operations retry. Every field has a default; `schedule` replaces the backoff
 * (its input is the error), while the rules below still hold: only retryable failures are
 * retried, never sooner than Retry-After, never past `maxRetryAfter` or `deadline`.
 * Only safe operations retry (GETs, revoke, verify, token minting); `createSession` and
 * `refreshSession` are never re-sent. Pass it as `retry` (or `retry: false` for none).
 *
 * @example
 * ```ts
 * import { Duration, Redacted } from "effect"
 * import { ClerkClient, type RetryPolicy } from "effect-clerk"
 *
 * // Up to 5 retries, backing off from 100 ms to at most 2 s; no retry starts
 * // more than 20 s after the first failure.
 * const retry: RetryPolicy = {
 *   times: 5,
 *   baseDelay: Duration.millis(100),
 *   maxDelay: "2 seconds",
 *   deadline: Duration.seconds(20)
 * }
 *
 * const ClerkLive = ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_..."), retry })
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  readonly times?: number
  /** First backoff delay, doubled each retry and jittered (default 200 ms). */
  readonly baseDelay?: DurationInput
  /** Largest backoff delay (default 5 s). */
  readonly maxDelay?: DurationInput
  /** A 429 asking to wait longer than this fails at once with `ClerkRateLimited` (default 30 s). */
  readonly maxRetryAfter?: DurationInput
  /** No retry starts, or is waited for, past this long after the first failure (default 60 s). */
  readonly deadline?: DurationInput
  /** Replaces the jittered exponential backoff. */
  readonly schedule?: Schedule.Schedule<unknown, ClerkError>
}

/**
 * How `rateLimit` spends the Clerk instance's request budget. Every request but
 * `GET /v1/jwks` (which Clerk does not limit) takes a slot before it is sent, retries
 * included; a 429 with Retry-After from Clerk holds the whole budget off for that long (at
 * most a minute, however long it says), so every isolate sharing it
 * (`RateLimiter.layerDurableObject`) stops too. Out-of-range values are refused when the
 * layer is built.
 *
 * @example
 * ```ts
 * import { Console, Duration, Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, type RateLimitPolicy, Sessions } from "effect-clerk"
 *
 * // At most 50 requests per 11 s; with the budget spent, fail at once instead of waiting.
 * const rateLimit: RateLimitPolicy = { limit: 50, window: "11 seconds", onLimit: "fail" }
 * const SessionsLive = Sessions.layer.pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_..."), rateLimit }))
 * )
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // Nothing was sent: status 0, code "rate_limit_budget_exhausted", retryAfter the wait.
 *   Effect.catchTag("ClerkRateLimited", (e) =>
 *     Console.log(`${e.errors[0]?.code}: retry in ${Duration.format(e.retryAfter ?? Duration.zero)}`)),
 *   Effect.provide(SessionsLive)
 * )
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface RateLimitPolicy {
  /**
   * Requests per `window`, an integer from 1 to 10,000 (default: Clerk's documented limit
   * for the key, 1000 for `sk_live_…`, 100 otherwise).
   */
  readonly limit?: number | undefined
  /**
   * The window, at most 5 minutes (default 11 s: Clerk counts per 10 s, plus a second for
   * requests still in transit, so a send granted at the window's edge cannot arrive inside
   * the previous one). The budget is a sliding window: no `window`-long span, wherever it
   * starts, holds more than `limit` sends.
   */
  readonly window?: DurationInput | undefined
  /**
   * With the budget spent: `"wait"` (default) for the next slot, up to `maxWait`; `"fail"`
   * at once with `ClerkRateLimited` (code `rate_limit_budget_exhausted`, `retryAfter` the
   * wait) before sending anything.
   */
  readonly onLimit?: "wait" | "fail" | undefined
  /**
   * The longest wait for a slot before failing with `ClerkRateLimited`, at most 5 minutes
   * (default: the retry policy's `deadline`, 60 s). A limiter that grants a slot further away
   * than this fails the call the same way: it never sleeps past `maxWait`.
   */
  readonly maxWait?: DurationInput | undefined
  /**
   * How long asking the limiter may take (default 1 s). A limiter that fails or takes longer
   * is logged and the request is sent unlimited: a broken limiter never stops a call.
   */
  readonly timeout?: DurationInput | undefined
}

/**
 * Options of {@link ClerkClient.layer}. The layers check them when they are built and
 * refuse (with a defect naming the option; `layerConfig` with a `ConfigError` naming the
 * variable) an empty key or one that is not visible ASCII, a URL that is not absolute, has
 * credentials, a query or a fragment, and `http://` to anything but loopback unless
 * `allowInsecureHttp` is set. Every field but `secretKey` has a default.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { ClerkClient, type ClerkClientOptions } from "effect-clerk"
 *
 * const options: ClerkClientOptions = {
 *   secretKey: Redacted.make("sk_test_..."),
 *   // An emulator in another container, over plain HTTP: say so explicitly.
 *   apiUrl: "http://clerk-emulator:4010",
 *   allowInsecureHttp: true,
 *   timeout: "5 seconds", // per attempt, reading the body included
 *   retry: { times: 2 },
 *   userAgent: "my-app/1.0"
 * }
 *
 * const ClerkLive = ClerkClient.layerFetch(options)
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface ClerkClientOptions {
  /** `sk_live_…` / `sk_test_…`, kept `Redacted`. */
  readonly secretKey: Redacted.Redacted<string>
  /** The API host, without `/v1` (default `https://api.clerk.com`; a trailing `/v1` or `/` is tolerated). */
  readonly apiUrl?: string | undefined
  /**
   * Allow an `http://` `apiUrl` to a host that is not loopback (127.0.0.0/8, `localhost`,
   * `[::1]`), e.g. an emulator in another container. The key then travels unencrypted.
   * Default `false`.
   */
  readonly allowInsecureHttp?: boolean | undefined
  /** The dated `Clerk-API-Version` header (default {@link DEFAULT_API_VERSION}). */
  readonly apiVersion?: string | undefined
  /** Per-attempt timeout, covering the response body too (default 10 s). */
  readonly timeout?: DurationInput | undefined
  /** The retry policy for safe operations, or `false` for none. */
  readonly retry?: RetryPolicy | false | undefined
  /** Replaces `effect-clerk/<version>`. */
  readonly userAgent?: string | undefined
  /**
   * Keep to the instance's request budget (`true` for the defaults): each request takes a
   * slot from the `RateLimiter` in the context (`RateLimiter.layerDurableObject` for a
   * fleet), or from this client's own in-memory budget when there is none. Off by default.
   */
  readonly rateLimit?: RateLimitPolicy | boolean | undefined
}

/**
 * One request an operation wants sent, as {@link ClerkClient}'s `request` takes it: for
 * endpoints the SDK does not wrap. `path` is relative to `/v1` and already encoded; only an
 * `idempotent` request is retried.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkClient, type ClerkRequest } from "effect-clerk"
 *
 * // GET /v1/sessions/{id} by hand, decoded with a plain { ok, value } function.
 * const sessionStatus = (sessionId: string) =>
 *   Effect.gen(function*() {
 *     const client = yield* ClerkClient
 *     const request: ClerkRequest = { method: "GET", path: `/sessions/${encodeURIComponent(sessionId)}`, idempotent: true }
 *     const decode = (body: unknown) => ({ ok: true as const, value: (body as { readonly status: string }).status })
 *     return yield* client.request(request, decode, new Set([404 as const]))
 *   }).pipe(Effect.catchTag("ClerkNotFound", () => Effect.succeed("unknown")))
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface ClerkRequest {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly urlParams?: ReadonlyArray<readonly [string, string]> | undefined
  readonly body?: unknown
  /** Safe to re-send (GETs, revoke, verify, token minting); `false` for create and refresh. */
  readonly idempotent: boolean
  /**
   * The most bytes of response body read (default 1 MiB). A longer 2xx body fails with
   * `ClerkDecodeError`; a longer error body keeps its status error, without Clerk's `errors[]`.
   */
  readonly maxBodyBytes?: number | undefined
  /** `false` for routes Clerk does not rate-limit (`GET /jwks`): no slot is taken. */
  readonly rateLimited?: boolean | undefined
}

/**
 * The errors a request can end in, given the 4xx statuses `S` its operation declares: the
 * error class of each declared status (404 → `ClerkNotFound`, …) plus {@link ClerkCommonError}.
 * A 4xx the operation does not declare arrives as `ClerkUnexpectedStatus`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ClerkRequestError } from "effect-clerk"
 *
 * // Everything a request declaring 400 and 404 can fail with, told apart by tag.
 * const describe = (error: ClerkRequestError<400 | 404>): string => {
 *   switch (error._tag) {
 *     case "ClerkNotFound":
 *       return "no such session"
 *     case "ClerkBadRequest":
 *       return `bad request: ${error.errors[0]?.code}`
 *     default:
 *       return error.message // 429, 5xx, an undeclared status, timeout, transport, decode, input
 *   }
 * }
 *
 * const orMessage = (call: Effect.Effect<string, ClerkRequestError<400 | 404>>) =>
 *   Effect.match(call, { onFailure: describe, onSuccess: (value) => value })
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type ClerkRequestError<S extends DeclaredStatus> = DeclaredStatusErrors[S] | ClerkCommonError

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
