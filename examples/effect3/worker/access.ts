/**
 * Who a request acts for: the session token (`Authorization: Bearer` or the `__session`
 * cookie), verified locally by `TokenVerifier`, provided to a route as `CurrentSession` by
 * `withSession`, the middleware the routes that need a caller are wrapped in. Also whose
 * sessions a caller may touch, the same-origin rule for POSTs, and how a Clerk failure reads.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type ClerkError, ClerkTokenMissing, type SessionClaims, Sessions, TokenVerifier } from "effect-clerk"
import type { Problem } from "../../common/web.js"

/** The verified claims of the caller's session token (provided by `withSession`). */
export class CurrentSession extends Context.Tag("example/CurrentSession")<CurrentSession, SessionClaims>() {}

const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** The request's session token: `Authorization: Bearer <token>`, else the `__session` cookie. */
export const sessionToken = Effect.map(HttpServerRequest.HttpServerRequest, (request): string | undefined => {
  const match = bearer.exec(request.headers["authorization"] ?? "")
  if (match !== null) return match[1]
  const cookie = request.cookies["__session"]
  return cookie === undefined || cookie === "" ? undefined : cookie
})

/** Read the request's session token and verify it with `TokenVerifier` (no call to Clerk). */
export const authenticate = Effect.gen(function*() {
  const token = yield* sessionToken
  if (token === undefined) return yield* Effect.fail(new ClerkTokenMissing())
  const verifier = yield* TokenVerifier
  return yield* verifier.verify(token)
})

/**
 * The auth middleware: the route runs only for a request with a valid session token, and
 * sees its claims as `CurrentSession`. No token is `ClerkTokenMissing`, a refused one
 * `ClerkTokenInvalid` (the app answers both with a 401).
 */
export const withSession = <A, E, R>(route: Effect.Effect<A, E, R>) =>
  Effect.flatMap(authenticate, (claims) => Effect.provideService(route, CurrentSession, claims))

/** The caller may not act on another user's sessions. */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", {
  message: Schema.String
}) {}

/** The session `id`, if it is `userId`'s: otherwise `AccessDenied` (Clerk's 404 when there is none). */
export const sessionOwnedBy = (id: string, userId: string) =>
  Effect.flatMap(Sessions, (s) => s.getSession(id)).pipe(
    Effect.filterOrFail(
      (session) => session.userId === userId,
      () => new AccessDenied({ message: "This session belongs to another user" })
    )
  )

/** A POST sent from another site (refused before it reaches a route). */
export class CrossOriginRequest extends Schema.TaggedError<CrossOriginRequest>()("CrossOriginRequest", {}) {}

const firstCode = (error: { readonly errors: ReadonlyArray<{ readonly code: string }> }, fallback: string) =>
  error.errors[0]?.code ?? fallback

const problem = (status: number, code: string, message: string, headers?: Record<string, string>): Problem => ({
  status,
  code,
  message,
  ...(headers ? { headers } : {})
})

/**
 * How a Clerk failure reads to callers (the JSON API and the page alike). Clerk's own 4xx
 * about the resource pass through with Clerk's code; failures of our configuration or of
 * Clerk are 5xx.
 */
export const clerkFailure = (error: ClerkError): Problem => {
  switch (error._tag) {
    case "ClerkInvalidInput":
      return problem(400, "invalid_input", error.message)
    case "ClerkBadRequest":
      return problem(400, firstCode(error, "bad_request"), error.message)
    case "ClerkUnprocessableEntity":
      return problem(422, firstCode(error, "unprocessable_entity"), error.message)
    case "ClerkNotFound":
      return problem(404, firstCode(error, "resource_not_found"), error.message)
    case "ClerkConflict":
      return problem(409, firstCode(error, "conflict"), error.message)
    case "ClerkGone":
      return problem(410, firstCode(error, "gone"), error.message)
    case "ClerkUnauthorized":
      // Clerk refused *our* secret key: the caller did nothing wrong.
      return problem(502, "misconfigured_secret_key", "misconfigured secret key: Clerk rejected CLERK_SECRET_KEY")
    case "ClerkForbidden":
      return problem(502, "misconfigured_secret_key", "misconfigured secret key: not allowed to do this")
    case "ClerkRateLimited": {
      const seconds = error.retryAfter === undefined ? 1 : Math.max(1, Math.ceil(Duration.toSeconds(error.retryAfter)))
      return problem(503, "rate_limited", "Clerk is rate limiting this app; retry later", {
        "retry-after": String(seconds)
      })
    }
    case "ClerkTimeout":
      return problem(504, "clerk_timeout", error.message)
    case "ClerkTransportError":
      return problem(502, "clerk_unreachable", error.message)
    case "ClerkUnexpectedStatus":
      // No Sessions endpoint declares 403: Clerk refusing this key a permission lands here.
      if (error.status === 403) {
        return problem(502, "misconfigured_secret_key", "misconfigured secret key: not allowed to do this")
      }
      return problem(502, "clerk_error", error.message)
    case "ClerkServerError":
      return problem(502, "clerk_error", error.message)
    case "ClerkDecodeError":
      return problem(502, "clerk_bad_response", error.message)
  }
}
