/**
 * Every Clerk Backend API Sessions endpoint as a typed Effect: input checked before
 * sending, the response decoded by Schema, each failure a tagged error.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { paginate, Service, TRUSTED } from "#line/Kernel"
import { ClerkClient, type ClerkRequestError } from "./ClerkClient.js"
import type { ClerkCommonError } from "./ClerkError.js"
import { BODY_CAPS } from "./internal/body.js"
import { decodeSession, decodeSessionListWire } from "./internal/decode.js"
import { lazyDecoder, mapDecoded } from "./internal/lazy.js"
import { declared, operation, type RequestParts } from "./internal/operation.js"
import { annotate } from "./internal/span.js"
import type { DeclaredStatus } from "./internal/request.js"
import * as V from "./internal/validate.js"
import {
  type Session,
  SessionCookies,
  SessionList,
  SessionRefresh,
  type SessionStatusFilter,
  SessionToken
} from "./Session.js"

/**
 * Filters and paging of `getSessionList` and `listAll`. Clerk asks for at least one of
 * `userId` or `clientId`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { type GetSessionListParams, Sessions } from "effect-clerk"
 *
 * // A user's active sessions, 50 per page.
 * const params: GetSessionListParams = { userId: "user_123", status: "active", limit: 50 }
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* Sessions
 *   const firstPage = yield* sessions.getSessionList(params) // { data: at most 50, totalCount }
 *   const all = yield* Stream.runCount(sessions.listAll(params)) // every page, 50 at a time
 *   return { shown: firstPage.data.length, all }
 * })
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface GetSessionListParams {
  readonly userId?: string | undefined
  readonly clientId?: string | undefined
  readonly status?: SessionStatusFilter | undefined
  /** 1..500 (Clerk's default is 10). For `listAll` it is the page size (default 100). */
  readonly limit?: number | undefined
  /** ≥ 0. `listAll` starts here. */
  readonly offset?: number | undefined
}

/**
 * The body of `verifySession`: the session's `__session` token, checked to belong to it.
 * Clerk deprecates the endpoint and answers 410 (`ClerkGone`): verify tokens locally with
 * `TokenVerifier` instead.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Sessions, type VerifySessionParams } from "effect-clerk"
 *
 * const params: VerifySessionParams = { token: Redacted.make("eyJ...") }
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.verifySession("sess_123", params)).pipe(
 *   // What Clerk answers today: 410 operation_deprecated.
 *   Effect.catchTag("ClerkGone", (e) => Effect.logWarning(`verifySession: ${e.errors[0]?.code}, use TokenVerifier`))
 * )
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface VerifySessionParams {
  /** The `__session` JWT; it must belong to the session. */
  readonly token?: Redacted.Redacted<string> | string | undefined
}

/**
 * Options of `createSessionToken` and `createSessionTokenFromTemplate`: `expiresInSeconds`
 * overrides the token's (or the template's) lifetime.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { type CreateSessionTokenParams, Sessions } from "effect-clerk"
 *
 * const params: CreateSessionTokenParams = { expiresInSeconds: 300 } // an integer in 30..315360000
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* Sessions
 *   const token = yield* sessions.createSessionToken("sess_123", params)
 *   const templated = yield* sessions.createSessionTokenFromTemplate("sess_123", "my_template", params)
 *   return [token.jwt, templated.jwt] // Redacted
 * }).pipe(
 *   // e.g. { expiresInSeconds: 10 }: "expiresInSeconds must be in 30..315360000, got 10", nothing sent
 *   Effect.catchTag("ClerkInvalidInput", (e) => Console.error(`${e.field} ${e.reason}`))
 * )
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface CreateSessionTokenParams {
  /** Overrides the token lifetime: an integer in 30..315360000. */
  readonly expiresInSeconds?: number | undefined
}

