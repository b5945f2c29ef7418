/**
 * The example Worker's JSON API, as an @effect/platform `HttpApi`: every endpoint but Clerk's
 * webhooks behind `ClerkAuth` (effect-clerk/http), which reads the session token
 * (`Authorization: Bearer`, else the `__session` cookie), verifies it in the Worker and gives
 * the handler `CurrentSession` — or answers 401 / 503 itself. Its OpenAPI document, with the
 * security schemes and every answer below, is served at `/openapi.json` (app.ts).
 *
 * The handlers answer their own failures (a Clerk failure, someone else's session, a bad
 * query) as `{ error: { code, message } }` with the status and headers they need
 * (`Retry-After`): HttpApi passes a response a handler returns through unchanged.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ClerkClient, type ClerkError, JwksStore, RateLimiter, type Session, Sessions, type SessionStatusFilter } from "effect-clerk"
import { ClerkAuth, ClerkWebhooks, CurrentSession } from "effect-clerk/http"
import { type Problem, queryParam, REPEATED, storedJwksSummary } from "../../common/web.js"
import { AccessDenied, clerkFailure, EndedSessions, problemResponse, Refused, sessionEnded } from "./access.js"

// ---- what the API answers (its OpenAPI document is built from these) ----

const Timestamp = Schema.String.annotations({ description: "ISO 8601, UTC" })

/** A session in this API's answers: camelCase, ISO 8601 timestamps. */
const SessionJson = Schema.Struct({
  id: Schema.String,
  userId: Schema.String,
  clientId: Schema.String,
  status: Schema.String,
  lastActiveAt: Timestamp,
  expireAt: Timestamp,
  abandonAt: Timestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  latestActivity: Schema.optional(Schema.Struct({
    deviceType: Schema.NullOr(Schema.String),
    browserName: Schema.NullOr(Schema.String),
    city: Schema.NullOr(Schema.String),
    country: Schema.NullOr(Schema.String),
    isMobile: Schema.Boolean
  }))
}).annotations({ identifier: "Session" })

const SessionPage = Schema.Struct({ data: Schema.Array(SessionJson), totalCount: Schema.Number })

const Me = Schema.Struct({
  userId: Schema.String,
  sessionId: Schema.String,
  issuer: Schema.String,
  authorizedParty: Schema.NullOr(Schema.String),
  organizationId: Schema.NullOr(Schema.String),
  organizationRole: Schema.NullOr(Schema.String),
  canManageOrganization: Schema.Boolean,
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  verifiedBy: Schema.String
})

const Fleet = Schema.Struct({
  jwksStore: Schema.NullOr(Schema.Struct({
    stored: Schema.NullOr(Schema.Struct({ kids: Schema.Array(Schema.String), fetchedAt: Timestamp }))
  })),
  rateLimiter: Schema.NullOr(Schema.String)
})

const Token = Schema.Struct({ object: Schema.Literal("token"), jwt: Schema.String })

/** Every error answer of this API but ClerkAuth's own: `{ error: { code, message } }`. */
const ProblemJson = Schema.Struct({ error: Schema.Struct({ code: Schema.String, message: Schema.String }) })
  .annotations({ identifier: "Problem" })
const problemAt = (status: number, description: string) =>
  ProblemJson.annotations(HttpApiSchema.annotations({ status, description }))

const SessionId = Schema.Struct({ id: Schema.String })

/** The endpoints behind ClerkAuth; what each may answer besides 200 and ClerkAuth's 401 / 403 / 503. */
class SessionsGroup extends HttpApiGroup.make("sessions")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(Me))
  .add(HttpApiEndpoint.get("fleet", "/fleet").addSuccess(Fleet))
  .add(
    HttpApiEndpoint.get("listUserSessions", "/users/:userId/sessions")
      .setPath(Schema.Struct({ userId: Schema.String }))
      .addSuccess(SessionPage)
      .annotate(OpenApi.Description, "The caller's own sessions, newest first; query: status, limit (1..500), offset")
  )
  .add(HttpApiEndpoint.get("getSession", "/sessions/:id").setPath(SessionId).addSuccess(SessionJson))
  .add(HttpApiEndpoint.post("revokeSession", "/sessions/:id/revoke").setPath(SessionId).addSuccess(SessionJson))
  .add(
    HttpApiEndpoint.post("mintTemplateToken", "/sessions/:id/tokens/:template")
      .setPath(Schema.Struct({ id: Schema.String, template: Schema.String }))
      .addSuccess(Token)
  )
  .addError(problemAt(400, "A malformed parameter or query, or input Clerk refused"))
  .addError(problemAt(401, "session_ended: Clerk said (by webhook) that the token's session is over"))
  .addError(problemAt(403, "forbidden: another user's sessions"))
  .addError(problemAt(404, "Clerk has no such session or template"))
  .addError(problemAt(409, "Clerk's conflict"))
  .addError(problemAt(410, "Clerk's gone"))
  .addError(problemAt(422, "Clerk could not process the request"))
  .addError(problemAt(502, "Clerk failed, or refused this Worker's secret key"))
  .addError(problemAt(503, "Clerk is rate limiting this app (Retry-After says when to retry)"))
  .addError(problemAt(504, "Clerk did not answer in time"))
  .middleware(ClerkAuth)
{}

