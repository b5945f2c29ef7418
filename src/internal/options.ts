/**
 * The checks `ClerkClient`'s layers run on their options when they are built, so that a
 * wrong URL or key is refused with a message naming the option, not found on the first call
 * as `InvalidUrl` or a 401. A secret is never quoted; a URL is only quoted when it cannot
 * carry a password.
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import { type DurationInput, toDuration } from "#line/Kernel"
import type * as Schedule from "effect/Schedule"
import type { ClerkError } from "../ClerkError.js"
import { MAX_LIMIT, MAX_WAIT_MILLIS, MAX_WINDOW_MILLIS } from "./budget.js"

// The options' types, declared here beside their checks and re-exported by ClerkClient.ts.

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


/** One refused option: which one, and what is wrong with it (never its secret value). */
export interface OptionProblem {
  readonly option: "secretKey" | "apiUrl" | "apiVersion" | "userAgent" | "rateLimit"
  readonly reason: string
}

/** Why a `secretKey` cannot be sent as `Authorization: Bearer <key>`, or `undefined` if it can. */
export const secretKeyProblem = (key: unknown): string | undefined => {
  if (typeof key !== "string") return `must be a string, got ${typeof key}`
  if (key.trim().length === 0) return key.length === 0 ? "is empty" : "is only whitespace"
  if (key.trim() !== key) return "has leading or trailing whitespace (a newline from the file or variable it was read from?)"
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i)
    // Clerk's keys are visible ASCII: anything else is either refused by fetch (and quoted in
    // its TypeError) or sent as a key that can only ever be a 401.
    if (code < 0x21 || code > 0x7e) {
      return `contains ${describeChar(code)} at position ${i + 1} (Clerk secret keys are visible ASCII, without spaces)`
    }
  }
  return undefined
}

const describeChar = (code: number): string => {
  if (code === 0x0d || code === 0x0a) return "a line break (CR or LF)"
  if (code === 0) return "a NUL character"
  if (code === 0x20 || code === 0x09) return "a space or tab"
  if (code < 0x20 || code === 0x7f) return "a control character"
  return "a non-ASCII character"
}

// 127.0.0.0/8 as the URL parser writes it, `localhost`, and IPv6 `[::1]`.
const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/** A value worth quoting in a message: short, and with no `@` that could introduce a password. */
const quoted = (value: string): string =>
  value.includes("@") ? "" : `, got ${JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value)}`

/** Why `apiUrl` is not a usable base URL, or `undefined` if it is. */
export const apiUrlProblem = (apiUrl: unknown, allowInsecureHttp: boolean): string | undefined => {
  if (typeof apiUrl !== "string") return `must be a string, got ${typeof apiUrl}`
  const trimmed = apiUrl.trim()
  if (trimmed.length === 0) return "is empty (expected an absolute URL like https://api.clerk.com)"
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    const hint = /^[\w.-]+(:\d+)?(\/.*)?$/.test(trimmed) ? " (is https:// missing?)" : ""
    return `is not an absolute URL like https://api.clerk.com${hint}${quoted(trimmed)}`
  }
  if (url.username !== "" || url.password !== "") {
    return "must not contain credentials (user:password@): the secret key is the only credential sent"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `must be an https:// URL, got the scheme ${JSON.stringify(url.protocol)}`
  }
  if (url.search !== "" || url.hash !== "" || trimmed.endsWith("?") || trimmed.endsWith("#")) {
    return `must not have a query or fragment (the SDK appends /v1 and each route's path)${quoted(trimmed)}`
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopback(url.hostname)) {
    return `uses http:// to ${JSON.stringify(url.hostname)}, which is not a loopback address, so the secret key ` +
      "would travel unencrypted: use https://, or set allowInsecureHttp: true (e.g. for an emulator in another container)"
  }
  return undefined
}

// What fetch accepts in a header value: no CR, LF, NUL or other controls but tab, nothing
// outside Latin-1 (where runtimes disagree).
const badHeaderValue = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/

/** Why `value` cannot be sent as a header value, or `undefined` if it can (or is absent). */
const headerValueProblem = (value: unknown): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "string") return `must be a string, got ${typeof value}`
  if (value.trim().length === 0) return "is empty"
  if (badHeaderValue.test(value)) return "is not a valid HTTP header value (control characters or non-Latin-1 characters)"
  return undefined
}

/** A duration option in milliseconds, or why it is not one (`undefined` when absent). */
const millisOf = (input: unknown): number | string | undefined => {
  if (input === undefined) return undefined
  try {
    const millis = Duration.toMillis(toDuration(input as DurationInput))
    return Number.isFinite(millis) && millis >= 0 ? millis : "is not a finite duration"
  } catch {
    return "is not a duration"
  }
}

/**
 * Why a `rateLimit` policy is refused, or `undefined`: the limit an integer of 1 to 10,000,
 * `window` more than 0 and `maxWait` at most 5 minutes (what the rate-limit Durable Object
 * accepts; a Worker should not hold a request open longer).
 */
export const rateLimitProblem = (rateLimit: unknown): string | undefined => {
  if (rateLimit === undefined || typeof rateLimit === "boolean") return undefined
  if (typeof rateLimit !== "object" || rateLimit === null) return "must be true, false or a policy object"
  const { limit, maxWait, window } = rateLimit as Record<string, unknown>
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_LIMIT)) {
    return `limit must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`
  }
  const windowMillis = millisOf(window)
  if (typeof windowMillis === "string") return `window ${windowMillis}`
  if (windowMillis !== undefined && (windowMillis <= 0 || windowMillis > MAX_WINDOW_MILLIS)) {
    return `window must be more than 0 and at most 5 minutes, got ${windowMillis} ms`
  }
  const waitMillis = millisOf(maxWait)
  if (typeof waitMillis === "string") return `maxWait ${waitMillis}`
  if (waitMillis !== undefined && waitMillis > MAX_WAIT_MILLIS) return `maxWait must be at most 5 minutes, got ${waitMillis} ms`
  return undefined
}

/** The options a layer refuses, in the order they are listed (empty when all are usable). */
export const optionProblems = (options: {
  readonly secretKey: unknown
  readonly apiUrl?: unknown
  readonly apiVersion?: unknown
  readonly userAgent?: unknown
  readonly allowInsecureHttp?: boolean | undefined
  readonly rateLimit?: unknown
}, defaultApiUrl: string): ReadonlyArray<OptionProblem> => {
  const problems: Array<OptionProblem> = []
  const keyProblem = !Redacted.isRedacted(options.secretKey)
    ? "must be a Redacted<string> (Redacted.make(\"sk_…\"))"
    : secretKeyProblem(Redacted.value(options.secretKey))
  if (keyProblem !== undefined) problems.push({ option: "secretKey", reason: keyProblem })
  const urlProblem = apiUrlProblem(options.apiUrl ?? defaultApiUrl, options.allowInsecureHttp === true)
  if (urlProblem !== undefined) problems.push({ option: "apiUrl", reason: urlProblem })
  const versionProblem = headerValueProblem(options.apiVersion)
  if (versionProblem !== undefined) problems.push({ option: "apiVersion", reason: versionProblem })
  const agentProblem = headerValueProblem(options.userAgent)
  if (agentProblem !== undefined) problems.push({ option: "userAgent", reason: agentProblem })
  const limitProblem = rateLimitProblem(options.rateLimit)
  if (limitProblem !== undefined) problems.push({ option: "rateLimit", reason: limitProblem })
  return problems
}
