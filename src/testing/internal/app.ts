/**
 * The emulator's HTTP surface, over web `Request`/`Response`: every `/v1/sessions*` route
 * and `GET /v1/jwks` (./router.ts), wrapped so that each request is logged, may be answered
 * by a scripted fault, is authenticated with the instance's secret key, and ends in Clerk's
 * own bodies.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { catchAll } from "#line/Kernel"
import type { EmulatorRequest, EmulatorRoute } from "./model.js"
import type { Fault } from "../Fault.js"
import { signJwt, verifiedPayload } from "./keys.js"
import { makeRouter } from "./router.js"
import type { EmulatorState } from "./state.js"
import * as W from "./wire.js"

interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

interface Context {
  readonly method: string
  readonly url: URL
  readonly params: Readonly<Record<string, string | undefined>>
  readonly text: string
  readonly now: number
}

type Handler = (ctx: Context) => Effect.Effect<Reply, W.ApiFailure>

const ok = (body: unknown): Reply => ({ status: 200, body })

const MAX_LIMIT = 500
const STATUS_FILTERS = ["abandoned", "active", "ended", "expired", "removed", "replaced", "revoked"]

// ---- body and query parsing ----

const invalidJson: unique symbol = Symbol("invalidJson")

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return invalidJson
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The JSON object body; `optional` bodies may be empty. Anything else is 400 `request_body_invalid`. */
const objectBody = (text: string, optional: boolean): Effect.Effect<Record<string, unknown>, W.ApiFailure> => {
  if (text.trim().length === 0) {
    return optional ? Effect.succeed({}) : Effect.fail(W.requestBodyInvalid("a JSON object is required"))
  }
  const json = parseJson(text)
  if (json === invalidJson) return Effect.fail(W.requestBodyInvalid("it is not valid JSON"))
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

// ---- the app ----

export const makeApp = (state: EmulatorState) => {
  const secretKey = state.settings.secretKey

  /** Why `header` is refused, or undefined when it carries the instance's secret key. */
  const authorizationFailure = (header: string | undefined): W.ApiFailure | undefined => {
    if (header === undefined || header.trim() === "") return W.authorizationMissing()
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim())
    if (match === null) return W.authorizationFormatInvalid()
    return match[1] === secretKey ? undefined : W.secretKeyInvalid()
  }

  const authenticate = (header: string | undefined): Effect.Effect<void, W.ApiFailure> => {
    const failure = authorizationFailure(header)
    return failure === undefined ? Effect.void : Effect.fail(failure)
  }

  const sessionOr404 = (id: string | undefined, now: number) => {
    const session = id === undefined ? undefined : state.findSession(id, now)
    return session === undefined ? Effect.fail(W.sessionNotFound(id ?? "")) : Effect.succeed(session)
  }

  /** Token minting and the legacy verify need a live (active or pending) session: else 404. */
  const liveSessionOr404 = (id: string | undefined, now: number) =>
    Effect.flatMap(sessionOr404(id, now), (session) =>
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

  const getSessionList: Handler = ({ now, url }) =>
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

  const createSession: Handler = ({ now, text }) =>
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

  const getSession: Handler = ({ now, params }) =>
    Effect.map(sessionOr404(params.session_id, now), (s) => ok(state.sessionWire(s, false)))

  const revokeSession: Handler = ({ now, params }) =>
    Effect.map(sessionOr404(params.session_id, now), (s) => ok(state.sessionWire(state.revoke(s, now), false)))

  const verifySession: Handler = ({ now, params, text }) =>
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
      const session = yield* liveSessionOr404(params.session_id, now)
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

  const createSessionToken: Handler = ({ now, params, text }) =>
    Effect.gen(function*() {
      const body = yield* objectBody(text, true)
      const expires = yield* expiresInSeconds(body)
      const session = yield* liveSessionOr404(params.session_id, now)
      const jwt = yield* signJwt(state.keys[0], state.sessionClaims(session, now, expires))
      return ok({ object: "token", jwt })
    })

  const createSessionTokenFromTemplate: Handler = ({ now, params, text }) =>
    Effect.gen(function*() {
      const body = yield* objectBody(text, true)
      const expires = yield* expiresInSeconds(body)
      const session = yield* liveSessionOr404(params.session_id, now)
      const name = params.template_name ?? ""
      const template = state.templates.get(name)
      if (template === undefined) return yield* W.templateNotFound(name)
      const jwt = yield* signJwt(state.keys[0], state.templateClaims(template, session, now, expires))
      return ok({ object: "token", jwt })
    })

  const refreshSession: Handler = ({ now, params, text }) =>
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

  const getJwks: Handler = () => Effect.succeed(ok({ keys: state.keys.map((key) => key.jwk) }))

  // ---- the wrapper every route goes through ----

  const failureReply = (failure: W.ApiFailure): Reply => ({
    status: failure.status,
    body: W.errorBody(failure.errors),
    ...(failure.headers ? { headers: failure.headers } : {})
  })

  const faultResponse = (fault: Fault, real: Effect.Effect<Reply>): Effect.Effect<Rendered> => {
    const plain = (reply: Reply) => Effect.succeed(renderJson(reply))
    switch (fault._tag) {
      case "Status":
        return plain({
          status: fault.status,
          body: fault.body ?? W.errorBody(W.serverErrors(fault.status)),
          ...(fault.headers ? { headers: { ...fault.headers } } : {})
        })
      case "RateLimited":
        return plain({
          status: 429,
          body: W.errorBody(W.tooManyRequestsErrors),
          ...(fault.retryAfter === undefined ? {} : {
            headers: {
              "retry-after": typeof fault.retryAfter === "number"
                ? String(fault.retryAfter)
                : fault.retryAfter.toUTCString()
            }
          })
        })
      case "Html":
        return Effect.succeed(renderText(fault.status, htmlPage(fault.status), "text/html; charset=utf-8", undefined))
      case "WrongShape":
        return plain({ status: 200, body: fault.body })
      case "Hang":
        return Effect.never
      case "Delay":
        return Effect.andThen(Effect.sleep(fault.duration), Effect.flatMap(real, plain))
      case "TruncatedJson":
        return Effect.map(real, (reply) => {
          const text = JSON.stringify(reply.body)
          return renderText(
            reply.status,
            text.slice(0, Math.max(1, Math.floor(text.length / 2))),
            "application/json",
            reply.headers
          )
        })
      case "DropConnection":
        return Effect.map(real, (reply) => {
          const bytes = new TextEncoder().encode(JSON.stringify(reply.body))
          const cut = Math.min(bytes.length - 1, fault.afterBytes ?? Math.floor(bytes.length / 2))
          let sent = false
          // Pull-based so the first part is delivered before the error (an error in `start`
          // would discard the queued chunk), and the error waits a moment so servers that
          // buffer (Bun) flush the status line and the first part before the reset.
          const stream = new ReadableStream<Uint8Array>({
            async pull(controller) {
              if (!sent) {
                sent = true
                controller.enqueue(bytes.slice(0, Math.max(0, cut)))
              } else {
                await new Promise((resolve) => setTimeout(resolve, 25))
                controller.error(new Error("ClerkEmulator: connection dropped mid-body (Fault.dropConnection)"))
              }
            }
          })
          return {
            status: reply.status,
            headers: {
              ...lowerCased(reply.headers),
              "content-type": "application/json",
              "content-length": String(bytes.length)
            },
            body: stream
          }
        })
    }
  }

  const handleWith = (
    name: EmulatorRoute | undefined,
    handler: Handler,
    params: Readonly<Record<string, string | undefined>>,
    request: Request,
    url: URL
  ): Effect.Effect<Rendered> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const text = yield* Effect.orElseSucceed(Effect.tryPromise(() => request.text()), () => "")
      const headers: Record<string, string> = {}
      request.headers.forEach((value, key) => {
        headers[key] = value
      })
      const authorization = headers.authorization
      delete headers.authorization
      const json = text.length === 0 ? undefined : parseJson(text)
      const entry: { -readonly [K in keyof EmulatorRequest]: EmulatorRequest[K] } = {
        method: request.method,
        path: url.pathname,
        route: name,
        query: Object.fromEntries(url.searchParams),
        headers,
        authorization: authorization === undefined
          ? "missing"
          : authorizationFailure(authorization) === undefined
          ? "valid"
          : "invalid",
        body: json === invalidJson ? text : json,
        at: now,
        status: undefined,
        fault: undefined
      }
      state.log.push(entry)

      const real = authenticate(authorization).pipe(
        Effect.andThen(handler({ method: request.method, url, params, text, now })),
        catchAll((failure: W.ApiFailure) => Effect.succeed(failureReply(failure)))
      )
      const fault = state.takeFault(name, entry)
      if (fault === undefined) {
        const reply = yield* real
        entry.status = reply.status
        return renderJson(reply)
      }
      entry.fault = fault._tag
      const rendered = yield* faultResponse(fault, real)
      entry.status = rendered.status
      return rendered
    })

  const notFound: Handler = ({ method, url }) => Effect.fail(W.routeNotFound(method, url.pathname))

  const route = makeRouter<readonly [EmulatorRoute, Handler]>([
    ["GET", "/v1/sessions", ["getSessionList", getSessionList]],
    ["POST", "/v1/sessions", ["createSession", createSession]],
    ["GET", "/v1/sessions/:session_id", ["getSession", getSession]],
    ["POST", "/v1/sessions/:session_id/revoke", ["revokeSession", revokeSession]],
    ["POST", "/v1/sessions/:session_id/verify", ["verifySession", verifySession]],
    ["POST", "/v1/sessions/:session_id/tokens", ["createSessionToken", createSessionToken]],
    ["POST", "/v1/sessions/:session_id/tokens/:template_name", [
      "createSessionTokenFromTemplate",
      createSessionTokenFromTemplate
    ]],
    ["POST", "/v1/sessions/:session_id/refresh", ["refreshSession", refreshSession]],
    ["GET", "/v1/jwks", ["getJwks", getJwks]]
  ])

  /**
   * The emulator's answer to `request`, in the calling fiber (its `Clock`). A `HEAD` request
   * gets the `GET` route's status and headers without the body.
   */
  return (request: Request): Effect.Effect<Response> => {
    const url = new URL(request.url)
    const match = route(request.method, url.pathname)
    const rendered = match === undefined
      ? handleWith(undefined, notFound, {}, request, url)
      : handleWith(match.handler[0], match.handler[1], match.params, request, url)
    const withoutBody = request.method === "HEAD"
    return Effect.map(rendered, (answer) =>
      new Response(withoutBody ? null : answer.body, { status: answer.status, headers: answer.headers }))
  }
}