class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("clerk", "/webhooks/clerk")
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Description, "Clerk's webhooks (signed by Svix with CLERK_WEBHOOK_SIGNING_SECRET)")
  )
  .addError(problemAt(400, "invalid_webhook: not signed for this endpoint"))
  .addError(problemAt(404, "webhooks_not_configured: CLERK_WEBHOOK_SIGNING_SECRET is not set"))
{}

/** The Worker's JSON API. */
export class WorkerApi extends HttpApi.make("example-worker")
  .add(SessionsGroup)
  .add(WebhooksGroup)
  .annotate(OpenApi.Title, "effect-clerk example Worker")
{}

// ---- the handlers ----

// A path parameter is never empty here: the router matches no empty segment, and app.ts
// answers such a path 400 missing_parameter (common/web.ts routeNotFound).
const refuse = (problem: Problem) => Effect.fail(new Refused({ problem }))

/** A query parameter given at most once. */
const stringQuery = (name: string) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const value = queryParam(request.originalUrl, name)
    return value === REPEATED
      ? refuse({ status: 400, code: "invalid_query", message: `${name} must be given once` })
      : Effect.succeed(value)
  })

/** An optional integer query parameter; ranges are left to the SDK's own input checks. */
const intQuery = (name: string) =>
  Effect.flatMap(stringQuery(name), (raw) =>
    raw === undefined
      ? Effect.succeed(undefined)
      : /^-?\d{1,16}$/.test(raw)
      ? Effect.succeed(Number(raw))
      : refuse({ status: 400, code: "invalid_query", message: `${name} must be an integer` }))

