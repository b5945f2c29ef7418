/**
 * A scripted HttpClient for unit tests: records every request (method, URL, headers, JSON
 * body) and answers from a queue of responses or a handler.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient, type ClerkClientOptions } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: Record<string, string>
  readonly body: unknown
  /** Virtual time (TestClock millis) when the request was sent. */
  readonly at: number
}

export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly text?: string; readonly headers?: Record<string, string> }
  | { readonly transportError: string }
  | { readonly hang: true }

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers
})

export const CANARY_SECRET = "sk_test_CANARY_0b1c2d3e4f5a6b7c8d9e"

export const makeMock = (replies: ReadonlyArray<Reply> | ((req: Recorded) => Reply)) => {
  const recorded: Array<Recorded> = []
  let index = 0
  const next = (req: Recorded): Reply => {
    if (typeof replies === "function") return replies(req)
    const reply = replies[Math.min(index, replies.length - 1)]
    index++
    return reply
  }
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array"
        ? JSON.parse(new TextDecoder().decode(request.body.body))
        : undefined
      const at = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const rec: Recorded = {
        method: request.method,
        url,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...request.headers },
        body,
        at
      }
      recorded.push(rec)
      const reply = next(rec)
      if ("transportError" in reply) {
        return yield* Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", cause: new TypeError(reply.transportError) })
        )
      }
      if ("hang" in reply) return yield* Effect.never
      const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body))
      const headers = new Headers(reply.headers ?? {})
      if (reply.text === undefined && reply.body !== undefined) headers.set("content-type", "application/json")
      return HttpClientResponse.fromWeb(request, new Response(text, { status: reply.status, headers }))
    })
  )
  return { client, recorded, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** Sessions over the mock, with the canary secret key. */
export const mockSessions = (
  replies: ReadonlyArray<Reply> | ((req: Recorded) => Reply),
  options: Partial<ClerkClientOptions> = {}
) => {
  const mock = makeMock(replies)
  const layer = Sessions.layer.pipe(
    Layer.provideMerge(
      ClerkClient.layer({ secretKey: Redacted.make(CANARY_SECRET), apiUrl: "https://api.clerk.test", ...options })
    ),
    Layer.provide(mock.layer)
  )
  return { ...mock, layer }
}
