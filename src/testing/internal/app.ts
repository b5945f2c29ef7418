/**
 * The emulator's HTTP surface, over web `Request`/`Response`: the routes of ./routes.ts
 * (every `/v1/sessions*` route and `GET /v1/jwks`, matched by ./router.ts), each wrapped the
 * same way — the request is logged, may be answered by a scripted fault, is authenticated
 * with the instance's secret key, and ends in Clerk's own bodies.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { catchAll } from "#line/Kernel"
import type { EmulatorRequest, EmulatorRoute } from "./model.js"
import type { Fault } from "../Fault.js"
import { makeRouter } from "./router.js"
import { type Handler, type Reply, type Route, routes } from "./routes.js"
import { INVALID_JSON, parseJson } from "../../internal/json.js"
import type { EmulatorState } from "./state.js"
import * as W from "./wire.js"


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
        body: json === INVALID_JSON ? text : json,
        at: now,
        status: undefined,
        fault: undefined
      }
      state.log.push(entry)

      const real = authenticate(authorization).pipe(
        Effect.andThen(handler(state, { method: request.method, url, params, text, now })),
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

  const notFound: Handler = (_, { method, url }) => Effect.fail(W.routeNotFound(method, url.pathname))

  const route = makeRouter<Route>(routes.map((r) => [r.method, r.path, r] as const))

  /**
   * The emulator's answer to `request`, in the calling fiber (its `Clock`). A `HEAD` request
   * gets the `GET` route's status and headers without the body.
   */
  return (request: Request): Effect.Effect<Response> => {
    const url = new URL(request.url)
    const match = route(request.method, url.pathname)
    const rendered = match === undefined
      ? handleWith(undefined, notFound, {}, request, url)
      : handleWith(match.handler.name, match.handler.handle, match.params, request, url)
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
