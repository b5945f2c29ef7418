/**
 * The example Worker's HTTP app: the "Active devices" page (`page.ts`, on @effect/platform's
 * `HttpRouter`) and, for every other path, the JSON API (`api.ts`, an `HttpApi` behind
 * `ClerkAuth`) with its OpenAPI document at `/openapi.json`. What no route takes, a POST from
 * another site and anything unexpected are answered here; nothing is Worker-specific
 * (`runtime.ts` turns the app into a Worker's `fetch`).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { failurePage } from "../../common/views.js"
import { bearerChallenge, isCrossOrigin, routeNotFound } from "../../common/web.js"
import { CrossOriginRequest, problemResponse, sessionToken } from "./access.js"
import { ApiLive } from "./api.js"
import { html, pageFailure, pageRoutes } from "./page.js"

/** The API's layers and its OpenAPI document, served at /openapi.json. */
export const ApiServed = HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }).pipe(
  Layer.provideMerge(ApiLive),
  Layer.provideMerge(HttpApiBuilder.Router.Live),
  Layer.provideMerge(HttpApiBuilder.Middleware.layer)
)

/**
 * A 401 says how to authenticate (RFC 6750): `WWW-Authenticate: Bearer`, with
 * `error="invalid_token"` when the request carried a token that was refused.
 */
const challenged = <E, R>(api: HttpApp.Default<E, R>) =>
  Effect.flatMap(api, (response) =>
    response.status !== 401 || response.headers["www-authenticate"] !== undefined
      ? Effect.succeed(response)
      : Effect.map(sessionToken, (token) => HttpServerResponse.setHeader(response, "www-authenticate", bearerChallenge(token !== undefined))))

/** Every POST must come from this origin (or from no browser at all): no cross-site request forgery. */
const sameOriginPosts = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E | CrossOriginRequest, R> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request): HttpApp.Default<E | CrossOriginRequest, R> =>
    request.method === "POST" && isCrossOrigin(request.headers, request.originalUrl)
      ? Effect.fail(new CrossOriginRequest())
      : app)

const acceptsHtml = (request: HttpServerRequest.HttpServerRequest) => (request.headers["accept"] ?? "").includes("text/html")

/**
 * The whole app, built once per runtime: the page's routes, then the API for every other
 * path; a path neither takes, a cross-site POST, and anything unexpected as a bare 500
 * (logged, never shown). Parameters may be long: ids are at most 512, and the SDK's own check
 * should be the one to refuse them.
 */
export const app = HttpRouter.withRouterConfig(HttpApiBuilder.httpApp, { maxParamLength: 4096 }).pipe(
  Effect.map((api) =>
    challenged(sameOriginPosts(pageRoutes.pipe(HttpRouter.all("*", api)))).pipe(
      Effect.catchTags({
        CrossOriginRequest: pageFailure,
        RouteNotFound: ({ request }) =>
          Effect.succeed(
            // A person who mistyped a URL gets a page with a way home; API clients get JSON.
            request.method === "GET" && acceptsHtml(request)
              ? html(failurePage("Page not found", "There is no page at this address."), 404)
              : problemResponse(routeNotFound(request.method, new URL(request.originalUrl).pathname))
          )
      }),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logError("unhandled failure", cause),
          problemResponse({ status: 500, code: "internal_error", message: "Internal error" })
        )
      )
    )
  )
)
