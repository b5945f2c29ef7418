/**
 * Clerk's wire bodies: the `ClerkErrors` envelope with the codes and messages of Clerk's
 * error catalogue (Clerk docs data/api_errors.json; samples in test/fixtures/clerk), and the
 * internal failure type route handlers fail with.
 */
import * as Data from "effect/Data"
import { randomHex } from "./ids.js"

/** One entry of `errors[]` exactly as on the wire. */
export interface WireError {
  readonly message: string
  readonly long_message: string
  readonly code: string
  readonly meta?: Record<string, unknown>
}

/** A handler's non-2xx answer: status, Clerk's `errors[]`, extra headers. */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly errors: ReadonlyArray<WireError>
  readonly headers?: Record<string, string>
}> {}

/** `{ errors, clerk_trace_id }`, with a fresh trace id like every real Clerk error. */
export const errorBody = (errors: ReadonlyArray<WireError>) => ({ errors, clerk_trace_id: randomHex(16) })

const fail = (status: number, error: WireError) => new ApiFailure({ status, errors: [error] })

export const sessionNotFound = (id: string) =>
  fail(404, { message: "Session not found", long_message: `No session was found with id ${id}`, code: "resource_not_found" })

export const templateNotFound = (name: string) =>
  fail(404, {
    message: "JWT template not found",
    long_message: `No JWT template exists with name: ${name}`,
    code: "resource_not_found"
  })

export const userNotFound = (id: string) =>
  fail(404, { message: "User not found", long_message: `No user was found with id ${id}`, code: "resource_not_found" })

export const organizationNotFound = (id: string) =>
  fail(404, {
    message: "Organization not found",
    long_message: `No organization was found with id ${id}`,
    code: "resource_not_found"
  })

export const routeNotFound = (method: string, path: string) =>
  fail(404, {
    message: "not found",
    long_message: `${method} ${path} is not a Clerk Backend API endpoint (the emulator serves /v1/sessions* and /v1/jwks)`,
    code: "resource_not_found"
  })

/** Sample `error_401_invalid_secret_key`, verbatim apart from the trace id. */
export const secretKeyInvalid = () =>
  fail(401, {
    message: "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
    long_message: "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
    code: "clerk_key_invalid"
  })

export const authorizationMissing = () =>
  fail(401, {
    message: "Invalid authentication",
    long_message:
      "The request carries no Authorization header. Send your Clerk Secret Key as Authorization: Bearer sk_…",
    code: "authentication_invalid"
  })

export const authorizationFormatInvalid = () =>
  fail(401, {
    message: "Invalid Authorization header format",
    long_message: "The Authorization header must be of the form Bearer <Clerk Secret Key>.",
    code: "authorization_header_format_invalid"
  })

/** Sample `error_410_verify_deprecated` (without the `status` key the Ruby SDK probably added). */
export const verifyDeprecated = () =>
  fail(410, {
    message: "endpoint is deprecated and pending removal",
    long_message:
      "This endpoint is deprecated and will be removed in future versions. We strongly recommend switching to networkless verification using short-lived session tokens, which is implemented transparently in all recent SDK versions (e.g. NodeJS SDK https://clerk.com/docs/backend-requests/handling/nodejs#clerk-express-require-auth). For more details on how networkless verification works, refer to our Session Tokens documentation https://clerk.com/docs/backend-requests/resources/session-tokens.",
    code: "operation_deprecated"
  })

export const requestBodyInvalid = (detail: string) =>
  fail(400, { message: "Request body invalid", long_message: `The request body is invalid: ${detail}`, code: "request_body_invalid" })

/** A parameter problem: `form_param_missing|_unknown|_type_invalid|_value_invalid`, `meta.param_name`. */
export const paramError = (
  status: 400 | 422,
  kind: "missing" | "unknown" | "type_invalid" | "value_invalid",
  param: string,
  longMessage: string
) =>
  fail(status, {
    message: kind === "missing"
      ? "missing parameter"
      : kind === "unknown"
      ? "is unknown"
      : kind === "type_invalid"
      ? "is of the wrong type"
      : "is invalid",
    long_message: longMessage,
    code: `form_param_${kind}`,
    meta: { param_name: param }
  })

export const invalidSessionToken = () =>
  fail(400, {
    message: "Invalid session token",
    long_message: "The token provided could not be successfully verified",
    code: "invalid_session_token"
  })

/** A refresh 401 with one of Clerk's `session_refresh` codes (as the real API answers a refresh). */
export const refreshUnauthorized = (code: string, longMessage: string) =>
  fail(401, { message: "Session refresh failed", long_message: longMessage, code })

/** The body of `Fault.rateLimited` (sample `error_429_rate_limited`). */
export const tooManyRequestsErrors: ReadonlyArray<WireError> = [
  { message: "Too many requests", long_message: "Too many requests, retry later", code: "too_many_requests" }
]

/** The body of `Fault.status(5xx)`. */
export const serverErrors = (status: number): ReadonlyArray<WireError> => [
  status === 500
    ? {
      message: "Oops, an unexpected error occurred",
      long_message: "There was an internal error on our servers. We've been notified and are working on fixing it.",
      code: "internal_clerk_error"
    }
    : {
      message: "Service unavailable",
      long_message: `The service answered ${status}; please retry later.`,
      code: "service_unavailable"
    }
]
