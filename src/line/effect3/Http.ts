/**
 * The Effect 3 side of `#line/Http`: the HTTP client of `@effect/platform` 0.97, and the few
 * calls whose name or shape differs in effect 4's `effect/http` (same exports as
 * `src/line/effect4/Http.ts`).
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as ClientRequest from "@effect/platform/HttpClientRequest"
import type * as ClientResponse from "@effect/platform/HttpClientResponse"
import * as Client from "@effect/platform/HttpClient"

// Named members, not namespaces: a bundler keeps a re-exported namespace whole (about 3 KB
// gzip of the HTTP client a Worker on layerFetch never calls).
export { Fetch, layer as fetchClientLayer } from "@effect/platform/FetchHttpClient"
export { HttpClient, make as makeClient } from "@effect/platform/HttpClient"
export { bearerToken, get as getRequest, setHeaders, setMethod, setUrl, setUrlParams } from "@effect/platform/HttpClientRequest"
export { fromWeb as responseFromWeb, type HttpClientResponse } from "@effect/platform/HttpClientResponse"

/** Any failure of an `HttpClient` call. */
export type ClientError = HttpClientError.HttpClientError

/** `FetchHttpClient.Fetch`'s key: a `Context` is keyed by it, so looking it up needs no import of the fetch client. */
export const FETCH_KEY = "@effect/platform/FetchHttpClient/Fetch"

/** `request` with `body` as its JSON body. */
export const bodyJson = (request: ClientRequest.HttpClientRequest, body: unknown): ClientRequest.HttpClientRequest =>
  ClientRequest.bodyUnsafeJson(request, body)

/** `client` sending no trace headers (`traceparent`, `b3`) to Clerk. */
export const withoutTracerPropagation = (client: Client.HttpClient): Client.HttpClient =>
  Client.withTracerPropagation(client, false)

/** A client failure as `ClerkTransportError.reason` words it, and what caused it. */
export const describeClientError = (error: ClientError): { readonly reason: string; readonly cause: unknown } => ({
  reason: error._tag === "RequestError" ? error.reason : `${error.reason} reading the response`,
  cause: error.cause
})

/** The failure of reading `response`'s body. */
export const bodyReadError = (response: ClientResponse.HttpClientResponse, cause: unknown): ClientError =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

/** Response headers as a plain record (lower-cased names). */
export const headersRecord = (headers: Headers.Headers): Record<string, string | undefined> =>
  headers as Record<string, string | undefined>

/** The failure of turning `request`'s body into something `fetch` can send. */
export const requestEncodeError = (request: ClientRequest.HttpClientRequest, cause: unknown): ClientError =>
  new HttpClientError.RequestError({ request, reason: "Encode", cause })
