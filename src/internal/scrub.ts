/**
 * Scrubbing the runtime's error before it becomes `ClerkTransportError.cause`. Runtimes
 * quote a refused header value in their TypeError (`Headers.append: "Bearer sk_…" is an
 * invalid header value`), and a custom fetch may put anything in its errors; whatever the
 * cause chain says ends up in `inspect`, `console.error`, `Cause.pretty` and log lines.
 *
 * The cause is never kept as it is: a wrapper's error may carry the request's options (its
 * headers, `Authorization: Bearer sk_…`) in properties that `inspect` and `JSON.stringify`
 * print, as objects, `Headers` or getters no text check can see. The chain is rebuilt from
 * each link's name, message and `code` only, as plain errors; a message that could carry a
 * header value (it mentions a header, `Bearer` or `Authorization`, or contains the key,
 * whole, escaped or its first characters) is replaced by a fixed one.
 */

const MAX_DEPTH = 8

export const SCRUBBED_MESSAGE = "(the runtime's message was removed: it may quote a request header, such as the secret key)"

const risky = /header|bearer|authori[sz]ation/i

/** The strings whose presence in an error's text means it may carry the key. */
export const secretNeedles = (secret: string): ReadonlyArray<string> => {
  const needles = new Set<string>([secret, JSON.stringify(secret).slice(1, -1)])
  if (secret.length >= 12) needles.add(secret.slice(0, 12))
  return [...needles].filter((needle) => needle.length > 0)
}

/** The text an error shows: its name, message, stack and own string properties. */
const textOf = (value: unknown): string => {
  if (typeof value === "string") return value
  if (typeof value !== "object" || value === null) return String(value)
  const parts: Array<string> = []
  try {
    const record = value as Record<string, unknown>
    for (const key of ["name", "message", "stack"]) {
      if (typeof record[key] === "string") parts.push(record[key] as string)
    }
    for (const key of Object.keys(record)) {
      if (typeof record[key] === "string") parts.push(record[key] as string)
    }
    if (!(value instanceof Error)) parts.push(String(value))
  } catch {
    parts.push("header")
  }
  return parts.join("\n")
}

const isRisky = (value: unknown, needles: ReadonlyArray<string>): boolean => {
  const text = textOf(value)
  return risky.test(text) || needles.some((needle) => text.includes(needle))
}

/** A plain copy of one link: the same name, its message unless risky, a short `code`, its scrubbed cause. */
const rebuild = (value: unknown, needles: ReadonlyArray<string>, depth: number): unknown => {
  try {
    return rebuildLink(value, needles, depth)
  } catch {
    // A getter that throws: nothing of it is kept.
    return new Error(SCRUBBED_MESSAGE)
  }
}

const rebuildLink = (value: unknown, needles: ReadonlyArray<string>, depth: number): unknown => {
  if (typeof value === "string") return isRisky(value, needles) ? SCRUBBED_MESSAGE : value
  const record = typeof value === "object" && value !== null ? value as Record<string, unknown> : {}
  const name = typeof record.name === "string" && /^[\w$.]{1,64}$/.test(record.name) ? record.name : "Error"
  const keep = depth < MAX_DEPTH && !isRisky(value, needles) && typeof record.message === "string"
  // The chain is followed through `cause`; an AggregateError's `errors` are dropped.
  const Make = name === "TypeError" ? TypeError : name === "RangeError" ? RangeError : Error
  const error = new Make(
    keep ? record.message as string : SCRUBBED_MESSAGE,
    record.cause !== undefined && depth < MAX_DEPTH ? { cause: rebuild(record.cause, needles, depth + 1) } : undefined
  )
  error.name = name
  // Node's `code` (ECONNREFUSED, UND_ERR_…) is what users branch on; it is never a header value.
  if (typeof record.code === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(record.code)) {
    ;(error as Error & { code?: string }).code = record.code
  }
  error.stack = `${name}: ${error.message}`
  return error
}

/**
 * A copy of `cause`'s chain with only names, messages and codes, each message that could
 * carry a header value or the key replaced by {@link SCRUBBED_MESSAGE}. A string stays a string.
 */
export const scrubCause = (cause: unknown, needles: ReadonlyArray<string>): unknown => {
  if (cause === undefined) return undefined
  return rebuild(cause, needles, 0)
}
