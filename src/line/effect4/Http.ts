/**
 * The Effect 4 side of `#line/Http`: effect 4's `effect/http` client, and the calls whose
 * name or shape differs from `@effect/platform` 0.97 (same exports as `src/line/effect3/Http.ts`).
 */
import type * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse_ from "effect/http/HttpClientResponse"
import * as Effect from "effect/Effect"

export * as FetchHttpClient from "effect/http/FetchHttpClient"
export * as HttpClient from "effect/http/HttpClient"
export * as HttpClientRequest from "effect/http/HttpClientRequest"
export * as HttpClientResponse from "effect/http/HttpClientResponse"

/** Any failure of an `HttpClient` call. */
export type ClientError = HttpClientError.HttpClientError

/** `FetchHttpClient.Fetch`'s key: a `Context` is keyed by it, so looking it up needs no import of the fetch client. */
export const FETCH_KEY = "effect/http/FetchHttpClient/Fetch"

/** `request` with `body` as its JSON body. */
export const bodyJson = (request: HttpClientRequest.HttpClientRequest, body: unknown): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.bodyJsonUnsafe(request, body)

/** `client` sending no trace headers (`traceparent`, `b3`) to Clerk. */
export const withoutTracerPropagation = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, Effect.provideService(HttpClient.TracerPropagationEnabled, false))

const reasonWords: Record<HttpClientError.HttpClientErrorReason["_tag"], string> = {
  TransportError: "Transport",
  EncodeError: "Encode",
  InvalidUrlError: "InvalidUrl",
  StatusCodeError: "StatusCode reading the response",
  DecodeError: "Decode reading the response",
  EmptyBodyError: "EmptyBody reading the response"
}

/** A client failure as `ClerkTransportError.reason` words it, and what caused it. */
export const describeClientError = (error: ClientError): { readonly reason: string; readonly cause: unknown } => ({
  reason: reasonWords[error.reason._tag],
  cause: (error.reason as { readonly cause?: unknown }).cause
})

/** The failure of reading `response`'s body. */
export const bodyReadError = (response: HttpClientResponse_.HttpClientResponse, cause: unknown): ClientError =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.DecodeError({ request: response.request, response, cause })
  })

/** Response headers as a plain record (lower-cased names). */
export const headersRecord = (headers: Headers.Headers): Record<string, string | undefined> =>
  headers as unknown as Record<string, string | undefined>

/** The failure of turning `request`'s body into something `fetch` can send. */
export const requestEncodeError = (request: HttpClientRequest.HttpClientRequest, cause: unknown): ClientError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause }) })
