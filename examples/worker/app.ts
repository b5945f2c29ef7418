/**
 * The example Worker's HTTP API over Clerk sessions, as an Effect from a web `Request`
 * (`ServerRequest`) to a web `Response`: the routes, their input checks, and how each Clerk
 * failure becomes an HTTP answer. Nothing here is Worker-specific; `runtime.ts` turns it into
 * a Worker's `fetch`.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  ClerkClient,
  type ClerkError,
  type ClerkTokenInvalid,
  type ClerkTokenMissing,
  JwksStore,
  RateLimiter,
  type Session,
  Sessions,
  type SessionStatusFilter,
  type TokenVerifier
} from "effect-clerk"
import {
  Access,
  AccessDenied,
  caller,
  clerkFailure,
  CrossOriginRequest,
  isCrossOrigin,
  sessionOwnedBy
} from "./access.js"
import { type Handler, html, json, makeRouter, ServerRequest } from "./http.js"
import { failurePage } from "./views.js"
import { catchAll, catchAllCause } from "./line.js"
import { type DemoSignIn, pageFailure, pageRoutes } from "./page.js"

export { Access, AccessDenied, clerkFailure } from "./access.js"

/** The JSON shape of a session in this API's answers: camelCase, ISO-8601 timestamps. */
export const sessionJson = (session: Session) => ({
  id: session.id,
  userId: session.userId,
  clientId: session.clientId,
  status: session.status,
  lastActiveAt: DateTime.formatIso(session.lastActiveAt),
  expireAt: DateTime.formatIso(session.expireAt),
  abandonAt: DateTime.formatIso(session.abandonAt),
  createdAt: DateTime.formatIso(session.createdAt),
  updatedAt: DateTime.formatIso(session.updatedAt),
  ...(session.latestActivity === undefined ? {} : {
    latestActivity: {
      deviceType: session.latestActivity.deviceType ?? null,
      browserName: session.latestActivity.browserName ?? null,
      city: session.latestActivity.city ?? null,
      country: session.latestActivity.country ?? null,
      isMobile: session.latestActivity.isMobile
    }
  })
})

/** An error answer: `{ error: { code, message } }`, never a stack trace. */
export const problem = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  json({ error: { code, message } }, { status, headers })

/** A request this API refuses before asking Clerk: a missing parameter, a malformed query. */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", {
  code: Schema.String,
  message: Schema.String
}) {}

/** A path parameter the router matched. */
const pathParam = (name: string) =>
  Effect.flatMap(ServerRequest, ({ params }) => {
    const value = params[name]
    return value === undefined || value === ""
      ? Effect.fail(new BadRequest({ code: "missing_parameter", message: `${name} is required` }))
      : Effect.succeed(value)
  })

/** An optional integer query parameter; ranges are left to the SDK's own input checks. */
const intQuery = (name: string) =>
  Effect.flatMap(ServerRequest, ({ query }) => {
    const raw = query[name]
    if (raw === undefined) return Effect.succeed(undefined)
    if (typeof raw !== "string") {
      return Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be given once` }))
    }
    if (!/^-?\d{1,16}$/.test(raw)) {
      return Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be an integer` }))
    }
    return Effect.succeed(Number(raw))
  })

