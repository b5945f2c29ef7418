/**
 * The Effect 3 side of `#line/Http`: the HTTP client of `@effect/platform` 0.97, and the few
 * calls whose name or shape differs in effect 4's `effect/http` (same exports as
 * `src/line/effect4/Http.ts`).
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse_ from "@effect/platform/HttpClientResponse"
import * as HttpClient from "@effect/platform/HttpClient"

export * as FetchHttpClient from "@effect/platform/FetchHttpClient"
export * as HttpClient from "@effect/platform/HttpClient"
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"

/** Any failure of an `HttpClient` call. */
export type ClientError = HttpClientError.HttpClientError

/** `FetchHttpClient.Fetch`'s key: a `Context` is keyed by it, so looking it up needs no import of the fetch client. */
export const FETCH_KEY = "@effect/platform/FetchHttpClient/Fetch"

/** `request` with `body` as its JSON body. */
export const bodyJson = (request: HttpClientRequest.HttpClientRequest, body: unknown): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.bodyUnsafeJson(request, body)

/** `client` sending no trace headers (`traceparent`, `b3`) to Clerk. */
export const withoutTracerPropagation = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.withTracerPropagation(client, false)

/** A client failure as `ClerkTransportError.reason` words it, and what caused it. */
export const describeClientError = (error: ClientError): { readonly reason: string; readonly cause: unknown } => ({
  reason: error._tag === "RequestError" ? error.reason : `${error.reason} reading the response`,
  cause: error.cause
})

/** The failure of reading `response`'s body. */
export const bodyReadError = (response: HttpClientResponse_.HttpClientResponse, cause: unknown): ClientError =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

/** Response headers as a plain record (lower-cased names). */
export const headersRecord = (headers: Headers.Headers): Record<string, string | undefined> =>
  headers as Record<string, string | undefined>

/** The failure of turning `request`'s body into something `fetch` can send. */
export const requestEncodeError = (request: HttpClientRequest.HttpClientRequest, cause: unknown): ClientError =>
  new HttpClientError.RequestError({ request, reason: "Encode", cause })
