/**
 * An `HttpClient` over the emulator's `Request → Effect<Response>` handler: no socket, the
 * request answered in the caller's fiber (so a `TestClock` drives the emulator too).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type HttpClient, makeClient, requestEncodeError, responseFromWeb } from "#line/Http"

/** An `HttpClient` whose every request is answered by `handle`, in the caller's fiber. */
export const inProcessClient = (handle: (request: Request) => Effect.Effect<Response>): HttpClient =>
  makeClient((request, url, signal) => {
    const send = (body: BodyInit | undefined) => {
      const headers = new Headers(request.headers as unknown as Record<string, string>)
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
        (response) => responseFromWeb(request, response)
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
            (cause) => requestEncodeError(request, cause)
          ),
          send
        )
      case "Empty":
        return send(undefined)
    }
  })