/**
 * The body of `createSession` (`POST /v1/sessions`, testing instances only): the user, and
 * optionally the organization to make active (the user must be a member).
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { type CreateSessionParams, Sessions } from "effect-clerk"
 *
 * // A session for a test user, with an organization active. Never re-sent automatically.
 * const params: CreateSessionParams = { userId: "user_123", activeOrganizationId: "org_456" }
 *
 * const program = Effect.flatMap(Sessions, (sessions) => sessions.createSession(params)).pipe(
 *   Effect.tap((session) => Console.log(`${session.id} is ${session.status}`)), // "sess_… is active"
 *   // An unknown user or organization: "No user was found with id user_123" or the like.
 *   Effect.catchTag("ClerkNotFound", (e) => Console.error(e.errors[0]?.longMessage))
 * )
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface CreateSessionParams {
  readonly userId: string
  readonly activeOrganizationId?: string | undefined
}

/**
 * The body of `refreshSession`: the expired `__session` token, the `__refresh` cookie and
 * the Origin of the browser request being refreshed (plus its headers and IP when you have
 * them). Secrets may be given `Redacted`; they are never quoted in errors.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { type RefreshSessionParams, Sessions } from "effect-clerk"
 *
 * // From the browser request whose session token expired.
 * const refresh = (request: Request, sessionId: string, expiredToken: string, refreshCookie: string) => {
 *   const params: RefreshSessionParams = {
 *     expiredToken: Redacted.make(expiredToken),
 *     refreshToken: Redacted.make(refreshCookie),
 *     requestOrigin: request.headers.get("origin") ?? "https://app.example.com",
 *     requestHeaders: Object.fromEntries(request.headers),
 *     requestOriginatingIp: request.headers.get("cf-connecting-ip") ?? undefined
 *   }
 *   // A SessionToken (the default format "token"); Clerk's refusal is ClerkUnauthorized.
 *   return Effect.flatMap(Sessions, (sessions) => sessions.refreshSession(sessionId, params))
 * }
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface RefreshSessionParams {
  /** The expired `__session` JWT. */
  readonly expiredToken: Redacted.Redacted<string> | string
  /** The `__refresh` cookie value. */
  readonly refreshToken: Redacted.Redacted<string> | string
  /** The Origin of the request being refreshed. */
  readonly requestOrigin: string
  readonly requestHeaders?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  /** `token` (default) returns a `SessionToken`; `cookie` returns `SessionCookies`. */
  readonly format?: "token" | "cookie" | undefined
  readonly requestOriginatingIp?: string | undefined
}

/**
 * The errors of an operation whose spec declares the 4xx statuses `S`: their error classes
 * plus {@link ClerkCommonError}. `getSession`'s is `SessionsError<400 | 401 | 404>`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type Session, Sessions, type SessionsError } from "effect-clerk"
 *
 * // Your own wrapper keeps getSession's exact error type.
 * const loadSession = (sessionId: string): Effect.Effect<Session, SessionsError<400 | 401 | 404>, Sessions> =>
 *   Effect.flatMap(Sessions, (sessions) => sessions.getSession(sessionId))
 *
 * // With the 404 handled, it is no longer in the error type.
 * const findSession = (sessionId: string) =>
 *   loadSession(sessionId).pipe(Effect.catchTag("ClerkNotFound", () => Effect.succeed(undefined)))
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type SessionsError<S extends DeclaredStatus> = ClerkRequestError<S>

/**
 * @since 0.1.0
 */
export declare namespace Sessions {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** `GET /v1/sessions?paginated=true`: one page, newest first. */
    readonly getSessionList: (params?: GetSessionListParams) => Effect.Effect<SessionList, SessionsError<400 | 401 | 422>>
    /** Every session matching the filters, paging with `limit`/`offset` until the end. */
    readonly listAll: (params?: GetSessionListParams) => Stream.Stream<Session, SessionsError<400 | 401 | 422>>
    /** `GET /v1/sessions/{id}`. */
    readonly getSession: (sessionId: string) => Effect.Effect<Session, SessionsError<400 | 401 | 404>>
    /** `POST /v1/sessions/{id}/revoke`: the session, now `revoked`. */
    readonly revokeSession: (sessionId: string) => Effect.Effect<Session, SessionsError<400 | 401 | 404>>
    /**
     * `POST /v1/sessions/{id}/verify`. Deprecated by Clerk, which answers 410
     * (`ClerkGone`); verify tokens locally with `TokenVerifier` instead.
     */
    readonly verifySession: (
      sessionId: string,
      params?: VerifySessionParams
    ) => Effect.Effect<Session, SessionsError<400 | 401 | 404 | 410>>
    /** `POST /v1/sessions/{id}/tokens`: a session token. */
    readonly createSessionToken: (
      sessionId: string,
      params?: CreateSessionTokenParams
    ) => Effect.Effect<SessionToken, SessionsError<401 | 404>>
    /** `POST /v1/sessions/{id}/tokens/{template}`: a token from a JWT template. */
    readonly createSessionTokenFromTemplate: (
      sessionId: string,
      templateName: string,
      params?: CreateSessionTokenParams
    ) => Effect.Effect<SessionToken, SessionsError<401 | 404>>
    /** `POST /v1/sessions`: testing instances only. Never re-sent automatically. */
    readonly createSession: (params: CreateSessionParams) => Effect.Effect<Session, SessionsError<400 | 401 | 404 | 422>>
    /** `POST /v1/sessions/{id}/refresh`. Never re-sent automatically. */
    readonly refreshSession: (
      sessionId: string,
      params: RefreshSessionParams
    ) => Effect.Effect<SessionToken | SessionCookies, SessionsError<400 | 401>>
  }
}

