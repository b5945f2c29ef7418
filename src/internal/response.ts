/**
 * One response handler: an attempt's {@link Exchange} becomes the decoded value or a typed
 * error — HTTP status → typed error, Retry-After parsing, trace id lookup, the body cap, and
 * the value-free description of decode failures.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type DecodeIssues, type DecodeResult, issueList, toDecoded } from "#line/Decode"
import { NumberAsString, optionalNullable, Union, UnknownRecord, wireStruct, withDefault } from "#line/Models"
import { TRUSTED } from "#line/Kernel"
import type { ClerkRequest, ClerkRequestError, DeclaredStatus } from "./request.js"
import { BODY_CAPS, formatBytes } from "./body.js"
import { INVALID_JSON, parseJson } from "./json.js"
import type { Exchange } from "./transport.js"
import { makeUnchecked } from "./unchecked.js"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import {
  ClerkApiError,
  ClerkBadRequest,
  ClerkDecodeError,
  ClerkConflict,
  ClerkForbidden,
  ClerkGone,
  ClerkNotFound,
  ClerkRateLimited,
  ClerkServerError,
  ClerkUnauthorized,
  ClerkUnexpectedStatus,
  ClerkUnprocessableEntity
} from "../ClerkError.js"
import type { ClerkHttpError } from "../ClerkError.js"
import { lazyDecoder } from "./lazy.js"


const statusClasses = {
  400: ClerkBadRequest,
  401: ClerkUnauthorized,
  403: ClerkForbidden,
  404: ClerkNotFound,
  409: ClerkConflict,
  410: ClerkGone,
  422: ClerkUnprocessableEntity
} as const

const WireError = wireStruct({
  code: Union([Schema.String, NumberAsString]),
  message: withDefault(Schema.String, ""),
  longMessage: optionalNullable(Schema.String),
  meta: optionalNullable(UnknownRecord)
}, { longMessage: "long_message" })
// Compiled on the first error body, not at import (start-up time).
const decodeWireError = lazyDecoder(WireError)

/** Clerk's `errors[]`, keeping every entry that has at least a code; tolerant of anything else. */
export const parseErrorBody = (text: string): {
  readonly errors: ReadonlyArray<ClerkApiError>
  readonly traceId: string | undefined
} => {
  const body = text.length === 0 ? undefined : parseJson(text)
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { errors: [], traceId: undefined }
  }
  const record = body as Record<string, unknown>
  const errors: Array<ClerkApiError> = []
  if (Array.isArray(record.errors)) {
    for (const item of record.errors) {
      const decoded = decodeWireError(item)
      if (decoded.ok) {
        const { code, longMessage, message, meta } = decoded.value
        errors.push(
          makeUnchecked(ClerkApiError, {
            code,
            message,
            ...(longMessage !== undefined ? { longMessage } : {}),
            ...(meta !== undefined ? { meta } : {})
          })
        )
      }
    }
  }
  const traceId = typeof record.clerk_trace_id === "string" && record.clerk_trace_id.length > 0
    ? record.clerk_trace_id
    : undefined
  return { errors, traceId }
}

/**
 * `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in the past
 * means "now" (zero); anything unparseable is ignored.
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - nowMillis))
}

export interface ErrorResponse {
  readonly status: number
  readonly text: string
  readonly headers: Readonly<Record<string, string | undefined>>
}

/**
 * Map a non-2xx response to its typed error. Statuses the operation does not declare (other
 * than 429 and 5xx) become `ClerkUnexpectedStatus`, so an operation's error type is honest.
 */
export const toHttpError = (
  response: ErrorResponse,
  declared: ReadonlySet<number>,
  nowMillis: number
): ClerkHttpError => {
  const { errors, traceId } = parseErrorBody(response.text)
  const clerkTraceId = traceId ?? response.headers["x-clerk-trace-id"] ?? response.headers["cf-ray"]
  const fields = { status: response.status, errors, clerkTraceId }
  const status = response.status
  if (status === 429) {
    return makeUnchecked(
      ClerkRateLimited,
      { ...fields, retryAfter: parseRetryAfter(response.headers["retry-after"], nowMillis) }
    )
  }
  if (status >= 500 && status <= 599) return makeUnchecked(ClerkServerError, fields)
  if (declared.has(status)) {
    const Class = statusClasses[status as DeclaredStatus]
    if (Class !== undefined) return makeUnchecked(Class, fields)
  }
  return makeUnchecked(ClerkUnexpectedStatus, fields)
}

/**
 * Describe decode issues (the `issues` of a failed `Decoded`) by path and expectation only:
 * Schema's own messages can quote the actual value, which can be a session token or a
 * user's email.
 */
export const describeParseError = (error: DecodeIssues): string => {
  const issues = issueList(error)
  const lines = issues.slice(0, 5).map((issue) => {
    const path = issue.path.length === 0 ? "body" : issue.path.map((p) => `[${JSON.stringify(p)}]`).join("")
    const message = issue.message
    return `${path}: ${message.length > 200 ? message.slice(0, 200) + "…" : message}`
  })
  if (issues.length > 5) lines.push(`(+${issues.length - 5} more)`)
  return lines.join("; ")
}

/**
 * The value of a 2xx answer, decoded by `decode`, or the typed error of any other: done inside
 * the attempt, so the retry policy sees status errors (a decode error is never retried). Over
 * its cap, an error status is still that status's error (without Clerk's errors[]).
 */
export const handleResponse = <A, S extends DeclaredStatus>(
  spec: ClerkRequest,
  response: Exchange,
  decode: (body: unknown) => DecodeResult<A>,
  declared: ReadonlySet<S>
): Effect.Effect<A, ClerkRequestError<S>> => {
  const { status, text } = response
  const decodeError = (issues: string) =>
    Effect.fail(new ClerkDecodeError({ method: spec.method, path: spec.path, status, issues }, TRUSTED))
  if (response.tooLarge && status >= 200 && status < 300) {
    return decodeError(`response body exceeds ${formatBytes(spec.maxBodyBytes ?? BODY_CAPS.default)} (this route's cap)`)
  }
  if (status < 200 || status >= 300) {
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.fail(toHttpError({ status, text, headers: response.headers() }, declared, now) as ClerkRequestError<S>))
  }
  const json = parseJson(text)
  if (json === INVALID_JSON) return decodeError(text.length === 0 ? "body: empty, expected JSON" : "body: not valid JSON")
  const decoded = toDecoded(decode(json))
  return decoded.ok ? Effect.succeed(decoded.value) : decodeError(describeParseError(decoded.issues))
}
