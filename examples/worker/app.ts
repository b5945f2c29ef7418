/**
 * The example Worker's HTTP API over Clerk sessions, as an @effect/platform `HttpApp`:
 * the routes, their input checks, and how each Clerk failure becomes an HTTP answer.
 * Nothing here is Worker-specific; `index.ts` turns it into a Worker's `fetch`.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  type ClerkError,
  type ClerkTokenInvalid,
  type ClerkTokenMissing,
  type Session,
  type SessionClaims,
  Sessions,
  type SessionStatusFilter,
  TokenVerifier
} from "effect-clerk"

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
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status, ...(headers ? { headers } : {}) })

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

/** An optional integer query parameter; ranges are left to the SDK's own input checks. */
const intQuery = (name: string) =>
  Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) => {
    const raw = params[name]
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
  Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) => {
    const raw = params[name]
    return typeof raw === "string" || raw === undefined
      ? Effect.succeed(raw)
      : Effect.fail(new BadRequest({ code: "invalid_query", message: `${name} must be given once` }))
  })

/**
 * Who a request acts for. The routes let a caller see and act on their own sessions only.
 * `Access.sessionToken` requires a valid Clerk session token (`Authorization: Bearer` or the
 * `__session` cookie), verified locally by `TokenVerifier`; `Access.open` lets every caller
 * through (for a Worker behind your own authentication).
 */
export class Access extends Context.Tag("example/Access")<Access, {
  /** The caller's verified claims, or `undefined` when the routes are open. */
  readonly claims: Effect.Effect<
    SessionClaims | undefined,
    ClerkTokenMissing | ClerkTokenInvalid,
    HttpServerRequest.HttpServerRequest
  >
  /** Added to the 401 for a request without a token: how to get one (the demo sets it). */
  readonly tokenHint: string | undefined
}>() {
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
          claims: Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
            verifier.authenticateRequest(webRequest(request))),
          tokenHint: options.tokenHint
        }))
    )
}

/** The caller's user id (`sub`), or `undefined` when the routes are open. */
const caller = Effect.flatMap(Access, (access) => Effect.map(access.claims, (claims) => claims?.sub))

/** The web Request behind a server request (the Worker's own), for `authenticateRequest`. */
const webRequest = (request: HttpServerRequest.HttpServerRequest): Request =>
  request.source instanceof Request ? request.source : new Request("http://worker.invalid/", { headers: request.headers })

/** The caller may not act on another user's sessions. */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", {
  message: Schema.String
}) {}

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
  return HttpServerResponse.unsafeJson({ data: page.data.map(sessionJson), totalCount: page.totalCount })
})

/** The session named by `:id`, once the caller is known to own it (fetched only to check that). */
const ownedSessionId = Effect.gen(function*() {
  const id = yield* pathParam("id")
  const callerId = yield* caller
  if (callerId !== undefined) {
    const session = yield* Effect.flatMap(Sessions, (s) => s.getSession(id))
    if (session.userId !== callerId) return yield* new AccessDenied({ message: "This session belongs to another user" })
  }
  return id
})

/** GET /sessions/:id */
const getSession = Effect.gen(function*() {
  const id = yield* pathParam("id")
  const callerId = yield* caller
  const session = yield* Effect.flatMap(Sessions, (s) => s.getSession(id))
  if (callerId !== undefined && session.userId !== callerId) {
    return yield* new AccessDenied({ message: "This session belongs to another user" })
  }
  return HttpServerResponse.unsafeJson(sessionJson(session))
})

/** POST /sessions/:id/revoke */
const revokeSession = Effect.gen(function*() {
  const id = yield* ownedSessionId
  const session = yield* Effect.flatMap(Sessions, (s) => s.revokeSession(id))
  return HttpServerResponse.unsafeJson(sessionJson(session))
})

/** POST /sessions/:id/tokens/:template: a JWT minted from the named template. */
const mintTemplateToken = Effect.gen(function*() {
  const template = yield* pathParam("template")
  const id = yield* ownedSessionId
  const token = yield* Effect.flatMap(Sessions, (s) => s.createSessionTokenFromTemplate(id, template))
  // The caller asked for this token: handing it over is the point of the route.
  return HttpServerResponse.unsafeJson({ object: "token", jwt: Redacted.value(token.jwt) })
})

/**
 * GET /me: who the session token says the caller is, verified in the Worker by
 * `TokenVerifier` (networkless: no call to Clerk, only the JWKS once per isolate).
 */
const me = Effect.gen(function*() {
  const claims = yield* Effect.flatMap(Access, (access) => access.claims)
  if (claims === undefined) return problem(404, "route_not_found", "No caller: this Worker's routes are open")
  return HttpServerResponse.unsafeJson({
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

/** The routes, before errors are turned into answers. */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/me", me),
  HttpRouter.get("/users/:userId/sessions", listUserSessions),
  HttpRouter.get("/sessions/:id", getSession),
  HttpRouter.post("/sessions/:id/revoke", revokeSession),
  HttpRouter.post("/sessions/:id/tokens/:template", mintTemplateToken)
)

// The router's default 100-character cap on a parameter would turn a long id into a 404;
// let it through so the SDK's own check answers (ids are at most 512 characters).
const routed = HttpRouter.withRouterConfig(router, { maxParamLength: 4096 })

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

const firstCode = (error: { readonly errors: ReadonlyArray<{ readonly code: string }> }, fallback: string) =>
  error.errors[0]?.code ?? fallback

/**
 * How a Clerk failure reads to this API's callers. Clerk's own 4xx about the resource pass
 * through with Clerk's code; failures of our configuration or of Clerk are 5xx.
 */
export const clerkErrorResponse = (error: ClerkError): HttpServerResponse.HttpServerResponse => {
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

/** No token: a 401 saying where one goes, and, where configured (the demo), how to get one. */
const tokenMissingResponse = (hint: string | undefined) =>
  HttpServerResponse.unsafeJson({
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

/**
 * The whole app: routes, every expected failure as its HTTP answer, and anything
 * unexpected as a bare 500 (logged, never shown).
 */
export const app = routed.pipe(
  Effect.catchTags({
    RouteNotFound: (e) => Effect.succeed(routeNotFound(e.request.method, new URL(e.request.url, "http://x").pathname)),
    AccessDenied: (e) => Effect.succeed(problem(403, "forbidden", e.message)),
    ClerkTokenMissing: () => Effect.map(Access, (access) => tokenMissingResponse(access.tokenHint)),
    ClerkTokenInvalid: (e) => Effect.succeed(tokenInvalidResponse(e)),
    BadRequest: (e) => Effect.succeed(problem(400, e.code, e.message))
  }),
  Effect.catchAll((e) => Effect.succeed(clerkErrorResponse(e))),
  Effect.catchAllCause((cause) =>
    Effect.as(Effect.logError("unhandled failure", cause), problem(500, "internal_error", "Internal error"))
  )
)

