/**
 * What the example Worker's JSON API (api.ts) and its page (page.ts) share: reading the
 * session token for the page (the API's is `ClerkAuth`'s), the sessions Clerk's webhooks
 * ended, whose sessions a caller may touch, the same-origin rule for POSTs, and how a Clerk
 * failure and a refusal read.
 */
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type ClerkError, ClerkTokenMissing, type KvNamespaceLike, Sessions, TokenVerifier } from "effect-clerk"
import type { Problem } from "../../common/web.js"

const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** The request's session token: `Authorization: Bearer <token>`, else the `__session` cookie. */
export const sessionToken = Effect.map(HttpServerRequest.HttpServerRequest, (request): string | undefined => {
  const match = bearer.exec(request.headers["authorization"] ?? "")
  if (match !== null) return match[1]
  const cookie = request.cookies["__session"]
  return cookie === undefined || cookie === "" ? undefined : cookie
})

/**
 * The page's sign-in check: read the request's session token and verify it with
 * `TokenVerifier` (no call to Clerk). The page tells an expired token (it refreshes it) and
 * a JWKS outage (Clerk's failure, not the person's) from the rest, so it reads the
 * verifier's own errors; the JSON API leaves all of this to `ClerkAuth`.
 */
export const authenticate = Effect.gen(function*() {
  const token = yield* sessionToken
  if (token === undefined) return yield* Effect.fail(new ClerkTokenMissing())
  const verifier = yield* TokenVerifier
  return yield* verifier.verify(token)
})

/**
 * The sessions Clerk told this Worker (by webhook, `POST /webhooks/clerk`) are over: revoked,
 * ended or removed. A session token stays valid until its `exp` (60 s by default) even after
 * its session is revoked; with this record the JSON API refuses it at once. Kept in the
 * CLERK_SESSION_EVENTS KV namespace when it is bound (every isolate sees it, within KV's
 * propagation delay), else in this isolate's memory.
 */
export class EndedSessions extends Context.Service<EndedSessions, {
  /** Remember that Clerk ended `sessionId` (a webhook said so). */
  readonly record: (sessionId: string, type: string) => Effect.Effect<void>
  /** Whether Clerk said `sessionId` ended; a store that cannot answer says no (the token's own minute still bounds it). */
  readonly isEnded: (sessionId: string) => Effect.Effect<boolean>
}>()("example/EndedSessions") {
  /** Over the KV namespace: one key per ended session, kept a day (far longer than any token it refuses). */
  static readonly kv = (kv: KvNamespaceLike) =>
    EndedSessions.of({
      record: (sessionId, type) =>
        Effect.catch(
          Effect.tryPromise(() => kv.put(`ended:${sessionId}`, type, { expirationTtl: 86_400 })),
          () => Effect.logWarning(`could not record ${type} of ${sessionId}`)
        ),
      isEnded: (sessionId) =>
        Effect.orElseSucceed(Effect.map(Effect.tryPromise(() => kv.get(`ended:${sessionId}`)), (value) => value !== null), () => false)
    })

  /** In this isolate only, the newest 10,000 kept. */
  static readonly memory = () => {
    const ended = new Set<string>()
    return EndedSessions.of({
      record: (sessionId) =>
        Effect.sync(() => {
          ended.add(sessionId)
          if (ended.size > 10_000) ended.delete(ended.values().next().value!)
        }),
      isEnded: (sessionId) => Effect.sync(() => ended.has(sessionId))
    })
  }
}

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

const firstCode = (error: { readonly errors: ReadonlyArray<{ readonly code: string }> }, fallback: string) =>
  error.errors[0]?.code ?? fallback

/** A request this API refuses with `problem` (a missing parameter, a malformed query, an ended session). */
export class Refused extends Data.TaggedError("Refused")<{ readonly problem: Problem }> {}

/** An error answer: `{ error: { code, message } }`, never a stack trace. */
export const problemResponse = ({ status, code, message, headers }: Problem) =>
  HttpServerResponse.jsonUnsafe({ error: { code, message } }, { status, headers: headers ?? {} })

/** A token of a session Clerk said is over: refused as an invalid token is, before its `exp`. */
export const sessionEnded = new Refused({
  problem: {
    status: 401,
    code: "session_ended",
    message: "This session was signed out (revoked, ended or removed at Clerk)",
    headers: { "www-authenticate": "Bearer error=\"invalid_token\"" }
  }
})

const problem = (status: number, code: string, message: string, headers?: Record<string, string>): Problem => ({
  status,
  code,
  message,
  ...(headers ? { headers } : {})
})

/**
 * How a Clerk failure reads to callers (the JSON API and the page alike). Clerk's own 4xx
 * about the resource pass through with Clerk's code; failures of our configuration or of
 * Clerk are 5xx.
 */
export const clerkFailure = (error: ClerkError): Problem => {
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
