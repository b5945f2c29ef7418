/**
 * The emulator's Backend API routes: each a handler from a parsed request to Clerk's reply
 * or Clerk's error (`W.ApiFailure`), on the instance's state, and the table that names them.
 * Authentication, the request log, scripted faults and rendering are ./app.ts's, the same for
 * every route.
 */
import * as Effect from "effect/Effect"
import { INVALID_JSON, parseJson } from "../../internal/json.js"
import { signJwt, verifiedPayload } from "./keys.js"
import type { EmulatorRoute } from "./model.js"
import type { EmulatorState } from "./state.js"
import * as W from "./wire.js"

/** A route's answer before it is rendered. */
export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

/** What a handler is given of a request. */
export interface Context {
  readonly method: string
  readonly url: URL
  readonly params: Readonly<Record<string, string | undefined>>
  readonly text: string
  readonly now: number
}

export type Handler = (state: EmulatorState, ctx: Context) => Effect.Effect<Reply, W.ApiFailure>

export interface Route {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly name: EmulatorRoute
  readonly handle: Handler
}

const ok = (body: unknown): Reply => ({ status: 200, body })

const MAX_LIMIT = 500
const STATUS_FILTERS = ["abandoned", "active", "ended", "expired", "removed", "replaced", "revoked"]

// ---- body and query parsing ----

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The JSON object body; `optional` bodies may be empty. Anything else is 400 `request_body_invalid`. */
const objectBody = (text: string, optional: boolean): Effect.Effect<Record<string, unknown>, W.ApiFailure> => {
  if (text.trim().length === 0) {
    return optional ? Effect.succeed({}) : Effect.fail(W.requestBodyInvalid("a JSON object is required"))
  }
  const json = parseJson(text)
  if (json === INVALID_JSON) return Effect.fail(W.requestBodyInvalid("it is not valid JSON"))
  if (!isRecord(json)) return Effect.fail(W.requestBodyInvalid("it must be a JSON object"))
  return Effect.succeed(json)
}

const unknownKey = (body: Record<string, unknown>, allowed: ReadonlyArray<string>) =>
  Object.keys(body).find((key) => !allowed.includes(key))

/** A query integer in `min..max`, else 422 `form_param_value_invalid` naming it. */
const intParam = (url: URL, name: string, min: number, max: number, fallback: number) => {
  const raw = url.searchParams.get(name)
  if (raw === null) return Effect.succeed(fallback)
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return Effect.fail(
      W.paramError(
        422,
        "value_invalid",
        name,
        `${raw} is not a valid value for ${name}: it must be an integer ${
          max === Number.MAX_SAFE_INTEGER ? `greater than or equal to ${min}` : `between ${min} and ${max}`
        }`
      )
    )
  }
  return Effect.succeed(value)
}

const expiresInSeconds = (body: Record<string, unknown>) => {
  const value = body.expires_in_seconds
  if (value === undefined || value === null) return Effect.succeed(undefined)
  if (typeof value !== "number" || !Number.isInteger(value) || value < 30 || value > 315360000) {
    return Effect.fail(
      W.paramError(
        422,
        "value_invalid",
        "expires_in_seconds",
        "expires_in_seconds must be an integer between 30 and 315360000"
      )
    )
  }
  return Effect.succeed(value)
}

// ---- the routes ----

const sessionOr404 = (state: EmulatorState, id: string | undefined, now: number) => {
  const session = id === undefined ? undefined : state.findSession(id, now)
  return session === undefined ? Effect.fail(W.sessionNotFound(id ?? "")) : Effect.succeed(session)
}

/** Token minting and the legacy verify need a live (active or pending) session: else 404. */
const liveSessionOr404 = (state: EmulatorState, id: string | undefined, now: number) =>
  Effect.flatMap(sessionOr404(state, id, now), (session) =>
    session.status === "active" || session.status === "pending"
      ? Effect.succeed(session)
      : Effect.fail(
        new W.ApiFailure({
          status: 404,
          errors: [{
            message: "Session not found",
            long_message: `No active session was found with id ${session.id}`,
            code: "resource_not_found"
          }]
        })
      ))

const getSessionList: Handler = (state, { now, url }) =>
  Effect.gen(function*() {
    const status = url.searchParams.get("status")
    if (status !== null && !STATUS_FILTERS.includes(status)) {
      return yield* W.paramError(
        422,
        "value_invalid",
        "status",
        `${status} does not match one of the allowed values for parameter status`
      )
    }
    const paginated = url.searchParams.get("paginated")
    if (paginated !== null && paginated !== "true" && paginated !== "false") {
      return yield* W.paramError(422, "value_invalid", "paginated", `${paginated} is not a boolean`)
    }
    const limit = yield* intParam(url, "limit", 1, MAX_LIMIT, 10)
    const offset = yield* intParam(url, "offset", 0, Number.MAX_SAFE_INTEGER, 0)
    const userId = url.searchParams.get("user_id")
    const clientId = url.searchParams.get("client_id")
    const matching = state.listSessions({
      ...(userId !== null ? { userId } : {}),
      ...(clientId !== null ? { clientId } : {}),
      ...(status !== null ? { status } : {})
    }, now)
    const data = matching.slice(offset, offset + limit).map((s) => state.sessionWire(s, true))
    return ok(paginated === "true" ? { data, total_count: matching.length } : data)
  })

