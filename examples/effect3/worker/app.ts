/**
 * The example Worker's HTTP app: a JSON API over Clerk sessions and the "Active devices" page
 * (`page.ts`), routed by @effect/platform's `HttpRouter`; each route that needs a caller is
 * wrapped in `withSession` (access.ts). Expected failures become their HTTP answers here;
 * nothing is Worker-specific (`runtime.ts` turns the app into a Worker's `fetch`).
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  ClerkClient,
  type ClerkError,
  type ClerkTokenInvalid,
  JwksStore,
  RateLimiter,
  type Session,
  Sessions,
  type SessionStatusFilter
} from "effect-clerk"
import { ClerkWebhooks } from "effect-clerk/http"
import { failurePage } from "../../common/views.js"
import { isCrossOrigin, type Problem, routeNotFound } from "../../common/web.js"
import { AccessDenied, clerkFailure, CrossOriginRequest, CurrentSession, EndedSessions, sessionOwnedBy, withSession } from "./access.js"
import { html, pageFailure, pageRoutes } from "./page.js"

/** Added to the 401 for a request without a token: how to get one (the demo sets DEMO_TOKEN_HINT). */
export class TokenHint extends Context.Tag("example/TokenHint")<TokenHint, { readonly hint: string | undefined }>() {}

/** JSON with a status and headers. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** An error answer: `{ error: { code, message } }`, never a stack trace. */
const problem = ({ status, code, message, headers }: Problem) => json({ error: { code, message } }, status, headers)

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

/** A request this API refuses before asking Clerk: a missing parameter, a malformed query. */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", {
  code: Schema.String,
  message: Schema.String
}) {}

/** A path parameter the router matched. */
const pathParam = (name: string) =>
  Effect.flatMap(HttpRouter.params, (params) => {
    const value = params[name]
    return value === undefined || value === ""
      ? Effect.fail(new BadRequest({ code: "missing_parameter", message: `${name} is required` }))
      : Effect.succeed(value)
  })

/** A query parameter given at most once. */
const stringQuery = (name: string) =>
  Effect.flatMap(HttpServerRequest.ParsedSearchParams, (query) => {
    const raw = query[name]
    return typeof raw === "string" || raw === undefined
      ? Effect.succeed(raw)
      : Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be given once` }))
  })

/** An optional integer query parameter; ranges are left to the SDK's own input checks. */
const intQuery = (name: string) =>
  Effect.flatMap(stringQuery(name), (raw) =>
    raw === undefined
      ? Effect.succeed(undefined)
      : /^-?\d{1,16}$/.test(raw)
      ? Effect.succeed(Number(raw))
      : Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be an integer` })))

/** GET /users/:userId/sessions?status=&limit=&offset=: the caller's own sessions only. */
const listUserSessions = Effect.gen(function*() {
  const userId = yield* pathParam("userId")
  // `status`, `limit` and `offset` are range-checked by the SDK (ClerkInvalidInput → 400).
  const status = (yield* stringQuery("status")) as SessionStatusFilter | undefined
  const limit = yield* intQuery("limit")
  const offset = yield* intQuery("offset")
  const caller = yield* CurrentSession
  if (caller.sub !== userId) return yield* Effect.fail(new AccessDenied({ message: "You may only list your own sessions" }))
  const page = yield* Effect.flatMap(Sessions, (s) => s.getSessionList({ userId, status, limit, offset }))
  return json({ data: page.data.map(sessionJson), totalCount: page.totalCount })
})

/** The session named by `:id`, once the caller is known to own it. */
const ownedSession = Effect.gen(function*() {
  const id = yield* pathParam("id")
  const caller = yield* CurrentSession
  return yield* sessionOwnedBy(id, caller.sub)
})

/** GET /sessions/:id */
const getSession = Effect.map(ownedSession, (session) => json(sessionJson(session)))

/** POST /sessions/:id/revoke */
const revokeSession = Effect.gen(function*() {
  const { id } = yield* ownedSession
  const session = yield* Effect.flatMap(Sessions, (s) => s.revokeSession(id))
  return json(sessionJson(session))
})