/** A response before it becomes a web `Response`. */
interface Rendered {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: BodyInit
}

const lowerCased = (headers: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value
  return out
}

/**
 * `text` with its `Content-Length`; `Content-Type` is `contentType`, else the one in
 * `headers`, else none.
 */
const renderText = (
  status: number,
  text: string,
  contentType: string | undefined,
  headers: Readonly<Record<string, string>> | undefined
): Rendered => {
  const body = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>
  const out = lowerCased(headers)
  const type = contentType ?? out["content-type"]
  if (type !== undefined) out["content-type"] = type
  out["content-length"] = String(body.length)
  return { status, headers: out, body }
}

/** A reply as JSON: `application/json` unless its headers name another `Content-Type`. */
const renderJson = (reply: Reply): Rendered =>
  renderText(
    reply.status,
    JSON.stringify(reply.body),
    hasContentType(reply.headers) ? undefined : "application/json",
    reply.headers
  )

const hasContentType = (headers: Readonly<Record<string, string>> | undefined) =>
  headers !== undefined && Object.keys(headers).some((key) => key.toLowerCase() === "content-type")

const htmlPage = (status: number) => {
  const title = status === 502
    ? "502 Bad Gateway"
    : status === 503
    ? "503 Service Temporarily Unavailable"
    : status === 504
    ? "504 Gateway Time-out"
    : `${status} Error`
  return `<!DOCTYPE html>
<html>
<head><title>${title}</title></head>
<body>
<center><h1>${title}</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`
}
