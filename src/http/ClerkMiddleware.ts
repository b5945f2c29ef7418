/**
 * Clerk for apps on plain HttpRouter / HttpApp: middleware that reads the request's session
 * token the way Clerk's SDKs do (an `Authorization: Bearer` header, else the `__session`
 * cookie), verifies it with the app's `TokenVerifier` (no network call per request) and
 * provides the signed-in session to the handler. It works from `HttpServerRequest` directly
 * (headers and parsed cookies; no web `Request` is built).
 *
 * - `ClerkMiddleware.required(app)`: the app runs only for a signed-in request and reads
 *   `CurrentSession`; any other request is answered 401 `unauthenticated` with a
 *   machine-readable `reason` and a `WWW-Authenticate: Bearer` header (503
 *   `authentication_unavailable` when the instance's keys cannot be loaded: the request may
 *   be fine, the server cannot tell).
 * - `ClerkMiddleware.optional(app)`: the app always runs and reads `OptionalSession` — a
 *   public page that shows more when signed in. A token that does not verify counts as none.
 *
 * Both wrap any HttpApp (a whole router, or one route's handler). The 401 body carries no
 * token, no internal detail and no stack.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Service } from "#line/Kernel"
import { HttpServerRequest, type HttpServerResponse, jsonResponse } from "#line/HttpServer"
import { type ClerkTokenInvalid, ClerkTokenMissing, type TokenInvalidReason } from "../ClerkError.js"
import { bearerToken, unquote } from "../internal/sessionToken.js"
import { TokenVerifier } from "../TokenVerifier.js"
import { CurrentSession, type SignedInSession } from "./CurrentSession.js"

/**
 * Why a request is not signed in, as the 401's `reason` says it: no token at all, or Clerk's
 * own refusal in a few words.
 *
 * @example
 * ```ts
 * import type { UnauthenticatedReason } from "effect-clerk/http"
 *
 * // A client refreshes its token on these and asks the user to sign in on the rest.
 * const refreshable = (reason: UnauthenticatedReason) => reason === "expired" || reason === "not-yet-valid"
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type UnauthenticatedReason =
  | "missing"
  | "expired"
  | "not-yet-valid"
  | "invalid-signature"
  | "unknown-key"
  | "wrong-issuer"
  | "wrong-authorized-party"
  | "malformed"

const REASONS: Record<Exclude<TokenInvalidReason, "JwkFailedToResolve">, UnauthenticatedReason> = {
  TokenExpired: "expired",
  TokenNotActiveYet: "not-yet-valid",
  TokenIatInTheFuture: "not-yet-valid",
  TokenInvalidSignature: "invalid-signature",
  TokenInvalidAlgorithm: "invalid-signature",
  JwkKidMismatch: "unknown-key",
  TokenInvalidIssuer: "wrong-issuer",
  TokenInvalidAuthorizedParties: "wrong-authorized-party",
  TokenInvalid: "malformed"
}

/**
 * The session of a request under `ClerkMiddleware.optional`: `Some` when it carries a token
 * that verifies, `None` otherwise.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { OptionalSession } from "effect-clerk/http"
 *
 * const greeting = Effect.map(OptionalSession, (session) =>
 *   Option.match(session, { onNone: () => "Hello, guest", onSome: (s) => `Hello, ${s.userId}` }))
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class OptionalSession extends Service<OptionalSession, Option.Option<SignedInSession>>()("effect-clerk/OptionalSession") {}

/** The request's session token: `Authorization: Bearer`, else the (already parsed) `__session` cookie. */
const requestToken = Effect.map(HttpServerRequest, (request): string | undefined => {
  const fromHeader = bearerToken(request.headers["authorization"])
  if (fromHeader !== undefined) return fromHeader
  const cookie = request.cookies["__session"]
  const value = cookie === undefined ? "" : unquote(cookie)
  return value === "" ? undefined : value
})

type Refusal = ClerkTokenInvalid | ClerkTokenMissing

const verified: Effect.Effect<SignedInSession, Refusal, HttpServerRequest | TokenVerifier> = Effect.flatMap(
  requestToken,
  (token): Effect.Effect<SignedInSession, Refusal, TokenVerifier> =>
    token === undefined
      ? Effect.fail(new ClerkTokenMissing())
      : Effect.flatMap(TokenVerifier, (verifier) => Effect.map(verifier.verify(token), CurrentSession.fromClaims))
)

const refusalResponse = (refusal: Refusal): HttpServerResponse => {
  if (refusal._tag === "ClerkTokenInvalid" && refusal.reason === "JwkFailedToResolve") {
    return jsonResponse(
      { error: { code: "authentication_unavailable", message: "The session could not be verified right now; try again" } },
      503,
      { "cache-control": "no-store", "retry-after": "5" }
    )
  }
  const reason: UnauthenticatedReason = refusal._tag === "ClerkTokenMissing"
    ? "missing"
    : REASONS[refusal.reason as Exclude<TokenInvalidReason, "JwkFailedToResolve">] ?? "malformed"
  return jsonResponse(
    {
      error: {
        code: "unauthenticated",
        reason,
        message: reason === "missing" ? "Sign in: the request carries no session token" : "The session token is not valid: sign in again"
      }
    },
    401,
    {
      "cache-control": "no-store",
      "www-authenticate": reason === "missing" ? "Bearer" : `Bearer error="invalid_token"`
    }
  )
}

/**
 * Clerk's session middleware for HttpRouter / HttpApp.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkMiddleware, CurrentSession } from "effect-clerk/http"
 *
 * // Wraps any HttpApp of your Effect line: one route's handler, or a whole router (the README
 * // shows both lines' HttpRouter). Inside, CurrentSession is the verified session; the app
 * // then needs TokenVerifier (TokenVerifier.layer(...)) instead.
 * const audited = <E, R>(app: Parameters<typeof ClerkMiddleware.required<E, R>>[0]) =>
 *   ClerkMiddleware.required(Effect.tap(app, () => Effect.flatMap(CurrentSession, (s) => Effect.log(`request by ${s.userId}`))))
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export const ClerkMiddleware = {
  /**
   * `app` for signed-in requests only, with `CurrentSession`; 401 (or 503 when the keys
   * cannot be loaded) for the rest.
   *
   * @since 0.1.0
   */
  required: <E, R>(
    app: Effect.Effect<HttpServerResponse, E, R>
  ): Effect.Effect<HttpServerResponse, E, Exclude<R, CurrentSession> | HttpServerRequest | TokenVerifier> =>
    Effect.matchEffect(verified, {
      onFailure: (refusal) => Effect.succeed(refusalResponse(refusal)),
      onSuccess: (session) => Effect.provideService(app, CurrentSession, session)
    }),

  /**
   * `app` for every request, with `OptionalSession`: the session when the request carries a
   * token that verifies, `None` when it carries none or one that does not (a JWKS outage
   * included: the page then shows its signed-out form).
   *
   * @since 0.1.0
   */
  optional: <E, R>(
    app: Effect.Effect<HttpServerResponse, E, R>
  ): Effect.Effect<HttpServerResponse, E, Exclude<R, OptionalSession> | HttpServerRequest | TokenVerifier> =>
    Effect.flatMap(
      Effect.match(verified, { onFailure: () => Option.none<SignedInSession>(), onSuccess: Option.some }),
      (session) => Effect.provideService(app, OptionalSession, session)
    )
}
