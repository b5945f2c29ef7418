/**
 * The `fetch` transport behind `ClerkClient.layerFetch`: one attempt is one `Effect.async`
 * around `fetch` and reading the body (up to its cap, internal/body.ts), with one
 * `AbortController` that serves the per-attempt timeout, interruption and an oversized body
 * alike. No `HttpClientRequest`/`HttpClientResponse`
 * objects, no forked fiber, no FinalizationRegistry entry per response: that machinery is
 * most of what a call through @effect/platform's `HttpClient` costs (BENCHMARKS.md).
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { FETCH_KEY } from "#line/Http"
import { callback, ServiceByKey } from "#line/Kernel"
import { readFetchBody } from "./body.js"

/**
 * `FetchHttpClient.Fetch` by its key: the same service (a `Context` is keyed by the tag's
 * key), without loading the HTTP client's fetch module to name it. On effect 4 it is a
 * reference that defaults to `globalThis.fetch`; looked up by key here, it is absent unless
 * provided, as on effect 3. test/FetchTransport.test.ts checks the key still matches.
 */
export const FetchKey = FETCH_KEY
export const Fetch = ServiceByKey<typeof globalThis.fetch>(FetchKey)

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

/** Where an attempt failed: before a response (`Transport`) or reading its body. */
export type FetchFailureStage = "Transport" | "Body"

export interface FetchAttempt<E> {
  readonly url: string
  readonly init: RequestInit
  /** Milliseconds, or `undefined` for no timer (the caller times the attempt another way). */
  readonly timeoutMillis: number | undefined
  /** The body's cap in bytes: past it reading stops and the request is aborted. */
  readonly maxBodyBytes: number
  readonly onTimeout: () => E
  readonly onFailure: (stage: FetchFailureStage, cause: unknown) => E
}

const headersOf = (headers: Headers) => () => {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}

/**
 * Send and read the whole body (up to `maxBodyBytes`). `fetch` is the `Fetch` service if one was provided, else
 * `globalThis.fetch`, looked up on every call (and called as a method of `globalThis`,
 * which workerd requires) so a fetch installed after start-up is the one used.
 */
export const fetchAttempt = <E>(
  fetch: typeof globalThis.fetch | undefined,
  attempt: FetchAttempt<E>
): Effect.Effect<Exchange, E> =>
  callback<Exchange, E>((resume) => {
    const controller = new AbortController()
    let pending = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const settle = (exit: Exit.Exit<Exchange, E>) => {
      if (!pending) return
      pending = false
      if (timer !== undefined) clearTimeout(timer)
      resume(exit)
    }
    if (attempt.timeoutMillis !== undefined) {
      timer = setTimeout(() => {
        if (!pending) return
        pending = false
        controller.abort()
        resume(Exit.fail(attempt.onTimeout()))
      }, attempt.timeoutMillis)
    }
    const init = { ...attempt.init, signal: controller.signal }
    let stage: FetchFailureStage = "Transport"
    let sent: Promise<Response>
    try {
      sent = fetch === undefined ? globalThis.fetch(attempt.url, init) : fetch(attempt.url, init)
    } catch (cause) {
      sent = Promise.reject(cause)
    }
    sent.then((response) => {
      stage = "Body"
      return readFetchBody(response, attempt.maxBodyBytes, () => controller.abort()).then((body) =>
        settle(Exit.succeed({
          status: response.status,
          text: typeof body === "string" ? body : "",
          tooLarge: typeof body !== "string",
          headers: headersOf(response.headers)
        }))
      )
    }).catch((cause) => settle(Exit.fail(attempt.onFailure(stage, cause))))
    // Interrupted: stop the timer and the request (the abort also cancels a body mid-read).
    return Effect.sync(() => {
      pending = false
      if (timer !== undefined) clearTimeout(timer)
      controller.abort()
    })
  })
