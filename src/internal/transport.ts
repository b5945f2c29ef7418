/**
 * The one transport of `ClerkClient`: how one attempt of a request reaches Clerk and comes
 * back as an {@link Exchange} (status, whole body, headers on demand), for both ways of
 * sending — the application's `HttpClient` (`ClerkClient.layer`) and `fetch` itself
 * (`ClerkClient.layerFetch`). The URL, the headers (auth, `Clerk-API-Version`, `User-Agent`),
 * the per-attempt timeout, the abort, the body cap and the transport errors (host, code,
 * scrubbed cause) are decided here once; what differs between the two is only the call that
 * sends. Mapping the exchange to a value or a typed error is internal/response.ts's.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import {
  bearerToken,
  bodyJson,
  type ClientError,
  describeClientError,
  FETCH_KEY,
  getRequest,
  headersRecord,
  type HttpClient,
  setHeaders,
  setMethod,
  setUrl,
  setUrlParams,
  withoutTracerPropagation
} from "#line/Http"
import { callback, catchAll, isLiveClock, ServiceByKey, timeoutFail as timeoutFailOn, TRUSTED } from "#line/Kernel"
import type { ClerkRequest } from "./request.js"
import { ClerkTimeout, ClerkTransportError } from "../ClerkError.js"
import { forkWithTimer, MAX_TIMER_MILLIS } from "./attempt.js"
import { BODY_CAPS, readFetchBody, readHttpClientBody } from "./body.js"
import { SCRUBBED_MESSAGE, scrubCause, secretNeedles } from "./scrub.js"

/**
 * `FetchHttpClient.Fetch` by its key: the same service (a `Context` is keyed by the tag's
 * key), without loading the HTTP client's fetch module to name it. On effect 4 it is a
 * reference that defaults to `globalThis.fetch`; looked up by key here, it is absent unless
 * provided, as on effect 3. test/FetchTransport.test.ts checks the key still matches.
 */
export const Fetch = ServiceByKey<typeof globalThis.fetch>(FETCH_KEY)

/** What one attempt brings back: the status, the whole body, and the headers on demand. */
export interface Exchange {
  readonly status: number
  /** The whole body; empty when it was over its cap. */
  readonly text: string
  /** The body was longer than the route's cap and was not read to the end. */
  readonly tooLarge: boolean
  /** Lower-cased names; built only when a response handler needs them (non-2xx). */
  readonly headers: () => Record<string, string | undefined>
}

/** One attempt: send `spec` and read its whole body within `timeout`. */
export type Attempt = (spec: ClerkRequest, timeout: Duration.Duration) => Effect.Effect<Exchange, AttemptError>
export type AttemptError = ClerkTimeout | ClerkTransportError

/** Where requests go and what every one of them carries. */
export interface Settings {
  /** The base URL, ending in `/v1`. */
  readonly baseUrl: string
  readonly secretKey: Redacted.Redacted<string>
  /** Accept, Clerk-API-Version, User-Agent (lower-cased names). */
  readonly fixedHeaders: Readonly<Record<string, string>>
  /** What in a runtime error's text means it may quote the key (internal/scrub.ts). */
  readonly needles: ReadonlyArray<string>
  /** The API's host (and port), named in transport errors. */
  readonly host: string
}

/**
 * The base URL requests go to, from an `apiUrl`: surrounding whitespace and trailing `/`
 * dropped, `/v1` appended unless it is already there (`https://api.clerk.com`,
 * `https://api.clerk.com/` and `https://api.clerk.com/v1/` all give `https://api.clerk.com/v1`).
 * It does not check the URL: the layers do that (internal/options.ts).
 */
export const normalizeBaseUrl = (apiUrl: string): string => {
  let url = apiUrl.trim().replace(/\/+$/, "")
  if (url.endsWith("/v1")) url = url.slice(0, -3).replace(/\/+$/, "")
  return `${url}/v1`
}

