/**
 * Every failure effect-clerk can produce, as `Schema.TaggedError` classes you can
 * `Effect.catchTag` on. HTTP failures carry the status, all of Clerk's `errors[]` and the
 * trace id; non-HTTP failures say what went wrong without ever carrying a secret.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { DurationValue, Literals, Union, UnknownRecord } from "#line/Models"

/**
 * One entry of Clerk's `errors[]` array (`ClerkError` in the OpenAPI spec), camelCased:
 * `code` (`resource_not_found`, `form_param_value_invalid`, …), `message`, `longMessage` and
 * `meta` (e.g. `{ param_name }` for a parameter error). Every HTTP-status error carries all
 * of them as `errors`.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { type ClerkApiError, Sessions } from "effect-clerk"
 *
 * const explain = (errors: ReadonlyArray<ClerkApiError>) =>
 *   errors.map((e) => `${e.code}: ${e.longMessage ?? e.message}`).join("; ")
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_missing")).pipe(
 *   // "resource_not_found: No session was found with id sess_missing"
 *   Effect.catchTag("ClerkNotFound", (e) => Console.error(explain(e.errors)))
 * )
 * ```
 *
 * @category models
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

/**
 * 400: the request was malformed (`request_body_invalid`, `bad_request`, …). Declared by
 * `getSessionList`, `getSession`, `revokeSession`, `verifySession`, `createSession` and
 * `refreshSession`; never retried.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // POST /v1/sessions is for testing instances: with a production key Clerk answers 400.
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.createSession({ userId: "user_123" })).pipe(
 *   Effect.catchTag("ClerkBadRequest", (e) =>
 *     Console.error(`${e.status} ${e.errors[0]?.code}: ${e.errors[0]?.longMessage} [trace ${e.clerkTraceId}]`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkBadRequest extends Schema.TaggedError<ClerkBadRequest>()("ClerkBadRequest", httpFields) {
  override get message() {
    return describe("bad request", this)
  }
}

/**
 * 401: the secret key is missing, invalid or for another instance (`clerk_key_invalid`, …);
 * from `refreshSession`, also a refresh Clerk refused (its code says why). Every operation
 * declares it; never retried.
 *
 * @example
 * ```ts
 * import { Console, Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * const SessionsLive = Sessions.layer.pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_revoked") }))
 * )
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // A wrong key: "clerk_key_invalid".
 *   Effect.catchTag("ClerkUnauthorized", (e) => Console.error(`check CLERK_SECRET_KEY (${e.errors[0]?.code})`)),
 *   Effect.provide(SessionsLive)
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()("ClerkUnauthorized", httpFields) {
  override get message() {
    return describe("unauthorized", this)
  }
}

/**
 * 403: the key is valid but not allowed to do this. Only a request that declares 403
 * fails with it (through `ClerkClient`'s `request`): no `Sessions` operation does, so there a
 * 403 is `ClerkUnexpectedStatus`.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { ClerkClient } from "effect-clerk"
 *
 * // An endpoint the SDK does not wrap, declaring 403.
 * const getJson = (path: string) =>
 *   Effect.flatMap(ClerkClient, (client) =>
 *     client.request({ method: "GET", path, idempotent: true }, (body) => ({ ok: true as const, value: body }), new Set([403 as const])))
 *
 * const program = getJson("/organizations/org_123").pipe(
 *   Effect.catchTag("ClerkForbidden", (e) => Console.error(`forbidden: ${e.errors[0]?.code} [trace ${e.clerkTraceId}]`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkForbidden extends Schema.TaggedError<ClerkForbidden>()("ClerkForbidden", httpFields) {
  override get message() {
    return describe("forbidden", this)
  }
}

/**
 * 404: unknown session, user, organization or JWT template (`resource_not_found`); token
 * minting also answers it for a session that is no longer active. Never retried.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // An unknown session id as Option.none() rather than a failure.
 * const findSession = (sessionId: string) =>
 *   Effect.flatMap(Sessions, (sessions) => sessions.getSession(sessionId)).pipe(
 *     Effect.map(Option.some),
 *     Effect.catchTag("ClerkNotFound", (e) =>
 *       Effect.as(Effect.logDebug(`${e.errors[0]?.code}: ${e.errors[0]?.longMessage}`), Option.none()))
 *   )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkNotFound extends Schema.TaggedError<ClerkNotFound>()("ClerkNotFound", httpFields) {
  override get message() {
    return describe("not found", this)
  }
}

/**
 * 409: conflicting state (e.g. `session_creation_not_allowed`). Only a request that
 * declares 409 fails with it (through `ClerkClient`'s `request`): no `Sessions` operation
 * does, so there a 409 is `ClerkUnexpectedStatus`.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { ClerkClient } from "effect-clerk"
 *
 * // A POST to an endpoint the SDK does not wrap, declaring 409 (never re-sent: not idempotent).
 * const post = (path: string, body: unknown) =>
 *   Effect.flatMap(ClerkClient, (client) =>
 *     client.request({ method: "POST", path, body, idempotent: false }, (json) => ({ ok: true as const, value: json }), new Set([409 as const])))
 *
 * const create = (path: string, body: unknown) =>
 *   post(path, body).pipe(
 *     Effect.catchTag("ClerkConflict", (e) => Console.error(`conflict: ${e.errors.map((x) => x.code).join(", ")}`))
 *   )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkConflict extends Schema.TaggedError<ClerkConflict>()("ClerkConflict", httpFields) {
  override get message() {
    return describe("conflict", this)
  }
}

/**
 * 410: the endpoint is gone (`operation_deprecated`): what Clerk answers
 * `verifySession`, the deprecated `POST /v1/sessions/{id}/verify`. Verify session tokens
 * locally with `TokenVerifier` instead.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.verifySession("sess_123", { token: "eyJ..." })).pipe(
 *   // "410 operation_deprecated": move to TokenVerifier.
 *   Effect.catchTag("ClerkGone", (e) => Console.warn(`${e.status} ${e.errors[0]?.code}`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkGone extends Schema.TaggedError<ClerkGone>()("ClerkGone", httpFields) {
  override get message() {
    return describe("gone", this)
  }
}

/**
 * 422: a parameter Clerk rejected (`form_param_value_invalid`, `form_param_missing`, …);
 * `meta.param_name` names it. Declared by `getSessionList` and `createSession`.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * const program = Effect.flatMap(Sessions, (sessions) =>
 *   sessions.createSession({ userId: "user_123", activeOrganizationId: "org_456" })
 * ).pipe(
 *   // The user is not a member: "form_param_value_invalid on active_organization_id".
 *   Effect.catchTag("ClerkUnprocessableEntity", (e) =>
 *     Console.error(`${e.errors[0]?.code} on ${String(e.errors[0]?.meta?.param_name)}`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
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
 * than the client's cap. With the client's `rateLimit` option it is also the request budget
 * spent (nothing was sent: `status` 0, code `rate_limit_budget_exhausted`, `retryAfter` the
 * wait for a slot).
 *
 * @example
 * ```ts
 * import { Console, Duration, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // What is left after the automatic retries: a Retry-After over `maxRetryAfter`, the
 * // retries spent, or a spent `rateLimit` budget.
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSessionList({ userId: "user_123" })).pipe(
 *   Effect.catchTag("ClerkRateLimited", (e) =>
 *     // e.g. "429 too_many_requests, retry after 1m"
 *     Console.error(`${e.status} ${e.errors[0]?.code}, retry after ${e.retryAfter === undefined ? "?" : Duration.format(e.retryAfter)}`))
 * )
 * ```
 *
 * @category errors
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

/**
 * 5xx: Clerk (or a proxy in front of it) failed; an HTML error page too (`errors` is then
 * empty). Safe operations retry 502, 503 and 504 first.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // e.g. "Clerk answered 500 (internal_clerk_error) [trace 245c9b…]"
 *   Effect.catchTag("ClerkServerError", (e) =>
 *     Console.error(`Clerk answered ${e.status} (${e.errors[0]?.code ?? "no Clerk body"}) [trace ${e.clerkTraceId}]`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkServerError extends Schema.TaggedError<ClerkServerError>()("ClerkServerError", httpFields) {
  override get message() {
    return describe("server error", this)
  }
}

/**
 * Any status the operation does not declare (and that is not 429 or 5xx), with the same
 * fields as the declared ones, so an operation's error type lists only what its spec says.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * // getSession declares 400, 401 and 404: a 403 arrives as ClerkUnexpectedStatus.
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   Effect.catchTag("ClerkUnexpectedStatus", (e) =>
 *     Console.error(`unexpected ${e.status}: ${e.errors[0]?.code ?? "no Clerk body"} [trace ${e.clerkTraceId}]`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
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
 * Safe operations retry it first.
 *
 * @example
 * ```ts
 * import { Console, Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * // Nothing listens on that port (and no retries, to fail at once).
 * const SessionsLive = Sessions.layer.pipe(Layer.provide(
 *   ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_..."), apiUrl: "http://127.0.0.1:4010", retry: false })
 * ))
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // "GET /sessions/sess_123 to 127.0.0.1:4010: Transport (ECONNREFUSED)"
 *   Effect.catchTag("ClerkTransportError", (e) => Console.error(`${e.method} ${e.path} to ${e.host}: ${e.reason} (${e.code})`)),
 *   Effect.provide(SessionsLive)
 * )
 * ```
 *
 * @category errors
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

/**
 * One attempt took longer than the client's `timeout` (default 10 s, reading the body
 * included). Safe operations retry it first.
 *
 * @example
 * ```ts
 * import { Console, Duration, Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * const SessionsLive = Sessions.layer.pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_..."), timeout: "2 seconds" }))
 * )
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // "GET /sessions/sess_123 took over 2s"
 *   Effect.catchTag("ClerkTimeout", (e) => Console.error(`${e.method} ${e.path} took over ${Duration.format(e.timeout)}`)),
 *   Effect.provide(SessionsLive)
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
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
 * names the paths and expectations, never the values (which may be secrets or PII). Never
 * retried.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   // A 200 that is not a session, e.g. 'GET /sessions/sess_123 (200): ["id"]: is missing'
 *   Effect.catchTag("ClerkDecodeError", (e) => Console.error(`${e.method} ${e.path} (${e.status}): ${e.issues}`))
 * )
 * ```
 *
 * @category errors
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
 * Input rejected before anything was sent: `operation` names the call, `field` the
 * parameter, `reason` says why (an empty or unsafe id, `limit` outside 1..500, …; a secret
 * is never quoted).
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSessionList({ userId: "user_123", limit: 1000 })).pipe(
 *   // "getSessionList: limit must be in 1..500, got 1000"
 *   Effect.catchTag("ClerkInvalidInput", (e) => Console.error(`${e.operation}: ${e.field} ${e.reason}`))
 * )
 * ```
 *
 * @category errors
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

/**
 * Failures every operation can produce, whatever the spec declares: a 429, a 5xx, an
 * undeclared status, no HTTP answer, a timeout, an undecodable body, refused input.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type ClerkCommonError, Sessions } from "effect-clerk"
 *
 * const toHttpStatus = (error: ClerkCommonError): number =>
 *   error._tag === "ClerkInvalidInput" ? 400 : error._tag === "ClerkRateLimited" ? 429 : 502
 *
 * // Handle the declared statuses; what is left is exactly ClerkCommonError.
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.getSession("sess_123")).pipe(
 *   Effect.map((session) => session.status),
 *   Effect.catchTags({
 *     ClerkNotFound: () => Effect.succeed("unknown"),
 *     ClerkBadRequest: () => Effect.succeed("unknown"),
 *     ClerkUnauthorized: () => Effect.die("check CLERK_SECRET_KEY")
 *   }),
 *   Effect.mapError(toHttpStatus)
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type ClerkCommonError =
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus
  | ClerkTransportError
  | ClerkTimeout
  | ClerkDecodeError
  | ClerkInvalidInput

/**
 * Every HTTP-status error class, by tag: all carry `status`, Clerk's `errors[]` and
 * `clerkTraceId`.
 *
 * @example
 * ```ts
 * import type { ClerkHttpError } from "effect-clerk"
 *
 * // One log line for any HTTP-status error, e.g.
 * // "ClerkNotFound 404 resource_not_found [trace d21b80…]"
 * const logLine = (error: ClerkHttpError): string =>
 *   `${error._tag} ${error.status} ${error.errors.map((e) => e.code).join(",")} [trace ${error.clerkTraceId ?? "-"}]`
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
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

/**
 * Any error a `Sessions` operation can fail with: the HTTP-status errors and the ones
 * without an HTTP answer. Each has a `_tag` and a readable `message` that never holds the
 * secret key.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { type ClerkError, Sessions } from "effect-clerk"
 *
 * // e.g. "[ClerkNotFound] Clerk not found (404): resource_not_found: No session was found with id sess_123 [trace …]"
 * const report = (error: ClerkError) => Console.error(`[${error._tag}] ${error.message}`)
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.revokeSession("sess_123")).pipe(
 *   Effect.tapError(report)
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type ClerkError = ClerkHttpError | ClerkTransportError | ClerkTimeout | ClerkDecodeError | ClerkInvalidInput

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