const createSession: Handler = (state, { now, text }) =>
  Effect.gen(function*() {
    // A production instance refuses at once. The spec says "not available for production
    // instances" without a status; production Clerk answers 400 (observed in
    // arul28/ADE#1095, 2026-08: "production Clerk returns HTTP 400 for POST /sessions"
    // with a body that mentions production), so: 400 `bad_request` saying so.
    if (state.settings.production) {
      return yield* new W.ApiFailure({
        status: 400,
        errors: [{
          message: "Operation not available for production instances",
          long_message:
            "Creating sessions through the Backend API is intended for testing only and is not available for production instances. Use Sign-in Tokens instead.",
          code: "bad_request"
        }]
      })
    }
    const body = yield* objectBody(text, false)
    const extra = unknownKey(body, ["user_id", "active_organization_id"])
    if (extra !== undefined) {
      return yield* W.paramError(422, "unknown", extra, `${extra} is not a valid parameter for this request`)
    }
    if (body.user_id === undefined || body.user_id === null) {
      return yield* W.paramError(422, "missing", "user_id", "user_id must be included")
    }
    if (typeof body.user_id !== "string" || body.user_id === "") {
      return yield* W.paramError(422, "type_invalid", "user_id", "user_id must be a non-empty string")
    }
    const org = body.active_organization_id
    if (org !== undefined && (typeof org !== "string" || org === "")) {
      return yield* W.paramError(
        422,
        "type_invalid",
        "active_organization_id",
        "active_organization_id must be a non-empty string"
      )
    }
    if (!state.users.has(body.user_id)) return yield* W.userNotFound(body.user_id)
    if (org !== undefined) {
      if (!state.organizations.has(org)) return yield* W.organizationNotFound(org)
      if (state.membership(org, body.user_id) === undefined) {
        return yield* W.paramError(
          422,
          "value_invalid",
          "active_organization_id",
          `${body.user_id} is not a member of organization ${org}`
        )
      }
    }
    const session = state.createSession(body.user_id, org, now)
    return ok(state.sessionWire(session, false))
  })

const getSession: Handler = (state, { now, params }) =>
  Effect.map(sessionOr404(state, params.session_id, now), (s) => ok(state.sessionWire(s, false)))

const revokeSession: Handler = (state, { now, params }) =>
  Effect.map(sessionOr404(state, params.session_id, now), (s) => ok(state.sessionWire(state.revoke(s, now), false)))

const verifySession: Handler = (state, { now, params, text }) =>
  Effect.gen(function*() {
    if (state.verifyEndpoint === "gone") return yield* W.verifyDeprecated()
    // The pre-2024 behaviour (spec 2021-02-05): the session, if the token belongs to it.
    const body = yield* objectBody(text, true)
    const extra = unknownKey(body, ["token"])
    if (extra !== undefined) {
      return yield* W.paramError(400, "unknown", extra, `${extra} is not a valid parameter for this request`)
    }
    if (body.token !== undefined && typeof body.token !== "string") {
      return yield* W.paramError(400, "type_invalid", "token", "token must be a string")
    }
    const session = yield* liveSessionOr404(state, params.session_id, now)
    if (typeof body.token === "string") {
      const claims = yield* verifiedPayload(state.keys, body.token)
      const nowSeconds = Math.floor(now / 1000)
      const valid = claims !== undefined && claims.sid === session.id &&
        typeof claims.exp === "number" && claims.exp + 5 >= nowSeconds &&
        (typeof claims.nbf !== "number" || claims.nbf - 5 <= nowSeconds)
      if (!valid) return yield* W.invalidSessionToken()
    }
    return ok(state.sessionWire(session, false))
  })

const createSessionToken: Handler = (state, { now, params, text }) =>
  Effect.gen(function*() {
    const body = yield* objectBody(text, true)
    const expires = yield* expiresInSeconds(body)
    const session = yield* liveSessionOr404(state, params.session_id, now)
    const jwt = yield* signJwt(state.keys[0], state.sessionClaims(session, now, expires))
    return ok({ object: "token", jwt })
  })

const createSessionTokenFromTemplate: Handler = (state, { now, params, text }) =>
  Effect.gen(function*() {
    const body = yield* objectBody(text, true)
    const expires = yield* expiresInSeconds(body)
    const session = yield* liveSessionOr404(state, params.session_id, now)
    const name = params.template_name ?? ""
    const template = state.templates.get(name)
    if (template === undefined) return yield* W.templateNotFound(name)
    const jwt = yield* signJwt(state.keys[0], state.templateClaims(template, session, now, expires))
    return ok({ object: "token", jwt })
  })