export const settingsOf = (options: {
  readonly secretKey: Redacted.Redacted<string>
  readonly apiUrl: string
  readonly apiVersion: string
  readonly userAgent: string
}): Settings => {
  const baseUrl = normalizeBaseUrl(options.apiUrl)
  return {
    baseUrl,
    secretKey: options.secretKey,
    needles: secretNeedles(Redacted.value(options.secretKey)),
    host: new URL(baseUrl).host,
    fixedHeaders: {
      "accept": "application/json",
      "clerk-api-version": options.apiVersion,
      "user-agent": options.userAgent
    }
  }
}

const timeoutError = (spec: ClerkRequest, timeout: Duration.Duration) => () =>
  new ClerkTimeout({ method: spec.method, path: spec.path, timeout }, TRUSTED)

/**
 * What the cause chain says went wrong, for the message: the innermost `code` (ECONNREFUSED,
 * ENOTFOUND, UND_ERR_CONNECT_TIMEOUT, CERT_HAS_EXPIRED, …), else the innermost message the
 * scrubber kept ("fetch failed", a TLS error's text), short.
 */
const causeCode = (cause: unknown): string | undefined => {
  let code: string | undefined
  let message: string | undefined
  let link: unknown = cause
  for (let depth = 0; depth < 8 && link !== undefined && link !== null; depth++) {
    if (typeof link === "string") {
      if (link !== SCRUBBED_MESSAGE) message = link
      break
    }
    const record = link as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    if (typeof record.code === "string") code = record.code
    if (typeof record.message === "string" && record.message !== "" && record.message !== SCRUBBED_MESSAGE) message = record.message
    link = record.cause
  }
  const found = code ?? message
  return found === undefined ? undefined : found.length > 120 ? `${found.slice(0, 120)}…` : found
}

/** A transport failure, its cause scrubbed of anything that may quote a header (the key), with the host and the cause's code. */
const transportError = (spec: ClerkRequest, reason: string, cause: unknown, settings: Settings) => {
  const scrubbed = scrubCause(cause, settings.needles)
  return new ClerkTransportError({
    method: spec.method,
    path: spec.path,
    reason,
    host: settings.host,
    code: causeCode(scrubbed),
    cause: scrubbed
  }, TRUSTED)
}

/**
 * How one attempt is timed, decided once for both transports. On the live clock a plain
 * timer: `fetch`'s own (its AbortController then serves the timeout, an interruption and an
 * oversized body alike), or one armed around the `HttpClient` call (internal/attempt.ts);
 * a timeout past setTimeout's limit is no timer at all. On any other clock (TestClock),
 * Effect's timeout on that clock, so tests move time instead of waiting for it.
 */
const timed = (
  send: (spec: ClerkRequest, timer: { readonly millis: number; readonly onTimeout: () => ClerkTimeout } | undefined) => Effect.Effect<Exchange, AttemptError>,
  ownTimer: boolean
): Attempt =>
(spec, timeout) => {
  const millis = Duration.toMillis(timeout)
  const onTimeout = timeoutError(spec, timeout)
  return Effect.clockWith((clock) => {
    if (!isLiveClock(clock)) return timeoutFailOn(send(spec, undefined), timeout, onTimeout)
    if (millis > MAX_TIMER_MILLIS) return send(spec, undefined)
    return ownTimer ? send(spec, { millis, onTimeout }) : forkWithTimer(send(spec, undefined), millis, onTimeout)
  })
}

