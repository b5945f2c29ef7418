/**
 * The Effect 4 side of `#line/Http`: effect 4's `effect/http` client, and the calls whose
 * name or shape differs from `@effect/platform` 0.97 (same exports as `src/line/effect3/Http.ts`).
 */
import type * as Headers from "effect/http/Headers"
import * as Client from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as ClientRequest from "effect/http/HttpClientRequest"
import type * as ClientResponse from "effect/http/HttpClientResponse"
import * as Effect from "effect/Effect"

// Named members, not namespaces: a bundler keeps a re-exported namespace whole (about 3 KB
// gzip of the HTTP client a Worker on layerFetch never calls).
export { Fetch, layer as fetchClientLayer } from "effect/http/FetchHttpClient"
export { HttpClient, make as makeClient } from "effect/http/HttpClient"
export { bearerToken, get as getRequest, setHeaders, setMethod, setUrl, setUrlParams } from "effect/http/HttpClientRequest"
export { fromWeb as responseFromWeb, type HttpClientResponse } from "effect/http/HttpClientResponse"

/** Any failure of an `HttpClient` call. */
export type ClientError = HttpClientError.HttpClientError

/** `FetchHttpClient.Fetch`'s key: a `Context` is keyed by it, so looking it up needs no import of the fetch client. */
export const FETCH_KEY = "effect/http/FetchHttpClient/Fetch"

/** `request` with `body` as its JSON body. */
export const bodyJson = (request: ClientRequest.HttpClientRequest, body: unknown): ClientRequest.HttpClientRequest =>
  ClientRequest.bodyJsonUnsafe(request, body)

/** `client` sending no trace headers (`traceparent`, `b3`) to Clerk. */
export const withoutTracerPropagation = (client: Client.HttpClient): Client.HttpClient =>
  Client.transformResponse(client, Effect.provideService(Client.TracerPropagationEnabled, false))

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
export const bodyReadError = (response: ClientResponse.HttpClientResponse, cause: unknown): ClientError =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.DecodeError({ request: response.request, response, cause })
  })

/** Response headers as a plain record (lower-cased names). */
export const headersRecord = (headers: Headers.Headers): Record<string, string | undefined> =>
  headers as unknown as Record<string, string | undefined>

/** The failure of turning `request`'s body into something `fetch` can send. */
export const requestEncodeError = (request: ClientRequest.HttpClientRequest, cause: unknown): ClientError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause }) })
