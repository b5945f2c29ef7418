/**
 * Response body caps. Each route reads at most its cap: a `Content-Length` over it is
 * refused before reading anything, and a body without one (or compressed, where the length
 * says nothing about the decoded size) is read chunk by chunk and abandoned, with its
 * request aborted, as soon as it passes the cap. A 64 MB answer is never buffered.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bodyReadError, type ClientError, type HttpClientResponse } from "#line/Http"

const KiB = 1024
const MiB = 1024 * KiB

/**
 * The caps, in bytes of the decoded body. A Clerk session is about 2 KB and a 500-session
 * page about 1 MB; a JWKS with a few RSA keys is under 2 KB.
 */
export const BODY_CAPS = {
  /** `GET /jwks`. */
  jwks: 64 * KiB,
  /** One session, token or cookie set. */
  resource: 256 * KiB,
  /** One page of `GET /sessions` (up to 500 sessions). */
  list: 8 * MiB,
  /** Any request that names no cap. */
  default: 1 * MiB
} as const

/** The body was longer than its cap (it was not read to the end). */
export const TOO_LARGE: unique symbol = Symbol("TOO_LARGE")
export type Body = string | typeof TOO_LARGE

/** The body's bytes as UTF-8 text, decoded once (as `Response.text()` does, a BOM dropped). */
const decode = (chunks: ReadonlyArray<Uint8Array>, total: number): string => {
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0])
  const bytes = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** `65536` → `64 KiB`, `8388608` → `8 MiB`. */
export const formatBytes = (bytes: number): string =>
  bytes >= MiB && bytes % MiB === 0
    ? `${bytes / MiB} MiB`
    : bytes >= KiB && bytes % KiB === 0
    ? `${bytes / KiB} KiB`
    : `${bytes} bytes`

/**
 * What the headers say: `TOO_LARGE` for a declared length over the cap, `"exact"` when the
 * declared length bounds the body (no content coding), `"unknown"` otherwise.
 */
const declared = (length: string | null | undefined, encoding: string | null | undefined, cap: number) => {
  if (length == null || !/^\s*\d+\s*$/.test(length)) return "unknown" as const
  if (Number(length) > cap) return TOO_LARGE
  return encoding == null || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"
    ? "exact" as const
    : "unknown" as const
}

/**
 * Read a fetch `Response` (or `Request`) body up to `cap` bytes; past it, stop reading and call `abort`
 * (the request's AbortController), so the rest is never received.
 */
export const readFetchBody = async (
  response: Pick<Response, "headers" | "body" | "text">,
  cap: number,
  abort: () => void
): Promise<Body> => {
  const length = declared(response.headers.get("content-length"), response.headers.get("content-encoding"), cap)
  if (length === TOO_LARGE) {
    abort()
    return TOO_LARGE
  }
  // A length that bounds the body: the runtime's own reader is fastest.
  if (length === "exact" || response.body === null) return response.text()
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return decode(chunks, total)
    total += value.byteLength
    if (total > cap) {
      reader.cancel().catch(() => {})
      abort()
      return TOO_LARGE
    }
    chunks.push(value)
  }
}

/**
 * The web `Response` behind an `HttpClientResponse` made by `HttpClientResponse.fromWeb`
 * (every `FetchHttpClient` response, wrapped by `HttpClient.make` with the request's
 * `AbortController`), found by @effect/platform 0.97's field names. Reading it directly costs
 * a fraction of a `Stream` over its body; test/BodyCaps.test.ts fails if a platform upgrade
 * renames them, and any other response takes the `Stream` path.
 */
export const webResponseOf = (
  response: HttpClientResponse
): {
  readonly source: Response
  readonly controller: AbortController | undefined
  /** The platform's own wrapper for a body read: drops the response from its GC registry, aborts on interrupt. */
  readonly applyInterrupt: (<A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>) | undefined
} | undefined => {
  const outer = response as unknown as {
    source?: unknown
    original?: { source?: unknown }
    controller?: unknown
    applyInterrupt?: unknown
  }
  const source = outer.original?.source ?? outer.source
  if (typeof Response === "undefined" || !(source instanceof Response)) return undefined
  return {
    source,
    controller: outer.controller instanceof AbortController ? outer.controller : undefined,
    applyInterrupt: typeof outer.applyInterrupt === "function"
      ? (effect) => (outer.applyInterrupt as (e: typeof effect) => typeof effect).call(outer, effect)
      : undefined
  }
}

/**
 * Read an `HttpClientResponse` body up to `cap` bytes; past it, stop reading and abort its
 * request (or, on the `Stream` path, stop pulling its stream, which cancels the body and,
 * with fetch, its connection).
 */
export const readHttpClientBody = (
  response: HttpClientResponse,
  cap: number
): Effect.Effect<Body, ClientError> => {
  const web = webResponseOf(response)
  if (web !== undefined) {
    const { applyInterrupt, controller, source } = web
    const read = Effect.tryPromise({
      try: (signal) => {
        const abort = () => {
          if (controller !== undefined) controller.abort()
          else source.body?.cancel().catch(() => {})
        }
        // Interrupted mid-read (a timeout, the caller): the request is aborted too.
        signal.addEventListener("abort", abort, { once: true })
        return readFetchBody(source, cap, abort)
      },
      catch: (cause) => bodyReadError(response, cause)
    })
    return applyInterrupt === undefined ? read : applyInterrupt(read)
  }
  const length = declared(response.headers["content-length"], response.headers["content-encoding"], cap)
  // Ending the platform's body stream aborts its request: refused at the first chunk.
  if (length === TOO_LARGE) {
    return Stream.runForEachWhile(response.stream, () => Effect.succeed(false)).pipe(Effect.ignore, Effect.as(TOO_LARGE))
  }
  if (length === "exact") return response.text
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let total = 0
    return Stream.runForEachWhile(response.stream, (chunk) =>
      Effect.sync(() => {
        total += chunk.byteLength
        if (total > cap) return false
        chunks.push(chunk)
        return true
      })).pipe(Effect.map((): Body => (total > cap ? TOO_LARGE : decode(chunks, total))))
  })
}