/** The JSON of a session. */
export const sessionJson = (session: Session): typeof SessionJson.Type => ({
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

/**
 * A handler's body, its expected failures answered: a refusal as it says, someone else's
 * session a 403, a Clerk failure as `clerkFailure` says.
 */
const answer = <A, R>(body: Effect.Effect<A, Refused | AccessDenied | ClerkError, R>) =>
  Effect.catchAll(body, (error) =>
    Effect.succeed(problemResponse(
      error._tag === "Refused"
        ? error.problem
        : error._tag === "AccessDenied"
        ? { status: 403, code: "forbidden", message: error.message }
        : clerkFailure(error)
    )))

const SessionsLive = HttpApiBuilder.group(WorkerApi, "sessions", (handlers) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const ended = yield* EndedSessions
    const client = yield* ClerkClient
    const store = yield* Effect.serviceOption(JwksStore)
    const limiter = yield* Effect.serviceOption(RateLimiter)

    /** The caller, unless Clerk told this Worker (by webhook) that the token's session is over. */
    const caller = Effect.flatMap(CurrentSession, (session) =>
      Effect.flatMap(ended.isEnded(session.sessionId), (isEnded) => isEnded ? Effect.fail(sessionEnded) : Effect.succeed(session)))

    /** The session `id`, once the caller is known to own it (Clerk's 404 when there is none). */
    const owned = (id: string) =>
      Effect.gen(function*() {
        const { userId } = yield* caller
        const session = yield* sessions.getSession(id)
        if (session.userId !== userId) return yield* new AccessDenied({ message: "This session belongs to another user" })
        return session
      })

    return handlers
      // Who the session token says the caller is, verified in the Worker (no call to Clerk).
      .handle("me", () =>
        answer(Effect.map(caller, (session) => ({
          userId: session.userId,
          sessionId: session.sessionId,
          issuer: session.claims.iss,
          authorizedParty: session.claims.azp ?? null,
          organizationId: session.orgId ?? null,
          organizationRole: session.orgRole ?? null,
          canManageOrganization: session.has({ permission: "org:sys_memberships:manage" }),
          issuedAt: new Date(session.claims.iat * 1000).toISOString(),
          expiresAt: new Date(session.claims.exp * 1000).toISOString(),
          verifiedBy: "TokenVerifier, in this Worker (no call to Clerk)"
        }))))
      // What the isolates share: the JWKS in the store (key ids, when Clerk served it) and the request budget.
      .handle("fleet", () =>
        answer(Effect.gen(function*() {
          yield* caller
          let jwksStore: typeof Fleet.Type["jwksStore"] = null
          if (Option.isSome(store)) {
            const text = yield* Effect.orElseSucceed(store.value.get(JwksStore.keyOf(yield* client.instanceKey)), () => undefined)
            // Shown only: the verifier checks the stored entry's signature itself.
            jwksStore = { stored: storedJwksSummary(text) }
          }
          return {
            jwksStore,
            rateLimiter: Option.isSome(limiter) ? "one Clerk request budget for every isolate (Durable Object)" : null
          }
        })))
      .handle("listUserSessions", ({ path }) =>
        answer(Effect.gen(function*() {
          const callerId = (yield* caller).userId
          const userId = path.userId
          // `status`, `limit` and `offset` are range-checked by the SDK (ClerkInvalidInput → 400).
          const status = (yield* stringQuery("status")) as SessionStatusFilter | undefined
          const limit = yield* intQuery("limit")
          const offset = yield* intQuery("offset")
          if (callerId !== userId) return yield* new AccessDenied({ message: "You may only list your own sessions" })
          const page = yield* sessions.getSessionList({ userId, status, limit, offset })
          return { data: page.data.map(sessionJson), totalCount: page.totalCount }
        })))
      .handle("getSession", ({ path }) => answer(Effect.map(owned(path.id), sessionJson)))
      .handle("revokeSession", ({ path }) =>
        answer(Effect.flatMap(owned(path.id), (session) => Effect.map(sessions.revokeSession(session.id), sessionJson))))
      .handle("mintTemplateToken", ({ path }) =>
        answer(Effect.gen(function*() {
          const { template } = path
          const session = yield* owned(path.id)
          const token = yield* sessions.createSessionTokenFromTemplate(session.id, template)
          // The caller asked for this token: handing it over is the point of the endpoint.
          return { object: "token" as const, jwt: Redacted.value(token.jwt) }
        })))
  }))

/** The session events after which a session token of that session must not be taken. */
const ENDING = new Set(["session.revoked", "session.ended", "session.removed"])

/**
 * POST /webhooks/clerk: verified by `ClerkWebhooks` (Svix's signature over the body, a
 * timestamp within 5 minutes), each revoked, ended or removed session recorded in
 * `EndedSessions`, which the API then refuses. Anything not signed for this endpoint is a 400
 * (Svix retries it; a forger learns nothing). Other events are acknowledged unread.
 */
const WebhooksLive = HttpApiBuilder.group(WorkerApi, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const webhooks = yield* Effect.serviceOption(ClerkWebhooks)
    const ended = yield* EndedSessions
    return handlers.handle("clerk", () =>
      Option.match(webhooks, {
        onNone: () =>
          Effect.succeed(problemResponse({
            status: 404,
            code: "webhooks_not_configured",
            message: "This Worker takes no webhooks (CLERK_WEBHOOK_SIGNING_SECRET is not set)"
          })),
        onSome: (webhooks) =>
          Effect.flatMap(HttpServerRequest.HttpServerRequest, webhooks.verifyServerRequest).pipe(
            Effect.flatMap((event) =>
              event._tag === "SessionWebhookEvent" && ENDING.has(event.type) ? ended.record(event.session.id, event.type) : Effect.void
            ),
            Effect.as(HttpServerResponse.empty({ status: 204 })),
            Effect.catchTag("ClerkWebhookInvalid", (e) =>
              Effect.succeed(problemResponse({ status: 400, code: "invalid_webhook", message: `${e.reason}: ${e.message}` })))
          )
      }))
  }))

/** The API with its handlers and ClerkAuth (verifying with the app's TokenVerifier). */
export const ApiLive = HttpApiBuilder.api(WorkerApi).pipe(
  Layer.provide([SessionsLive, WebhooksLive]),
  Layer.provide(ClerkAuth.layer)
)
