/**
 * The Effect 4 side of `#line/HttpApi`: `ClerkAuth`, Clerk's security middleware for
 * effect 4's `effect/http-api` (same exports as `src/line/effect3/HttpApi.ts`). Only
 * effect-clerk/http imports it.
 */
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ClerkForbidden } from "../../ClerkError.js"
import { verifiedOnce } from "../../http/authenticate.js"
import { CurrentSession } from "../../http/CurrentSession.js"
import { ClerkAuthUnavailable, ClerkUnauthenticated, httpErrorOf } from "../../http/errors.js"
import { SECURITY } from "../../http/security.js"
import { TokenVerifier } from "../../TokenVerifier.js"

const Forbidden = ClerkForbidden.annotate({ httpApiStatus: 403, description: SECURITY.forbidden })

/**
 * Clerk's HttpApi security middleware: an endpoint, a group or a whole API opts in with
 * `.middleware(ClerkAuth)` and its handler reads `CurrentSession`. The session token is read
 * as Clerk's SDKs read it — an `Authorization: Bearer` header, else the `__session` cookie
 * (a header beats the cookie) — and verified by the app's `TokenVerifier` with no network
 * call per request. A request that is not signed in is answered 401 `ClerkUnauthenticated`
 * (with its `reason`), a JWKS outage 503 `ClerkAuthUnavailable`; `CurrentSession.require`
 * in a handler answers 403 `ClerkForbidden`. All three are declared, so the OpenAPI document
 * lists them beside the two security schemes (`bearer`, and `cookie`: `__session`).
 *
 * @example
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
 * import { TokenVerifier } from "effect-clerk"
 * import { ClerkAuth, CurrentSession } from "effect-clerk/http"
 *
 * class Api extends HttpApi.make("api").add(
 *   HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me", { success: Schema.Struct({ userId: Schema.String }) }))
 *     .middleware(ClerkAuth)
 * ) {}
 *
 * const MeLive = HttpApiBuilder.group(Api, "me", (handlers) =>
 *   handlers.handle("me", () => Effect.map(CurrentSession, (session) => ({ userId: session.userId }))))
 *
 * // Needs a TokenVerifier (TokenVerifier.layer(...) over ClerkClient, or TokenVerifier.layerPem).
 * const ApiLive = HttpApiBuilder.layer(Api).pipe(Layer.provide(MeLive), Layer.provide(ClerkAuth.layer))
 * ```
 *
 * @category middleware
 * @since 0.1.0
 */
export class ClerkAuth extends HttpApiMiddleware.Service<ClerkAuth, { provides: CurrentSession }>()("effect-clerk/ClerkAuth", {
  error: [ClerkUnauthenticated, Forbidden, ClerkAuthUnavailable],
  security: {
    bearer: HttpApiSecurity.bearer.pipe(HttpApiSecurity.annotate(OpenApi.Description, SECURITY.bearer)),
    cookie: HttpApiSecurity.apiKey({ in: "cookie", key: "__session" }).pipe(HttpApiSecurity.annotate(OpenApi.Description, SECURITY.cookie))
  }
}) {
  /**
   * `ClerkAuth` verifying with the `TokenVerifier` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<ClerkAuth, never, TokenVerifier> = Layer.effect(
    ClerkAuth,
    Effect.map(TokenVerifier, (verifier) => {
      const authenticate = Effect.mapError(verifiedOnce(verifier), httpErrorOf)
      const provide = <A, E, R>(httpEffect: Effect.Effect<A, E, R>) =>
        Effect.flatMap(authenticate, (session) => Effect.provideService(httpEffect, CurrentSession, session))
      return { bearer: provide, cookie: provide }
    })
  )
}
