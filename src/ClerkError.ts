/**
 * Every failure effect-clerk can produce, as `Schema.TaggedError` classes you can
 * `Effect.catchTag` on. HTTP failures carry the status, all of Clerk's `errors[]` and the
 * trace id; non-HTTP failures say what went wrong without ever carrying a secret.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { DurationValue, UnknownRecord } from "#line/Models"

/**
 * One entry of Clerk's `errors[]` array (`ClerkError` in the OpenAPI spec), camelCased.
 *
 * @since 0.1.0
 */
export class ClerkApiError extends Schema.Class<ClerkApiError>("ClerkApiError")({
  code: Schema.String,
  message: Schema.String,
  longMessage: Schema.optional(Schema.String),
  meta: Schema.optional(UnknownRecord)
}) {}

const httpFields = {
  /** The HTTP status Clerk answered with. */
  status: Schema.Number,
  /** Every entry of Clerk's `errors[]` (empty when the body was not Clerk's JSON). */
  errors: Schema.Array(ClerkApiError),
  /** `clerk_trace_id` from the body, else the `x-clerk-trace-id` or `cf-ray` header. */
  clerkTraceId: Schema.optional(Schema.String)
}

interface HttpFailure {
  readonly status: number
  readonly errors: ReadonlyArray<ClerkApiError>
  readonly clerkTraceId?: string | undefined
}

const describe = (label: string, self: HttpFailure): string => {
  const first = self.errors[0]
  const detail = first === undefined
    ? ""
    : `: ${first.code}: ${first.longMessage ?? first.message}` +
      (self.errors.length > 1 ? ` (+${self.errors.length - 1} more)` : "")
  const trace = self.clerkTraceId === undefined ? "" : ` [trace ${self.clerkTraceId}]`
  return `Clerk ${label} (${self.status})${detail}${trace}`
}

/** 400: the request was malformed (`request_body_invalid`, `bad_request`, …). @since 0.1.0 */
export class ClerkBadRequest extends Schema.TaggedError<ClerkBadRequest>()("ClerkBadRequest", httpFields) {
  override get message() {
    return describe("bad request", this)
  }
}

/** 401: the secret key is missing, invalid or for another instance (`clerk_key_invalid`, …). @since 0.1.0 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()("ClerkUnauthorized", httpFields) {
  override get message() {
    return describe("unauthorized", this)
  }
}

/** 403: the key is valid but not allowed to do this. @since 0.1.0 */
export class ClerkForbidden extends Schema.TaggedError<ClerkForbidden>()("ClerkForbidden", httpFields) {
  override get message() {
    return describe("forbidden", this)
  }
}

/** 404: unknown session, user or JWT template (`resource_not_found`). @since 0.1.0 */
export class ClerkNotFound extends Schema.TaggedError<ClerkNotFound>()("ClerkNotFound", httpFields) {
  override get message() {
    return describe("not found", this)
  }
}

/** 409: conflicting state (e.g. `session_creation_not_allowed`). @since 0.1.0 */
export class ClerkConflict extends Schema.TaggedError<ClerkConflict>()("ClerkConflict", httpFields) {
  override get message() {
    return describe("conflict", this)
  }
}

/** 410: the endpoint is gone (`operation_deprecated`, the verify endpoint). @since 0.1.0 */
export class ClerkGone extends Schema.TaggedError<ClerkGone>()("ClerkGone", httpFields) {
  override get message() {
    return describe("gone", this)
  }
}

/** 422: a parameter Clerk rejected (`form_param_value_invalid`, …). @since 0.1.0 */
export class ClerkUnprocessableEntity
  extends Schema.TaggedError<ClerkUnprocessableEntity>()("ClerkUnprocessableEntity", httpFields)
{
  override get message() {
    return describe("unprocessable entity", this)
  }
}

/**
 * 429: the instance is rate limited. `retryAfter` is Clerk's `Retry-After` (seconds or an
 * HTTP-date) when it sent one. Safe operations retry it automatically unless it is longer
 * than the client's cap.
 *
 * @since 0.1.0
 */
