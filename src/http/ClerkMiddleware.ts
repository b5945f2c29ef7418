/**
 * Clerk for apps on plain HttpRouter / HttpApp: middleware that reads the request's session
 * token the way Clerk's SDKs do (an `Authorization: Bearer` header, else the `__session`
 * cookie), verifies it with the app's `TokenVerifier` (no network call per request) and
 * provides the signed-in session to the handler. It works from `HttpServerRequest` directly
 * (headers and parsed cookies; no web `Request` is built).
 *
 * - `ClerkMiddleware.required(app)`: the app runs only for a signed-in request and reads
 *   `CurrentSession`; any other request is answered 401 with a `ClerkUnauthenticated` body
 *   (its machine-readable `reason`) and a `WWW-Authenticate: Bearer` header (503
 *   `ClerkAuthUnavailable` when the instance's keys cannot be loaded: the request may
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
import { type HttpServerRequest, type HttpServerResponse, jsonResponse } from "#line/HttpServer"
import type { TokenVerifier } from "../TokenVerifier.js"
import { type Refusal, verified } from "./authenticate.js"
import { CurrentSession, type SignedInSession } from "./CurrentSession.js"
import { httpErrorOf } from "./errors.js"

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

/** The refusal as HttpApi's `ClerkAuth` encodes it (the same body on both), with its headers. */
const refusalResponse = (refusal: Refusal): HttpServerResponse => {
  const error = httpErrorOf(refusal)
  return error._tag === "ClerkAuthUnavailable"
    ? jsonResponse({ _tag: error._tag, message: error.message }, 503, { "cache-control": "no-store", "retry-after": "5" })
    : jsonResponse({ _tag: error._tag, reason: error.reason, message: error.message }, 401, {
      "cache-control": "no-store",
      "www-authenticate": error.reason === "missing" ? "Bearer" : `Bearer error="invalid_token"`
    })
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
 * @category middleware
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