const stringQuery = (name: string) =>
  Effect.flatMap(ServerRequest, ({ query }) => {
    const raw = query[name]
    return typeof raw === "string" || raw === undefined
      ? Effect.succeed(raw)
      : Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be given once` }))
  })

/** The caller, who must be `userId` unless the routes are open. */
const callerMayActFor = (userId: string, what: string) =>
  caller.pipe(
    Effect.filterOrFail(
      (caller) => caller === undefined || caller === userId,
      () => new AccessDenied({ message: what })
    )
  )

/** GET /users/:userId/sessions?status=&limit=&offset= */
const listUserSessions = Effect.gen(function*() {
  const userId = yield* pathParam("userId")
  // `status`, `limit` and `offset` are range-checked by the SDK (ClerkInvalidInput → 400).
  const status = (yield* stringQuery("status")) as SessionStatusFilter | undefined
  const limit = yield* intQuery("limit")
  const offset = yield* intQuery("offset")
  yield* callerMayActFor(userId, "You may only list your own sessions")
  const page = yield* Effect.flatMap(Sessions, (s) => s.getSessionList({ userId, status, limit, offset }))
  return json({ data: page.data.map(sessionJson), totalCount: page.totalCount })
})

/** The session named by `:id`, once the caller is known to own it (fetched only to check that). */
const ownedSessionId = Effect.gen(function*() {
  const id = yield* pathParam("id")
  const callerId = yield* caller
  if (callerId !== undefined) yield* sessionOwnedBy(id, callerId)
  return id
})

/** GET /sessions/:id */
const getSession = Effect.gen(function*() {
  const id = yield* pathParam("id")
  const callerId = yield* caller
  const session = callerId === undefined
    ? yield* Effect.flatMap(Sessions, (s) => s.getSession(id))
    : yield* sessionOwnedBy(id, callerId)
  return json(sessionJson(session))
})

/** POST /sessions/:id/revoke */
const revokeSession = Effect.gen(function*() {
  const id = yield* ownedSessionId
  const session = yield* Effect.flatMap(Sessions, (s) => s.revokeSession(id))
  return json(sessionJson(session))
})

/** POST /sessions/:id/tokens/:template: a JWT minted from the named template. */
const mintTemplateToken = Effect.gen(function*() {
  const template = yield* pathParam("template")
  const id = yield* ownedSessionId
  const token = yield* Effect.flatMap(Sessions, (s) => s.createSessionTokenFromTemplate(id, template))
  // The caller asked for this token: handing it over is the point of the route.
  return json({ object: "token", jwt: Redacted.value(token.jwt) })
})

/**
 * GET /me: who the session token says the caller is, verified in the Worker by
 * `TokenVerifier` (networkless: no call to Clerk, only the JWKS once per isolate).
 */
const me = Effect.gen(function*() {
  const claims = yield* Effect.flatMap(Access, (access) => access.claims)
  if (claims === undefined) return problem(404, "route_not_found", "No caller: this Worker's routes are open")
  return json({
    userId: claims.sub,
    sessionId: claims.sid,
    issuer: claims.iss,
    authorizedParty: claims.azp ?? null,
    organizationId: claims.org_id ?? null,
    issuedAt: new Date(claims.iat * 1000).toISOString(),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    verifiedBy: "TokenVerifier, in this Worker (no call to Clerk)"
  })
})

/**
 * GET /fleet (signed in): what this Worker's isolates share. The JWKS in the store (its key
 * ids and when Clerk served it), which a cold isolate reads instead of asking Clerk; and
 * whether Clerk calls keep to one request budget for the fleet. Nothing else: not the API
 * URL, not the store key.
 */
const fleet = Effect.gen(function*() {
  const claims = yield* Effect.flatMap(Access, (access) => access.claims)
  if (claims === undefined) return problem(404, "route_not_found", "No caller: this Worker's routes are open")
  const store = yield* Effect.serviceOption(JwksStore)
  const limiter = yield* Effect.serviceOption(RateLimiter)
  let jwks: { readonly kids: ReadonlyArray<string>; readonly fetchedAt: string } | null = null
  if (Option.isSome(store)) {
    const key = JwksStore.keyOf(yield* Effect.flatMap(ClerkClient, (client) => client.instanceKey))
    const text = yield* Effect.orElseSucceed(store.value.get(key), () => undefined)
    // The entry as JwksStore.keyOf documents it; a corrupt one (the verifier drops and
    // overwrites it) reads as none. Shown only: the verifier checks the signature itself.
    jwks = text === undefined ? null : yield* Effect.orElseSucceed(
      Effect.try(() => {
        const entry = JSON.parse(JSON.parse(text).body) as { fetchedAt: number; keys: ReadonlyArray<{ kid?: string }> }
        return {
          kids: entry.keys.flatMap((k) => k.kid === undefined ? [] : [k.kid]),
          fetchedAt: new Date(entry.fetchedAt).toISOString()
        }
      }),
      () => null
    )
  }
  return json({
    jwksStore: Option.isSome(store) ? { stored: jwks } : null,
    rateLimiter: Option.isSome(limiter) ? "one Clerk request budget for every isolate (Durable Object)" : null
  })
})

/** The routes (the JSON API and the active devices page), before errors are turned into answers. */
export const router = makeRouter<Handler<unknown, unknown>>([
  ...pageRoutes,
  ["GET", "/me", me],
  ["GET", "/fleet", fleet],
  ["GET", "/users/:userId/sessions", listUserSessions],
  ["GET", "/sessions/:id", getSession],
  ["POST", "/sessions/:id/revoke", revokeSession],
  ["POST", "/sessions/:id/tokens/:template", mintTemplateToken]
])

/** Each route's shape with its parameters allowed empty, to tell a missing parameter from a wrong path. */
const routeShapes: ReadonlyArray<{ method: string; pattern: RegExp; params: ReadonlyArray<string> }> = [
  { method: "GET", pattern: /^\/me\/?$/, params: [] },
  { method: "GET", pattern: /^\/users\/([^/]*)\/sessions\/?$/, params: ["userId"] },
  { method: "GET", pattern: /^\/sessions\/([^/]*)\/?$/, params: ["id"] },
  { method: "POST", pattern: /^\/sessions\/([^/]*)\/revoke\/?$/, params: ["id"] },
  { method: "POST", pattern: /^\/sessions\/([^/]*)\/tokens(?:\/([^/]*))?\/?$/, params: ["id", "template"] }
]

/** No route matched: 400 when a parameter is empty, 405 for a known path with the wrong method, else 404. */
const routeNotFound = (method: string, path: string) => {
  for (const shape of routeShapes) {
    const match = shape.pattern.exec(path)
    if (match === null) continue
    const missing = shape.params.find((_, i) => !match[i + 1])
    if (missing !== undefined) return problem(400, "missing_parameter", `${missing} is required`)
    // The router refuses a segment that does not percent-decode; say so rather than 404.
    const undecodable = shape.params.find((_, i) => !decodes(match[i + 1]!))
    if (undecodable !== undefined) {
      return problem(400, "invalid_parameter", `${undecodable} is not valid percent-encoded UTF-8`)
    }
    if (method !== shape.method) {
      return problem(405, "method_not_allowed", `${path} accepts ${shape.method}`, { allow: shape.method })
    }
  }
  return problem(404, "route_not_found", `No route for ${method} ${path}`)
}

const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment)
    return true
  } catch {
    return false
  }
}

/**
 * How a Clerk failure reads to this API's callers (`clerkFailure` decides, shared with the page).
 */
export const clerkErrorResponse = (error: ClerkError): Response => {
  const failure = clerkFailure(error)
  return problem(failure.status, failure.code, failure.message, failure.headers)
}

/** No token: a 401 saying where one goes, and, where configured (the demo), how to get one. */
const tokenMissingResponse = (hint: string | undefined) =>
  json({
    error: {
      code: "unauthenticated",
      message: "A session token is required: Authorization: Bearer <token> or the __session cookie",
      ...(hint === undefined ? {} : { hint })
    }
  }, { status: 401, headers: { "www-authenticate": "Bearer" } })

/** A refused token is the caller's 401, unless the keys could not be fetched: that is Clerk's failure (or our key's). */
const tokenInvalidResponse = (error: ClerkTokenInvalid) => {
  if (error.reason !== "JwkFailedToResolve") {
    return problem(401, "invalid_token", `${error.reason}: ${error.message}`, {
      "www-authenticate": "Bearer error=\"invalid_token\""
    })
  }
  return error.cause !== undefined ? clerkErrorResponse(error.cause) : problem(502, "clerk_bad_response", error.message)
}

/** The services the routes need (besides the request itself). */
export type AppServices = Sessions | Access | DemoSignIn | ClerkClient | TokenVerifier

/** A request no route matched, answered by `routeNotFound`. */
class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  method: Schema.String,
  path: Schema.String
}) {}

/** Every POST must come from this origin (or from no browser at all): no cross-site request forgery; then the route. */
type RouteFailure = ClerkError | BadRequest | AccessDenied | ClerkTokenMissing | ClerkTokenInvalid

const routed: Handler<RouteFailure | CrossOriginRequest | RouteNotFound, AppServices> = Effect.flatMap(
  ServerRequest,
  (request): Handler<RouteFailure | CrossOriginRequest | RouteNotFound, AppServices> => {
    const { method } = request.request
    if (method === "POST" && isCrossOrigin(request.request)) return Effect.fail(new CrossOriginRequest())
    const match = router(method, request.url.pathname)
    if (match === undefined) return Effect.fail(new RouteNotFound({ method, path: request.url.pathname }))
    // Every route's failures and services are among RouteFailure and AppServices (the table's type forgets them).
    const handler = match.handler as Handler<RouteFailure, AppServices>
    return Effect.provideService(handler, ServerRequest, { ...request, params: match.params })
  }
)

/**
 * The whole app: routes, every expected failure as its HTTP answer, and anything
 * unexpected as a bare 500 (logged, never shown).
 */
export const app: Effect.Effect<Response, never, AppServices | ServerRequest> = routed.pipe(
  Effect.catchTags({
    CrossOriginRequest: pageFailure,
    RouteNotFound: (e) =>
      Effect.map(ServerRequest, (request) =>
        // A person who mistyped a URL gets a page with a way home; API clients get JSON.
        e.method === "GET" && (request.request.headers.get("accept") ?? "").includes("text/html")
          ? html(failurePage("Page not found", "There is no page at this address."), 404)
          : routeNotFound(e.method, e.path)),
    AccessDenied: (e) => Effect.succeed(problem(403, "forbidden", e.message)),
    ClerkTokenMissing: () => Effect.map(Access, (access) => tokenMissingResponse(access.tokenHint)),
    ClerkTokenInvalid: (e) => Effect.succeed(tokenInvalidResponse(e)),
    BadRequest: (e) => Effect.succeed(problem(400, e.code, e.message))
  }),
  catchAll((e: ClerkError) => Effect.succeed(clerkErrorResponse(e))),
  catchAllCause((cause) => Effect.as(Effect.logError("unhandled failure", cause), problem(500, "internal_error", "Internal error")))
)