/** POST /sessions/:id/tokens/:template: a JWT minted from the named template. */
const mintTemplateToken = Effect.gen(function*() {
  const template = yield* pathParam("template")
  const { id } = yield* ownedSession
  const token = yield* Effect.flatMap(Sessions, (s) => s.createSessionTokenFromTemplate(id, template))
  // The caller asked for this token: handing it over is the point of the route.
  return json({ object: "token", jwt: Redacted.value(token.jwt) })
})

/**
 * GET /me: who the session token says the caller is, verified in the Worker by
 * `TokenVerifier` (networkless: no call to Clerk, only the JWKS once per isolate).
 */
const me = Effect.map(CurrentSession, (claims) =>
  json({
    userId: claims.sub,
    sessionId: claims.sid,
    issuer: claims.iss,
    authorizedParty: claims.azp ?? null,
    organizationId: claims.org_id ?? null,
    issuedAt: new Date(claims.iat * 1000).toISOString(),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    verifiedBy: "TokenVerifier, in this Worker (no call to Clerk)"
  }))

/** The stored JWKS entry as JwksStore.keyOf documents it; a corrupt one (the verifier drops and overwrites it) reads as none. */
const storedJwks = (text: string | undefined) =>
  text === undefined ? Effect.succeed(null) : Effect.orElseSucceed(
    Effect.try(() => {
      const entry = JSON.parse(JSON.parse(text).body) as { fetchedAt: number; keys: ReadonlyArray<{ kid?: string }> }
      return {
        kids: entry.keys.flatMap((k) => k.kid === undefined ? [] : [k.kid]),
        fetchedAt: new Date(entry.fetchedAt).toISOString()
      }
    }),
    () => null
  )

/**
 * GET /fleet: what this Worker's isolates share. The JWKS in the store (its key ids and when
 * Clerk served it), which a cold isolate reads instead of asking Clerk; and whether Clerk
 * calls keep to one request budget for the fleet. Nothing else: not the API URL, not the key.
 */
const fleet = Effect.gen(function*() {
  const store = yield* Effect.serviceOption(JwksStore)
  const limiter = yield* Effect.serviceOption(RateLimiter)
  let jwksStore: { readonly stored: unknown } | null = null
  if (Option.isSome(store)) {
    const key = JwksStore.keyOf(yield* Effect.flatMap(ClerkClient, (client) => client.instanceKey))
    const text = yield* Effect.orElseSucceed(store.value.get(key), () => undefined)
    // Shown only: the verifier checks the signature itself.
    jwksStore = { stored: yield* storedJwks(text) }
  }
  return json({
    jwksStore,
    rateLimiter: Option.isSome(limiter) ? "one Clerk request budget for every isolate (Durable Object)" : null
  })
})

/** The session events after which a session token of that session must not be taken. */
const ENDING = new Set(["session.revoked", "session.ended", "session.removed"])

/**
 * POST /webhooks/clerk: Clerk's webhooks (the endpoint's signing secret is
 * CLERK_WEBHOOK_SIGNING_SECRET), verified by `ClerkWebhooks` — Svix's signature over the body,
 * a timestamp within 5 minutes — and each revoked, ended or removed session recorded in
 * `EndedSessions`, which the JSON API then refuses. Anything not signed for this endpoint is
 * a 400 (Svix retries it; a forger learns nothing). Other events are acknowledged unread.
 */
const clerkWebhook = Effect.gen(function*() {
  const webhooks = yield* Effect.serviceOption(ClerkWebhooks)
  if (Option.isNone(webhooks)) {
    return problem({ status: 404, code: "webhooks_not_configured", message: "This Worker takes no webhooks (CLERK_WEBHOOK_SIGNING_SECRET is not set)" })
  }
  const event = yield* Effect.flatMap(HttpServerRequest.HttpServerRequest, webhooks.value.verifyServerRequest)
  if (event._tag === "SessionWebhookEvent" && ENDING.has(event.type)) {
    yield* Effect.flatMap(EndedSessions, (ended) => ended.record(event.session.id, event.type))
  }
  return HttpServerResponse.empty({ status: 204 })
})