/**
 * The Sessions endpoints. `Sessions.layer` needs a {@link ClerkClient}.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 *
 * // Sign a user out everywhere: revoke every active session (up to 500, one page).
 * const signOutEverywhere = (userId: string) =>
 *   Effect.gen(function*() {
 *     const sessions = yield* Sessions
 *     const page = yield* sessions.getSessionList({ userId, status: "active", limit: 500 })
 *     yield* Effect.forEach(page.data, (session) => sessions.revokeSession(session.id), { discard: true })
 *     return page.data.length
 *   })
 *
 * const SessionsLive = Sessions.layer.pipe(
 *   Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") }))
 * )
 *
 * Effect.runPromise(Effect.provide(signOutEverywhere("user_123"), SessionsLive))
 *   .then((count) => console.log(`${count} sessions revoked`))
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class Sessions extends Service<Sessions, Sessions.Service>()("effect-clerk/Sessions") {
  /** @since 0.1.0 */
  static readonly make: Effect.Effect<Sessions.Service, never, ClerkClient> = Effect.suspend(() => make)
  /** @since 0.1.0 */
  static readonly layer: Layer.Layer<Sessions, never, ClerkClient> = Layer.effect(Sessions, Effect.suspend(() => make))
}

// Decoders compiled once per schema, not per call; sessions take a fast path (internal/decode.ts).
/** Both list shapes, remembering which one came (only the paginated one has a real total). */
const decodeSessionPage = (body: unknown) =>
  mapDecoded(decodeSessionListWire(body), (wire) =>
    Array.isArray(wire)
      ? { list: new SessionList({ data: wire, totalCount: wire.length }, TRUSTED), paginated: false }
      : { list: new SessionList(wire as SessionList, TRUSTED), paginated: true })
const decodeSessionToken = lazyDecoder(SessionToken)
const decodeSessionRefresh = lazyDecoder(SessionRefresh)

// One page of up to 500 sessions is about 1 MB; anything else is one small object.
const listCap = BODY_CAPS.list
const resourceCap = BODY_CAPS.resource

const statusFilters = ["abandoned", "active", "ended", "expired", "removed", "replaced", "revoked"] as const

interface ListQuery {
  readonly userId: string | undefined
  readonly clientId: string | undefined
  readonly status: string | undefined
  readonly limit: number | undefined
  readonly offset: number
}

const listQuery = Effect.fnUntraced(function*(
  operation: string,
  params: GetSessionListParams | undefined,
  defaultLimit: number | undefined
) {
  const userId = yield* V.optionalString(operation, "userId", params?.userId)
  const clientId = yield* V.optionalString(operation, "clientId", params?.clientId)
  const status = yield* V.oneOf(operation, "status", params?.status, statusFilters)
  const limit = (yield* V.integerInRange(operation, "limit", params?.limit, 1, 500)) ?? defaultLimit
  const offset = yield* V.integerInRange(operation, "offset", params?.offset, 0, Number.MAX_SAFE_INTEGER)
  return { userId, clientId, status, limit, offset: offset ?? 0 } satisfies ListQuery
})