export class ClerkRateLimited extends Schema.TaggedError<ClerkRateLimited>()("ClerkRateLimited", {
  ...httpFields,
  retryAfter: Schema.optional(DurationValue)
}) {
  override get message() {
    const wait = this.retryAfter === undefined ? "" : ` retry after ${Duration.format(this.retryAfter)}`
    return describe("rate limited", this) + wait
  }
}

/** 5xx: Clerk (or a proxy in front of it) failed. @since 0.1.0 */
export class ClerkServerError extends Schema.TaggedError<ClerkServerError>()("ClerkServerError", httpFields) {
  override get message() {
    return describe("server error", this)
  }
}

/** Any status the operation does not declare (and that is not 429 or 5xx). @since 0.1.0 */
export class ClerkUnexpectedStatus
  extends Schema.TaggedError<ClerkUnexpectedStatus>()("ClerkUnexpectedStatus", httpFields)
{
  override get message() {
    return describe("unexpected status", this)
  }
}

/**
 * The request never got an HTTP answer: DNS, connection refused or reset, a body cut off
 * mid-stream. `cause` is the runtime's own error (never the request, so never the key).
 *
 * @since 0.1.0
 */
export class ClerkTransportError extends Schema.TaggedError<ClerkTransportError>()("ClerkTransportError", {
  method: Schema.String,
  path: Schema.String,
  reason: Schema.String,
  /** The API's host (and port): where the request went. Never the key. */
  host: Schema.optional(Schema.String),
  /** What the runtime said: its error code (ECONNREFUSED, ENOTFOUND, …) or short message ("fetch failed"). */
  code: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Unknown)
}) {
  override get message() {
    const where = this.host === undefined ? "" : ` to ${this.host}`
    const what = this.code === undefined || this.code === this.reason ? this.reason : `${this.reason}, ${this.code}`
    return `Clerk transport error (${this.method} ${this.path}${where}): ${what}`
  }
}

/** One attempt took longer than the client's `timeout`. @since 0.1.0 */
export class ClerkTimeout extends Schema.TaggedError<ClerkTimeout>()("ClerkTimeout", {
  method: Schema.String,
  path: Schema.String,
  timeout: DurationValue
}) {
  override get message() {
    return `Clerk request timed out after ${Duration.format(this.timeout)} (${this.method} ${this.path})`
  }
}

/**
 * A 2xx body that is not what the spec says (wrong shape, truncated or not JSON). `issues`
 * names the paths and expectations, never the values (which may be secrets or PII).
 *
 * @since 0.1.0
 */
export class ClerkDecodeError extends Schema.TaggedError<ClerkDecodeError>()("ClerkDecodeError", {
  method: Schema.String,
  path: Schema.String,
  status: Schema.Number,
  issues: Schema.String
}) {
  override get message() {
    return `Clerk response could not be decoded (${this.method} ${this.path}, ${this.status}): ${this.issues}`
  }
}

/**
 * Input rejected before anything was sent: `field` names the parameter, `reason` says why.
 *
 * @since 0.1.0
 */
export class ClerkInvalidInput extends Schema.TaggedError<ClerkInvalidInput>()("ClerkInvalidInput", {
  operation: Schema.String,
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid input to ${this.operation}: ${this.field} ${this.reason}`
  }
}

/** Failures every operation can produce, whatever the spec declares. @since 0.1.0 */
export type ClerkCommonError =
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus
  | ClerkTransportError
  | ClerkTimeout
  | ClerkDecodeError
  | ClerkInvalidInput

/** Every HTTP-status error class, by tag. @since 0.1.0 */
export type ClerkHttpError =
  | ClerkBadRequest
  | ClerkUnauthorized
  | ClerkForbidden
  | ClerkNotFound
  | ClerkConflict
  | ClerkGone
  | ClerkUnprocessableEntity
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus

/** Any error a `Sessions` operation can fail with. @since 0.1.0 */
export type ClerkError = ClerkHttpError | ClerkTransportError | ClerkTimeout | ClerkDecodeError | ClerkInvalidInput