/** The routes: the active devices page's, then the JSON API's, each behind `withSession`, and Clerk's webhooks. */
export const router = pageRoutes.pipe(
  HttpRouter.get("/me", withSession(me)),
  HttpRouter.get("/fleet", withSession(fleet)),
  HttpRouter.get("/users/:userId/sessions", withSession(listUserSessions)),
  HttpRouter.get("/sessions/:id", withSession(getSession)),
  HttpRouter.post("/sessions/:id/revoke", withSession(revokeSession)),
  HttpRouter.post("/sessions/:id/tokens/:template", withSession(mintTemplateToken)),
  HttpRouter.post("/webhooks/clerk", clerkWebhook)
)

/** How a Clerk failure reads to this API's callers (`clerkFailure` decides, shared with the page). */
const clerkErrorResponse = (error: ClerkError) => problem(clerkFailure(error))

/** No token: a 401 saying where one goes, and, where configured (the demo), how to get one. */
const tokenMissingResponse = Effect.map(TokenHint, ({ hint }) =>
  json({
    error: {
      code: "unauthenticated",
      message: "A session token is required: Authorization: Bearer <token> or the __session cookie",
      ...(hint === undefined ? {} : { hint })
    }
  }, 401, { "www-authenticate": "Bearer" }))

/** A refused token is the caller's 401, unless the keys could not be fetched: that is Clerk's failure (or our key's). */
const tokenInvalidResponse = (error: ClerkTokenInvalid) => {
  if (error.reason !== "JwkFailedToResolve") {
    return problem({
      status: 401,
      code: "invalid_token",
      message: `${error.reason}: ${error.message}`,
      headers: { "www-authenticate": "Bearer error=\"invalid_token\"" }
    })
  }
  return error.cause !== undefined
    ? clerkErrorResponse(error.cause)
    : problem({ status: 502, code: "clerk_bad_response", message: error.message })
}

/** A token of a session Clerk said is over: refused as an invalid token is, before its `exp`. */
const sessionEndedResponse = problem({
  status: 401,
  code: "session_ended",
  message: "This session was signed out (revoked, ended or removed at Clerk)",
  headers: { "www-authenticate": "Bearer error=\"invalid_token\"" }
})

/** Every POST must come from this origin (or from no browser at all): no cross-site request forgery. */
const sameOriginPosts = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E | CrossOriginRequest, R> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request): HttpApp.Default<E | CrossOriginRequest, R> =>
    request.method === "POST" && isCrossOrigin(request.headers, request.originalUrl)
      ? Effect.fail(new CrossOriginRequest())
      : app)

const acceptsHtml = (request: HttpServerRequest.HttpServerRequest) => (request.headers["accept"] ?? "").includes("text/html")

/**
 * The whole app: routes, every expected failure as its HTTP answer, and anything
 * unexpected as a bare 500 (logged, never shown).
 */
export const app = sameOriginPosts(router).pipe(
  Effect.catchTags({
    CrossOriginRequest: pageFailure,
    RouteNotFound: ({ request }) =>
      Effect.succeed(
        // A person who mistyped a URL gets a page with a way home; API clients get JSON.
        request.method === "GET" && acceptsHtml(request)
          ? html(failurePage("Page not found", "There is no page at this address."), 404)
          : problem(routeNotFound(request.method, new URL(request.originalUrl).pathname))
      ),
    AccessDenied: (e) => Effect.succeed(problem({ status: 403, code: "forbidden", message: e.message })),
    ClerkTokenMissing: () => tokenMissingResponse,
    ClerkTokenInvalid: (e) => Effect.succeed(tokenInvalidResponse(e)),
    SessionEnded: () => Effect.succeed(sessionEndedResponse),
    ClerkWebhookInvalid: (e) => Effect.succeed(problem({ status: 400, code: "invalid_webhook", message: `${e.reason}: ${e.message}` })),
    BadRequest: (e) => Effect.succeed(problem({ status: 400, code: e.code, message: e.message }))
  }),
  Effect.catchAll((e) => Effect.succeed(clerkErrorResponse(e))),
  Effect.catchAllCause((cause) =>
    Effect.as(Effect.logError("unhandled failure", cause), problem({ status: 500, code: "internal_error", message: "Internal error" }))
  )
)