const listParts = (query: ListQuery): RequestParts => {
  const params: Array<readonly [string, string]> = []
  if (query.userId !== undefined) params.push(["user_id", query.userId])
  if (query.clientId !== undefined) params.push(["client_id", query.clientId])
  if (query.status !== undefined) params.push(["status", query.status])
  params.push(["paginated", "true"])
  if (query.limit !== undefined) params.push(["limit", String(query.limit)])
  if (query.offset !== 0) params.push(["offset", String(query.offset)])
  return { path: "/sessions", urlParams: params }
}

/** `/sessions/{id}<suffix>`, or the failed check of `sessionId`. */
const sessionPath = (op: string, sessionId: string, suffix = "") => {
  const id = V.checkSegment(op, "sessionId", sessionId)
  return typeof id === "string" ? { path: `/sessions/${id}${suffix}` } : Effect.fail(id)
}

const tokenBody = (expiresInSeconds: number | undefined) =>
  expiresInSeconds === undefined ? undefined : { expires_in_seconds: expiresInSeconds }

const expiresIn = (op: string, params: CreateSessionTokenParams | undefined) =>
  V.integerInRange(op, "expiresInSeconds", params?.expiresInSeconds, 30, 315360000)

const bySession = ([sessionId]: readonly [string, ...Array<unknown>]) => ({ "clerk.session_id": sessionId })