/** Requests go through the application's `HttpClient` (`ClerkClient.layer`). */
export const httpClientTransport = (client: HttpClient, settings: Settings): Attempt => {
  const { baseUrl, fixedHeaders, secretKey } = settings
  const transport = withoutTracerPropagation(client)
  // Base URL and headers applied once here, not rebuilt through request copies on every call.
  const base = getRequest(baseUrl).pipe(bearerToken(secretKey), setHeaders(fixedHeaders))
  const baseRequests = { GET: base, POST: setMethod(base, "POST") }
  return timed((spec) => {
    let request = setUrl(baseRequests[spec.method], baseUrl + spec.path)
    if (spec.urlParams !== undefined) request = setUrlParams(request, spec.urlParams)
    if (spec.body !== undefined) request = bodyJson(request, spec.body)
    const sent = Effect.flatMap(transport.execute(request), (response) =>
      Effect.map(readHttpClientBody(response, spec.maxBodyBytes ?? BODY_CAPS.default), (body): Exchange => ({
        status: response.status,
        text: typeof body === "string" ? body : "",
        tooLarge: typeof body !== "string",
        headers: () => headersRecord(response.headers)
      })))
    // Mapped (and its cause scrubbed) inside the timed fiber, so even that fiber's own exit
    // never holds the runtime's raw error.
    return catchAll((error: ClientError) => {
      const { cause, reason } = describeClientError(error)
      return Effect.fail(transportError(spec, reason, cause, settings))
    })(sent)
  }, false)
}

/**
 * Requests go straight to `fetch` (`ClerkClient.layerFetch`): one callback around `fetch` and
 * reading the body, with one `AbortController`. No `HttpClientRequest`/`HttpClientResponse`
 * objects, no forked fiber, no FinalizationRegistry entry per response: that machinery is most
 * of what a call through an `HttpClient` costs (BENCHMARKS.md). `fetch` is the `Fetch` service
 * if one was provided, else `globalThis.fetch`, looked up on every call (and called as a
 * method of `globalThis`, which workerd requires) so a fetch installed after start-up is used.
 */
export const fetchTransport = (fetch: typeof globalThis.fetch | undefined, settings: Settings): Attempt => {
  const { baseUrl, fixedHeaders, secretKey } = settings
  const headers = { ...fixedHeaders, authorization: `Bearer ${Redacted.value(secretKey)}` }
  const jsonHeaders = { ...headers, "content-type": "application/json" }
  const bodiless = { GET: { method: "GET", headers }, POST: { method: "POST", headers } } as const
  return timed((spec, timer) => {
    const query = spec.urlParams === undefined || spec.urlParams.length === 0
      ? ""
      : `?${new URLSearchParams(spec.urlParams as Array<[string, string]>).toString()}`
    const url = baseUrl + spec.path + query
    const init: RequestInit = spec.body === undefined
      ? bodiless[spec.method]
      : { method: spec.method, headers: jsonHeaders, body: JSON.stringify(spec.body) }
    const cap = spec.maxBodyBytes ?? BODY_CAPS.default
    return callback<Exchange, AttemptError>((resume) => {
      const controller = new AbortController()
      let pending = true
      let timeoutId: ReturnType<typeof setTimeout> | undefined
      const settle = (exit: Exit.Exit<Exchange, AttemptError>) => {
        if (!pending) return
        pending = false
        if (timeoutId !== undefined) clearTimeout(timeoutId)
        resume(exit)
      }
      if (timer !== undefined) {
        timeoutId = setTimeout(() => {
          if (!pending) return
          pending = false
          controller.abort()
          resume(Exit.fail(timer.onTimeout()))
        }, timer.millis)
      }
      let reading = false
      let sent: Promise<Response>
      try {
        const signalled = { ...init, signal: controller.signal }
        sent = fetch === undefined ? globalThis.fetch(url, signalled) : fetch(url, signalled)
      } catch (cause) {
        sent = Promise.reject(cause)
      }
      sent.then((response) => {
        reading = true
        return readFetchBody(response, cap, () => controller.abort()).then((body) =>
          settle(Exit.succeed({
            status: response.status,
            text: typeof body === "string" ? body : "",
            tooLarge: typeof body !== "string",
            headers: headersOf(response.headers)
          }))
        )
      }).catch((cause) =>
        settle(Exit.fail(transportError(spec, reading ? "Decode reading the response" : "Transport", cause, settings)))
      )
      // Interrupted: stop the timer and the request (the abort also cancels a body mid-read).
      return Effect.sync(() => {
        pending = false
        if (timeoutId !== undefined) clearTimeout(timeoutId)
        controller.abort()
      })
    })
  }, true)
}

const headersOf = (headers: Headers) => () => {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}
