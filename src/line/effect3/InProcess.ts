/**
 * The Effect 3 side of `#line/InProcess` (same exports as `src/line/effect4/InProcess.ts`):
 * what the emulator needs to be called without a socket, from inside Effect (an
 * `HttpClient` over its `Request → Effect<Response>` handler) and from outside (a runner
 * that keeps the services, clock and refs of the fiber that made the emulator).
 */
import type * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"

/** What a layer providing `FetchHttpClient.Fetch` has in its output type. */
export type FetchIdentifier = FetchHttpClient.Fetch

/** An `HttpClient` whose every request is answered by `handle`, in the caller's fiber. */
export const inProcessClient = (handle: (request: Request) => Effect.Effect<Response>): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) => {
    const send = (body: BodyInit | undefined) => {
      const headers = new Headers(request.headers)
      headers.delete("content-length")
      return Effect.map(
        handle(
          new Request(url, {
            method: request.method,
            headers,
            body,
            signal,
            ...(body instanceof ReadableStream ? { duplex: "half" } : {})
          } as RequestInit)
        ),
        (response) => HttpClientResponse.fromWeb(request, response)
      )
    }
    switch (request.body._tag) {
      case "Raw":
      case "Uint8Array":
        return send(request.body.body as BodyInit)
      case "FormData":
        return send(request.body.formData)
      case "Stream":
        return Effect.flatMap(
          Effect.mapError(
            Stream.toReadableStreamEffect(request.body.stream),
            (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
          ),
          send
        )
      case "Empty":
        return send(undefined)
    }
  })

/** Runs an effect from outside any fiber; `signal` interrupts it. */
export type Runner = <A>(effect: Effect.Effect<A>, signal?: AbortSignal | undefined) => Promise<Exit.Exit<A>>

/** A runner with what the current fiber has: its services, `Clock` (a `TestClock` too) and refs. */
export const currentRunner: Effect.Effect<Runner> = Effect.map(Effect.runtime<never>(), (runtime) => {
  const run = Runtime.runPromiseExit(runtime)
  return (effect, signal) => run(effect, signal === undefined ? undefined : { signal })
})