const make = Effect.gen(function*() {
  const client = yield* ClerkClient

  const getSessionList = operation(client, {
    name: "getSessionList",
    method: "GET",
    statuses: declared(400, 401, 422),
    cap: listCap,
    decode: decodeSessionPage,
    idempotent: true,
    request: (params?: GetSessionListParams) =>
      Effect.flatMap(listQuery("getSessionList", params, undefined), (query) =>
        query.userId === undefined
          ? Effect.succeed(listParts(query))
          : Effect.as(annotate("clerk.user_id", query.userId), listParts(query)))
  })

  // One page of listAll: the query is checked once, before the first page.
  const listPage = operation(client, {
    name: "listAll",
    method: "GET",
    statuses: declared(400, 401, 422),
    cap: listCap,
    decode: decodeSessionPage,
    idempotent: true,
    attributes: ([query]) => ({ "clerk.offset": query.offset, "clerk.limit": query.limit }),
    request: listParts
  })

  const listAll = (params?: GetSessionListParams): Stream.Stream<Session, SessionsError<400 | 401 | 422>> =>
    Stream.unwrap(Effect.map(listQuery("listAll", params, 100), (query) => {
      const limit = query.limit ?? 100
      return paginate(query.offset, (offset: number) =>
        Effect.map(listPage({ ...query, limit, offset }), (page) => {
          const next = offset + page.list.data.length
          // A short page ends the walk in either body shape; with a total, so does reaching it.
          const done = page.list.data.length < limit || (page.paginated && next >= page.list.totalCount)
          return [page.list.data, done ? Option.none<number>() : Option.some(next)] as const
        }))
    }))

  const getSession = operation(client, {
    name: "getSession",
    method: "GET",
    statuses: declared(400, 401, 404),
    cap: resourceCap,
    decode: decodeSession,
    idempotent: true,
    attributes: bySession,
    request: (sessionId: string) => sessionPath("getSession", sessionId)
  })

  const revokeSession = operation(client, {
    name: "revokeSession",
    method: "POST",
    statuses: declared(400, 401, 404),
    cap: resourceCap,
    decode: decodeSession,
    idempotent: true,
    attributes: bySession,
    request: (sessionId: string) => sessionPath("revokeSession", sessionId, "/revoke")
  })

  const verifySession = operation(client, {
    name: "verifySession",
    method: "POST",
    statuses: declared(400, 401, 404, 410),
    cap: resourceCap,
    decode: decodeSession,
    idempotent: true,
    attributes: bySession,
    request: (sessionId: string, params?: VerifySessionParams) =>
      Effect.gen(function*() {
        const id = yield* V.segment("verifySession", "sessionId", sessionId)
        const token = yield* V.secretString("verifySession", "token", params?.token, false)
        return { path: `/sessions/${id}/verify`, body: token === undefined ? {} : { token } }
      })
  })

  const createSessionToken = operation(client, {
    name: "createSessionToken",
    method: "POST",
    statuses: declared(401, 404),
    cap: resourceCap,
    decode: decodeSessionToken,
    idempotent: true,
    attributes: bySession,
    request: (sessionId: string, params?: CreateSessionTokenParams) =>
      Effect.gen(function*() {
        const id = yield* V.segment("createSessionToken", "sessionId", sessionId)
        const expires = yield* expiresIn("createSessionToken", params)
        return { path: `/sessions/${id}/tokens`, body: tokenBody(expires) }
      })
  })

  const createSessionTokenFromTemplate = operation(client, {
    name: "createSessionTokenFromTemplate",
    method: "POST",
    statuses: declared(401, 404),
    cap: resourceCap,
    decode: decodeSessionToken,
    idempotent: true,
    attributes: ([sessionId, templateName]) => ({ "clerk.session_id": sessionId, "clerk.template": templateName }),
    request: (sessionId: string, templateName: string, params?: CreateSessionTokenParams) =>
      Effect.gen(function*() {
        const id = yield* V.segment("createSessionTokenFromTemplate", "sessionId", sessionId)
        const template = yield* V.segment("createSessionTokenFromTemplate", "templateName", templateName)
        const expires = yield* expiresIn("createSessionTokenFromTemplate", params)
        return { path: `/sessions/${id}/tokens/${template}`, body: tokenBody(expires) }
      })
  })

  const createSession = operation(client, {
    name: "createSession",
    method: "POST",
    statuses: declared(400, 401, 404, 422),
    cap: resourceCap,
    decode: decodeSession,
    idempotent: false,
    request: (params: CreateSessionParams) =>
      Effect.gen(function*() {
        const userId = yield* V.requiredString("createSession", "userId", params?.userId)
        yield* annotate("clerk.user_id", userId)
        const org = yield* V.optionalString("createSession", "activeOrganizationId", params?.activeOrganizationId)
        return { path: "/sessions", body: org === undefined ? { user_id: userId } : { user_id: userId, active_organization_id: org } }
      })
  })

  const refreshSession = operation(client, {
    name: "refreshSession",
    method: "POST",
    statuses: declared(400, 401),
    cap: resourceCap,
    decode: decodeSessionRefresh,
    idempotent: false,
    attributes: bySession,
    request: (sessionId: string, params: RefreshSessionParams) =>
      Effect.gen(function*() {
        const op = "refreshSession"
        const id = yield* V.segment(op, "sessionId", sessionId)
        const expiredToken = yield* V.secretString(op, "expiredToken", params?.expiredToken, true)
        const refreshToken = yield* V.secretString(op, "refreshToken", params?.refreshToken, true)
        const requestOrigin = yield* V.requiredString(op, "requestOrigin", params?.requestOrigin)
        const format = yield* V.oneOf(op, "format", params?.format, ["token", "cookie"] as const)
        const ip = yield* V.optionalString(op, "requestOriginatingIp", params?.requestOriginatingIp)
        const headers = yield* requestHeaders(op, params?.requestHeaders)
        const body: Record<string, unknown> = { expired_token: expiredToken, refresh_token: refreshToken, request_origin: requestOrigin }
        if (headers !== undefined) body.request_headers = headers
        if (format !== undefined) body.format = format
        if (ip !== undefined) body.request_originating_ip = ip
        return { path: `/sessions/${id}/refresh`, body }
      })
  })

  return Sessions.of({
    getSessionList: (params) => Effect.map(getSessionList(params), (page) => page.list),
    listAll,
    getSession,
    revokeSession,
    verifySession,
    createSessionToken,
    createSessionTokenFromTemplate,
    createSession,
    refreshSession
  })
})

const requestHeaders = (
  operation: string,
  value: RefreshSessionParams["requestHeaders"]
): Effect.Effect<Record<string, string | ReadonlyArray<string>> | undefined, ClerkCommonError> => {
  if (value === undefined) return Effect.succeed(undefined)
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return V.invalid(operation, "requestHeaders", "must be an object of header names to strings")
  }
  for (const [name, header] of Object.entries(value)) {
    const ok = typeof header === "string" || (Array.isArray(header) && header.every((h) => typeof h === "string"))
    if (!ok) return V.invalid(operation, "requestHeaders", `header ${JSON.stringify(name.slice(0, 64))} must be a string or string[]`)
  }
  return Effect.succeed(value as Record<string, string | ReadonlyArray<string>>)
}
