/**
 * Scripted transports for unit tests: records every request (method, URL, headers, JSON
 * body, virtual time, the spans around it) and answers from a queue of replies or a
 * handler. Two flavours of the same script: an `HttpClient` (under `ClerkClient.layer`) and
 * a `fetch` (the `FetchHttpClient.Fetch` service under `ClerkClient.layerFetch`), so a suite
 * can run over both transports and expect the same requests and outcomes.
 */
import { nowUnsafe } from "#line/Kernel"
import { currentSpan, FetchHttpClient, HttpClient, type HttpClientRequest, HttpClientResponse, httpTransportError } from "#test-line/Testing"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Tracer from "effect/Tracer"
import { ClerkClient, type ClerkClientOptions } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"
import { sample } from "./samples.js"

/** Which transport a mock drives: `ClerkClient.layer` over an `HttpClient`, or `ClerkClient.layerFetch`. */
export type TransportKind = "httpClient" | "fetch"

/** Both transports, for `describe.each(TRANSPORTS)`. */
export const TRANSPORTS = ["httpClient", "fetch"] as const satisfies ReadonlyArray<TransportKind>

/** A span around a request when it was sent. */
export interface RecordedSpan {
  readonly name: string
  readonly attributes: ReadonlyMap<string, unknown>
}

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly path: string
  readonly query: Record<string, string>
  /** Lower-cased names. */
  readonly headers: Record<string, string>
  /** The JSON body, parsed (`undefined` when none was sent). */
  readonly body: unknown
  /** The body exactly as sent (`undefined` when none was sent). */
  readonly bodyText: string | undefined
  /** Virtual time (TestClock millis) when the request was sent. */
  readonly at: number
  /** The spans around the request when it was sent, innermost first. */
  readonly spans: ReadonlyArray<RecordedSpan>
  /** Set when the request's abort signal fired (a timeout or an interruption), with its reason. */
  aborted: { readonly reason: unknown } | undefined
}

export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly text?: string; readonly headers?: Record<string, string> }
  | { readonly transportError: string }
  | { readonly hang: true }

export type Replies = ReadonlyArray<Reply> | ((req: Recorded) => Reply)

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers
})

/** A well-formed 200 for whichever Sessions route `req` is: a token, a list page or a session. */
export const okReply = (req: Recorded): Reply =>
  req.path.includes("/tokens") || req.path.endsWith("/refresh")
    ? json({ object: "token", jwt: "a.b.c" })
    : req.method === "GET" && req.path === "/v1/sessions"
    ? json(sample("session_list_200_paginated"))
    : json(sample("session_get_200"))

export const CANARY_SECRET = "sk_test_CANARY_0b1c2d3e4f5a6b7c8d9e"

/** The script: the recorded requests and the reply to each, in order (the last reply repeats). */
const script = (replies: Replies) => {
  const recorded: Array<Recorded> = []
  let index = 0
  const answer = (req: Recorded): Reply => {
    recorded.push(req)
    if (typeof replies === "function") return replies(req)
    const reply = replies[Math.min(index, replies.length - 1)]
    index++
    return reply
  }
  return { recorded, answer }
}

/** The spans of the fiber that is running now, innermost first. */
const currentSpans = (): ReadonlyArray<RecordedSpan> => {
  const spans: Array<RecordedSpan> = []
  let span: Tracer.AnySpan | undefined = currentSpan()
  while (span !== undefined && span._tag === "Span") {
    spans.push({ name: span.name, attributes: span.attributes })
    span = Option.getOrUndefined(span.parent)
  }
  return spans
}

const watchAbort = (signal: AbortSignal | null | undefined, req: Recorded) => {
  if (signal == null) return
  const record = () => {
    req.aborted ??= { reason: signal.reason }
  }
  if (signal.aborted) record()
  else signal.addEventListener("abort", record, { once: true })
}

const toResponse = (reply: { readonly status: number; readonly body?: unknown; readonly text?: string; readonly headers?: Record<string, string> }) => {
  const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body))
  const headers = new Headers(reply.headers ?? {})
  if (reply.text === undefined && reply.body !== undefined) headers.set("content-type", "application/json")
  return new Response(text, { status: reply.status, headers })
}

