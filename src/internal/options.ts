/**
 * The checks `ClerkClient`'s layers run on their options when they are built, so that a
 * wrong URL or key is refused with a message naming the option, not found on the first call
 * as `InvalidUrl` or a 401. A secret is never quoted; a URL is only quoted when it cannot
 * carry a password.
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import { type DurationInput, toDuration } from "#line/Kernel"
import { MAX_LIMIT, MAX_WAIT_MILLIS, MAX_WINDOW_MILLIS } from "./budget.js"

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
