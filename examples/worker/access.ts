/**
 * What the example Worker's JSON API and its page share: who a request acts for (a session
 * token verified by `TokenVerifier`), whose sessions they may touch, the same-origin check on
 * every POST, and how a Clerk failure reads.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import {
  type ClerkError,
  type ClerkTokenInvalid,
  type ClerkTokenMissing,
  type SessionClaims,
  Sessions,
  TokenVerifier
} from "effect-clerk"
import { ServerRequest } from "./http.js"
import { Service } from "./line.js"

/**
 * Who a request acts for. The routes let a caller see and act on their own sessions only.
 * `Access.sessionToken` requires a valid Clerk session token (`Authorization: Bearer` or the
 * `__session` cookie), verified locally by `TokenVerifier`; `Access.open` lets every caller
 * through (for a Worker behind your own authentication).
 */
export class Access extends Service<Access, {
  /** The caller's verified claims, or `undefined` when the routes are open. */
  readonly claims: Effect.Effect<
    SessionClaims | undefined,
    ClerkTokenMissing | ClerkTokenInvalid,
    ServerRequest
  >
  /** Added to the 401 for a request without a token: how to get one (the demo sets it). */
  readonly tokenHint: string | undefined
}>()("example/Access") {
  /** No checks: anyone who can reach the Worker may act on any session. */
  static readonly open = Access.of({ claims: Effect.succeed(undefined), tokenHint: undefined })

  /** A verified session token is required; its `sub` is the caller. */
  static readonly sessionToken = (options: { readonly tokenHint?: string | undefined } = {}): Layer.Layer<
    Access,
    never,
    TokenVerifier
  > =>
    Layer.effect(
      Access,
      Effect.map(TokenVerifier, (verifier) =>
        Access.of({
          claims: Effect.flatMap(ServerRequest, ({ request }) => verifier.authenticateRequest(request)),
          tokenHint: options.tokenHint
        }))
    )
}

/** The caller's user id (`sub`), or `undefined` when the routes are open. */
export const caller = Effect.flatMap(Access, (access) => Effect.map(access.claims, (claims) => claims?.sub))

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

/**
 * Whether a request was sent by a browser from another origin: `Sec-Fetch-Site` when the
 * browser sends it (only `same-origin` and `none`, a typed URL, are ours), else `Origin`
 * against the request's own. A request with neither comes from no browser (curl, a server)
 * and cannot carry a victim's cookie. The same rule as Go's `http.CrossOriginProtection`.
 */
export const isCrossOrigin = (request: Request) => {
  const site = request.headers.get("sec-fetch-site")
  if (site !== null) return site !== "same-origin" && site !== "none"
  const origin = request.headers.get("origin")
  return origin !== null && origin !== new URL(request.url).origin
}

const firstCode = (error: { readonly errors: ReadonlyArray<{ readonly code: string }> }, fallback: string) =>
  error.errors[0]?.code ?? fallback

/** A failure's HTTP status, code, message and headers: what the JSON API and the page both answer. */
export interface Failure {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly headers?: Record<string, string> | undefined
}

const problem = (status: number, code: string, message: string, headers?: Record<string, string>): Failure => ({
  status,
  code,
  message,
  ...(headers ? { headers } : {})
})

/**
 * How a Clerk failure reads to callers. Clerk's own 4xx about the resource pass through
 * with Clerk's code; failures of our configuration or of Clerk are 5xx.
 */
export const clerkFailure = (error: ClerkError): Failure => {
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