/** A scripted `HttpClient` (for `ClerkClient.layer`). */
export const makeMock = (replies: Replies) => {
  const { answer, recorded } = script(replies)
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url, signal) =>
    Effect.gen(function*() {
      const bodyText = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : undefined
      const at = yield* Clock.currentTimeMillis
      const rec: Recorded = {
        method: request.method,
        url,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...request.headers },
        body: bodyText === undefined ? undefined : JSON.parse(bodyText),
        bodyText,
        at,
        spans: currentSpans(),
        aborted: undefined
      }
      watchAbort(signal, rec)
      const reply = answer(rec)
      if ("transportError" in reply) {
        return yield* Effect.fail(httpTransportError(request, new TypeError(reply.transportError)))
      }
      if ("hang" in reply) return yield* Effect.never
      return HttpClientResponse.fromWeb(request, toResponse(reply))
    })
  )
  return { client, recorded, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const bodyTextOf = (body: BodyInit | null | undefined): string | undefined => {
  if (body == null) return undefined
  if (typeof body !== "string") throw new TypeError(`the fetch mock reads string bodies only, got ${typeof body}`)
  return body
}

/**
 * A scripted `fetch` (for `ClerkClient.layerFetch`), provided as `FetchHttpClient.Fetch`.
 * It records what an `HttpClient` mock records; `at` is read from the Clock of the runtime
 * the layer was built in (a test's TestClock). A `transportError` rejects with a TypeError,
 * as fetch does; a `hang` never answers, and rejects with an AbortError once aborted.
 */
export const makeFetchMock = (replies: Replies) => {
  const { answer, recorded } = script(replies)
  const layer = Layer.effect(
    FetchHttpClient.Fetch,
    Effect.map(Effect.clockWith(Effect.succeed), (clock): typeof globalThis.fetch => {
      const now = () => nowUnsafe(clock)
      return async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input))
        const bodyText = bodyTextOf(init?.body)
        const headers: Record<string, string> = {}
        new Headers(init?.headers).forEach((value, name) => {
          headers[name] = value
        })
        const rec: Recorded = {
          method: init?.method ?? "GET",
          url,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body: bodyText === undefined ? undefined : JSON.parse(bodyText),
          bodyText,
          at: now(),
          spans: currentSpans(),
          aborted: undefined
        }
        watchAbort(init?.signal, rec)
        const reply = answer(rec)
        if ("transportError" in reply) throw new TypeError(reply.transportError)
        if ("hang" in reply) {
          return new Promise<Response>((_, reject) => {
            const signal = init?.signal
            if (signal == null) return
            const abort = () => reject(signal.reason ?? new DOMException("This operation was aborted", "AbortError"))
            if (signal.aborted) abort()
            else signal.addEventListener("abort", abort, { once: true })
          })
        }
        return toResponse(reply)
      }
    })
  )
  return { recorded, layer }
}

/** The `ClerkClient` options every mock uses unless overridden: the canary secret, a test host. */
export const mockOptions = (options: Partial<ClerkClientOptions> = {}): ClerkClientOptions => ({
  secretKey: Redacted.make(CANARY_SECRET),
  apiUrl: "https://api.clerk.test",
  ...options
})

/** `ClerkClient` over a scripted transport of the given kind. */
export const mockClient = (
  replies: Replies,
  options: Partial<ClerkClientOptions> = {},
  transport: TransportKind = "httpClient"
) => {
  if (transport === "fetch") {
    const mock = makeFetchMock(replies)
    return { recorded: mock.recorded, layer: ClerkClient.layerFetch(mockOptions(options)).pipe(Layer.provide(mock.layer)) }
  }
  const mock = makeMock(replies)
  return { recorded: mock.recorded, layer: ClerkClient.layer(mockOptions(options)).pipe(Layer.provide(mock.layer)) }
}

/** Sessions (and its ClerkClient) over a scripted transport, with the canary secret key. */
export const mockSessions = (
  replies: Replies,
  options: Partial<ClerkClientOptions> = {},
  transport: TransportKind = "httpClient"
) => {
  const mock = mockClient(replies, options, transport)
  return { recorded: mock.recorded, layer: Sessions.layer.pipe(Layer.provideMerge(mock.layer)) }
}