const refreshSession: Handler = (state, { now, params, text }) =>
  Effect.gen(function*() {
    const body = yield* objectBody(text, false)
    const allowed = [
      "expired_token",
      "refresh_token",
      "request_origin",
      "request_headers",
      "format",
      "request_originating_ip"
    ]
    const extra = unknownKey(body, allowed)
    if (extra !== undefined) {
      return yield* W.paramError(400, "unknown", extra, `${extra} is not a valid parameter for this request`)
    }
    for (const name of ["expired_token", "refresh_token", "request_origin"]) {
      if (body[name] === undefined || body[name] === null) {
        return yield* W.paramError(400, "missing", name, `${name} must be included`)
      }
      if (typeof body[name] !== "string") {
        return yield* W.paramError(400, "type_invalid", name, `${name} must be a string`)
      }
    }
    if (body.request_headers !== undefined && body.request_headers !== null && !isRecord(body.request_headers)) {
      return yield* W.paramError(400, "type_invalid", "request_headers", "request_headers must be an object")
    }
    if (body.format !== undefined && body.format !== null && body.format !== "token" && body.format !== "cookie") {
      return yield* W.paramError(400, "value_invalid", "format", "format must be one of token, cookie")
    }
    const ip = body.request_originating_ip
    if (ip !== undefined && ip !== null && typeof ip !== "string") {
      return yield* W.paramError(400, "type_invalid", "request_originating_ip", "request_originating_ip must be a string")
    }
    const id = params.session_id ?? ""
    const session = state.findSession(id, now)
    if (session === undefined) {
      return yield* W.refreshUnauthorized("session_refresh_session_not_found", `No session was found with id ${id}`)
    }
    const claims = yield* verifiedPayload(state.keys, body.expired_token as string)
    if (claims === undefined) {
      return yield* W.refreshUnauthorized(
        "expired_session_token_invalid",
        "The expired session token is not a session token signed by this instance"
      )
    }
    if (typeof claims.sid !== "string") {
      return yield* W.refreshUnauthorized("expired_session_token_missing_sid", "The expired session token has no sid")
    }
    if (claims.sid !== session.id) {
      return yield* W.refreshUnauthorized("refresh_sid_mismatch", "The expired session token belongs to another session")
    }
    if (typeof claims.azp !== "string") {
      return yield* W.refreshUnauthorized("expired_session_token_missing_azp", "The expired session token has no azp")
    }
    if (claims.azp !== body.request_origin) {
      return yield* W.refreshUnauthorized(
        "refresh_request_origin_azp_mismatch",
        "request_origin does not match the azp of the expired session token"
      )
    }
    if (body.refresh_token !== session.refreshToken) {
      return yield* W.refreshUnauthorized("refresh_token_not_found", "The refresh token was not found")
    }
    if (session.status !== "active" && session.status !== "pending") {
      return yield* W.refreshUnauthorized("session_refresh_inactive_session", `Session ${session.id} is ${session.status}`)
    }
    session.lastActiveAt = now
    session.updatedAt = now
    const jwt = yield* signJwt(state.keys[0], state.sessionClaims(session, now, undefined))
    if (body.format === "cookie") {
      return ok({
        object: "cookies",
        cookies: [
          `__session=${jwt}; Path=/; Secure; SameSite=Lax`,
          `__client_uat=${Math.floor(now / 1000)}; Path=/; Max-Age=315360000; Secure; SameSite=Lax`
        ]
      })
    }
    return ok({ object: "token", jwt })
  })

const getJwks: Handler = (state) => Effect.succeed(ok({ keys: state.keys.map((key) => key.jwk) }))

// ---- the wrapper every route goes through ----

/**
 * The routes, as a table: method, path (`:name` segments become `params`), the name the
 * request log and faults use, and the handler. ./app.ts wraps every one the same way.
 */
export const routes: ReadonlyArray<Route> = [
  { method: "GET", path: "/v1/sessions", name: "getSessionList", handle: getSessionList },
  { method: "POST", path: "/v1/sessions", name: "createSession", handle: createSession },
  { method: "GET", path: "/v1/sessions/:session_id", name: "getSession", handle: getSession },
  { method: "POST", path: "/v1/sessions/:session_id/revoke", name: "revokeSession", handle: revokeSession },
  { method: "POST", path: "/v1/sessions/:session_id/verify", name: "verifySession", handle: verifySession },
  { method: "POST", path: "/v1/sessions/:session_id/tokens", name: "createSessionToken", handle: createSessionToken },
  {
    method: "POST",
    path: "/v1/sessions/:session_id/tokens/:template_name",
    name: "createSessionTokenFromTemplate",
    handle: createSessionTokenFromTemplate
  },
  { method: "POST", path: "/v1/sessions/:session_id/refresh", name: "refreshSession", handle: refreshSession },
  { method: "GET", path: "/v1/jwks", name: "getJwks", handle: getJwks }
]
