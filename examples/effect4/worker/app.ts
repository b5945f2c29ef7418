/**
 * The example Worker's HTTP app: the "Active devices" page (`page.ts`) and the JSON API
 * (`api.ts`, an `HttpApi` behind `ClerkAuth`, its OpenAPI document at `/openapi.json`), routed
 * by one `effect/http` `HttpRouter`. What no route takes, a POST from another site and
 * anything unexpected are answered here; nothing is Worker-specific (`runtime.ts` turns the
 * app into a Worker's `fetch`).
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { failurePage } from "../../common/views.js"
import { bearerChallenge, isCrossOrigin, routeNotFound } from "../../common/web.js"
import { CrossOriginRequest, problemResponse, sessionToken } from "./access.js"
import { ApiLive } from "./api.js"
import { html, pageFailure, pageRoutes } from "./page.js"

/** The routes: the active devices page's and the API's. */
export const routes = Layer.mergeAll(pageRoutes, ApiLive)

type App<E, R> = Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>

/**
 * A 401 says how to authenticate (RFC 6750): `WWW-Authenticate: Bearer`, with
 * `error="invalid_token"` when the request carried a token that was refused.
 */
const challenged = <E, R>(app: App<E, R>): App<E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(app, (response) =>
    response.status !== 401 || response.headers["www-authenticate"] !== undefined
      ? Effect.succeed(response)
      : Effect.map(sessionToken, (token) => HttpServerResponse.setHeader(response, "www-authenticate", bearerChallenge(token !== undefined))))

/** Every POST must come from this origin (or from no browser at all): no cross-site request forgery. */
const sameOriginPosts = <E, R>(app: App<E, R>): App<E | CrossOriginRequest, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request): App<E | CrossOriginRequest, R> =>
    request.method === "POST" && isCrossOrigin(request.headers, request.originalUrl)
      ? Effect.fail(new CrossOriginRequest())
      : app)

const acceptsHtml = (request: HttpServerRequest.HttpServerRequest) => (request.headers["accept"] ?? "").includes("text/html")

/** No route matched: a person who mistyped a URL gets a page with a way home; API clients get JSON. */
const notFound = Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
  request.method === "GET" && acceptsHtml(request)
    ? html(failurePage("Page not found", "There is no page at this address."), 404)
    : problemResponse(routeNotFound(request.method, new URL(request.originalUrl).pathname)))

/**
 * The whole app, built once per runtime (the router lives in its scope): the routes, a path
 * no route takes, a cross-site POST, and anything unexpected as a bare 500 (logged, never
 * shown). Parameters may be long: ids are at most 512, and the SDK's own check should be the
 * one to refuse them.
 */
export const app = HttpRouter.toHttpEffect(routes).pipe(
  Effect.provideService(HttpRouter.RouterConfig, { maxParamLength: 4096 }),
  Effect.map((routed) =>
    challenged(sameOriginPosts(routed)).pipe(
      Effect.catchTags({
        CrossOriginRequest: pageFailure,
        HttpServerError: (e) => e.reason._tag === "RouteNotFound" ? notFound : Effect.die(e)
      }),
      Effect.catchCause((cause) =>
        Effect.as(
          Effect.logError("unhandled failure", cause),
          problemResponse({ status: 500, code: "internal_error", message: "Internal error" })
        )
      )
    )
  )
)
