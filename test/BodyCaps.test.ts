/**
 * Response body caps, over both transports: a body over its route's cap (JWKS 64 KiB, one
 * session or token 256 KiB, a list page 8 MiB) fails with ClerkDecodeError naming the cap;
 * a declared Content-Length over it is refused before reading; a body without one is read
 * chunk by chunk and abandoned (its stream cancelled, its request aborted) once past the
 * cap. Over a real socket, a 64 MiB body is refused after the server could write only a
 * fraction of it, and the connection is closed.
 */
import * as Kernel from "#line/Kernel"
import { either, FetchHttpClient, HttpClient, HttpClientResponse, repeatEffect } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { ClerkClient, type ClerkClientOptions } from "../src/ClerkClient.js"
import { BODY_CAPS, formatBytes, readHttpClientBody, TOO_LARGE, webResponseOf } from "../src/internal/body.js"
import { Sessions } from "../src/Sessions.js"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { clientLayer } from "./reliability/support.js"
import { CANARY_SECRET, json, mockSessions, TRANSPORTS, type TransportKind } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

const SID = "sess_1"
const KiB = 1024
const MiB = 1024 * KiB

/** A JSON session padded (in an ignored field) to about `bytes` bytes. */
const paddedSession = (bytes: number) => ({ ...sample("session_get_200"), padding: "x".repeat(bytes) })

/** A page of `n` realistic sessions, each with its own id. */
const page = (n: number) => ({
  data: Array.from({ length: n }, (_, i) => ({ ...sample("session_get_200"), id: `sess_${i}` })),
  total_count: n
})

describe("the caps", () => {
  it("are what the README documents", () => {
    expect(BODY_CAPS).toEqual({ jwks: 64 * KiB, resource: 256 * KiB, list: 8 * MiB, default: 1 * MiB })
    expect([formatBytes(64 * KiB), formatBytes(8 * MiB), formatBytes(1000)]).toEqual(["64 KiB", "8 MiB", "1000 bytes"])
  })

  it("a real 500-session page is well under the list cap", () => {
    const size = new TextEncoder().encode(JSON.stringify(page(500))).length
    expect(size).toBeGreaterThan(300 * KiB)
    expect(size).toBeLessThan(BODY_CAPS.list / 4)
  })
})

describe("reading an HttpClientResponse", () => {
  it.effect("FetchHttpClient's responses expose their web Response and AbortController (the fast path is taken)", () =>
    Effect.gen(function*() {
      const web = new Response("{}")
      const client = yield* Effect.provide(
        HttpClient.HttpClient,
        FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, async () => web)))
      )
      const response = yield* client.get("https://api.clerk.test/v1/jwks")
      const found = webResponseOf(response)
      expect(found?.source).toBe(web)
      expect(found?.controller).toBeInstanceOf(AbortController)
      expect(typeof found?.applyInterrupt).toBe("function")
    }))

  it.effect("any other response is read through its Stream, with the same cap and decoding", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode(JSON.stringify({ city: "Zürich 😀" }))
      const fake = (chunks: ReadonlyArray<Uint8Array>, headers: Record<string, string> = {}) =>
        ({ headers, stream: Stream.fromIterable(chunks) }) as unknown as HttpClientResponse.HttpClientResponse
      const split = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.slice(i * 3, i * 3 + 3))
      expect(webResponseOf(fake(split))).toBeUndefined()
      expect(yield* readHttpClientBody(fake(split), 1024)).toBe(JSON.stringify({ city: "Zürich 😀" }))
      expect(yield* readHttpClientBody(fake(split), bytes.length - 1)).toBe(TOO_LARGE)
      expect(yield* readHttpClientBody(fake([], { "content-length": "2048" }), 1024)).toBe(TOO_LARGE)
      // Pulling stops at the chunk that passes the cap.
      let pulled = 0
      const endless = {
        headers: {},
        stream: repeatEffect(Effect.sync(() => (pulled++, new Uint8Array(100))))
      } as unknown as HttpClientResponse.HttpClientResponse
      expect(yield* readHttpClientBody(endless, 1000)).toBe(TOO_LARGE)
      expect(pulled).toBeLessThanOrEqual(12)
    }))
})

describe.each(TRANSPORTS)("over %s (scripted)", (transport: TransportKind) => {
  const run = <A, E>(replies: Parameters<typeof mockSessions>[0], f: (s: Sessions.Service) => Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const mock = mockSessions(replies, {}, transport)
      const result = yield* either(Effect.provide(Effect.flatMap(Sessions, f), mock.layer))
      return { result, requests: mock.recorded }
    })

  it.effect("getSession: a 2xx body over 256 KiB is ClerkDecodeError naming the cap, and is not retried", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* run([json(paddedSession(300 * KiB))], (s) => s.getSession(SID))
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkDecodeError")
      expect(result._tag === "Left" && result.left.message).toBe(
        `Clerk response could not be decoded (GET /sessions/${SID}, 200): response body exceeds 256 KiB (this route's cap)`
      )
      expect(requests).toHaveLength(1)
    }))

  it.effect("getSession: a body just under the cap decodes", () =>
    Effect.gen(function*() {
      const { result } = yield* run([json(paddedSession(250 * KiB))], (s) => s.getSession(SID))
      expect(result._tag === "Right" && result.right.id).toBe(sample("session_get_200").id)
    }))

  it.effect("getSessionList: a 500-session page decodes; a 9 MiB page is ClerkDecodeError naming 8 MiB", () =>
    Effect.gen(function*() {
      const ok = yield* run([json(page(500))], (s) => s.getSessionList({ userId: "u", limit: 500 }))
      expect(ok.result._tag === "Right" && ok.result.right.data.length).toBe(500)
      const big = yield* run(
        [json({ data: [paddedSession(9 * MiB)], total_count: 1 })],
        (s) => s.getSessionList({ userId: "u" })
      )
      expect(big.result._tag === "Left" && big.result.left.message).toBe(
        "Clerk response could not be decoded (GET /sessions, 200): response body exceeds 8 MiB (this route's cap)"
      )
    }))

  it.effect("createSessionToken: a token body over the cap fails the same way", () =>
    Effect.gen(function*() {
      const { result } = yield* run(
        [json({ object: "token", jwt: "a.b.c", padding: "x".repeat(257 * KiB) })],
        (s) => s.createSessionToken(SID)
      )
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkDecodeError")
      expect(result._tag === "Left" && result.left.message).toContain("exceeds 256 KiB")
    }))

  it.effect("an error status with an oversized body keeps its status error (without errors[]) and its retry", () =>
    Effect.gen(function*() {
      const html = `<html>${"x".repeat(2 * MiB)}</html>`
      const { requests, result } = yield* run(
        [{ status: 404, text: html }],
        (s) => s.getSession(SID)
      )
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkNotFound")
      expect(result._tag === "Left" && result.left._tag === "ClerkNotFound" && result.left.errors).toEqual([])
      expect(requests).toHaveLength(1)
    }))
})

/**
 * A fetch answering every request with a streamed body of 64 KiB chunks (up to `total`
 * bytes), counting what was pulled and whether the body was cancelled or the request aborted.
 */
const streamingFetch = (total: number, headers: Record<string, string> = {}, status = 200) => {
  const seen = { pulled: 0, cancelled: false, aborted: false, requests: 0 }
  const chunk = new Uint8Array(64 * KiB).fill(0x20)
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    seen.requests++
    init?.signal?.addEventListener("abort", () => (seen.aborted = true), { once: true })
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close()
        sent += chunk.length
        seen.pulled += chunk.length
        controller.enqueue(chunk)
      },
      cancel() {
        seen.cancelled = true
      }
    }, { highWaterMark: 0 })
    return new Response(body, { status, headers: { "content-type": "application/json", ...headers } })
  }
  return { seen, fetch }
}

const options: ClerkClientOptions = { secretKey: Redacted.make(CANARY_SECRET), apiUrl: "https://api.clerk.test", retry: false }

const streamedClient = (transport: TransportKind, fetch: typeof globalThis.fetch) =>
  transport === "fetch"
    ? ClerkClient.layerFetch(options).pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
    : ClerkClient.layer(options).pipe(
      Layer.provide(FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch))))
    )

const getSessionOver = (transport: TransportKind, fetch: typeof globalThis.fetch) =>
  either(
    Effect.provide(Effect.flatMap(Sessions, (s) => s.getSession(SID)), Sessions.layer.pipe(Layer.provide(streamedClient(transport, fetch))))
  )

describe.each(TRANSPORTS)("over %s (streamed bodies)", (transport: TransportKind) => {
  it.live("a 64 MiB body without Content-Length: reading stops just past 256 KiB, the body is cancelled", () =>
    Effect.gen(function*() {
      const { fetch, seen } = streamingFetch(64 * MiB)
      const result = yield* getSessionOver(transport, fetch)
      expect(result._tag === "Left" && result.left.message).toContain("response body exceeds 256 KiB")
      // The chunk that crossed the cap, and at most the one a stream pre-fetches.
      expect(seen.pulled).toBeGreaterThan(256 * KiB)
      expect(seen.pulled).toBeLessThanOrEqual(256 * KiB + 2 * 64 * KiB)
      expect(seen.cancelled || seen.aborted).toBe(true)
    }))

  it.live("a declared Content-Length over the cap is refused before the body is read", () =>
    Effect.gen(function*() {
      const { fetch, seen } = streamingFetch(64 * MiB, { "content-length": String(64 * MiB) })
      const result = yield* getSessionOver(transport, fetch)
      expect(result._tag === "Left" && result.left.message).toContain("response body exceeds 256 KiB")
      // Nothing of the body is read.
      expect(seen.pulled).toBe(0)
      expect(seen.cancelled || seen.aborted).toBe(true)
    }))

  it.live("a body read chunk by chunk decodes like response.text(), even with characters split across chunks", () =>
    Effect.gen(function*() {
      const session = { ...sample("session_get_200"), id: "sess_üñï€😀" }
      const bytes = new TextEncoder().encode(JSON.stringify(session))
      const fetch: typeof globalThis.fetch = async () => {
        let at = 0
        // Three bytes at a time: every multi-byte character is split somewhere.
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (at >= bytes.length) return controller.close()
              controller.enqueue(bytes.slice(at, at + 3))
              at += 3
            }
          }),
          { headers: { "content-type": "application/json" } }
        )
      }
      const result = yield* getSessionOver(transport, fetch)
      expect(result._tag === "Right" && result.right.id).toBe("sess_üñï€😀")
    }))

  it.live("a compressed body is measured decoded: a small Content-Length does not let a large body through", () =>
    Effect.gen(function*() {
      // The runtime would have decoded it already; its Content-Length is the compressed size.
      const { fetch, seen } = streamingFetch(64 * MiB, { "content-length": "1000", "content-encoding": "gzip" })
      const result = yield* getSessionOver(transport, fetch)
      expect(result._tag === "Left" && result.left.message).toContain("response body exceeds 256 KiB")
      expect(seen.pulled).toBeLessThanOrEqual(256 * KiB + 2 * 64 * KiB)
    }))
})

/** A 127.0.0.1 server answering every request with `total` bytes, written as fast as the socket takes them. */
const hugeServer = (total: number, declareLength: boolean) =>
  Effect.acquireRelease(
    Kernel.callback<{ readonly url: string; readonly stats: { written: number; closedEarly: boolean; paths: Array<string> }; readonly close: () => void }>((resume) => {
      const stats = { written: 0, closedEarly: false, paths: [] as Array<string> }
      const chunk = Buffer.alloc(64 * KiB, 0x20)
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        stats.paths.push(req.url ?? "")
        res.writeHead(200, { "content-type": "application/json", ...(declareLength ? { "content-length": String(total) } : {}) })
        res.on("close", () => {
          if (!res.writableFinished) stats.closedEarly = true
        })
        const pump = () => {
          while (stats.written < total && !res.destroyed) {
            stats.written += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          url: `http://127.0.0.1:${port}`,
          stats,
          close: () => {
            server.closeAllConnections()
            server.close()
          }
        }))
      })
    }),
    (server) => Effect.sync(server.close)
  )

/** Poll (live clock) until `done()`, for at most about 5 s. */
const waitUntil = (done: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 500 && !done(); i++) yield* Effect.sleep("10 millis")
  })

const TOTAL = 64 * MiB

describe.each(TRANSPORTS)("over %s, a real socket", (transport) => {
  for (const declareLength of [false, true]) {
    const how = declareLength ? "with Content-Length" : "chunked"
    it.live(`getSession: a 64 MiB body (${how}) fails with the cap; the server wrote a fraction and saw the connection closed`, () =>
      Effect.gen(function*() {
        const server = yield* hugeServer(TOTAL, declareLength)
        const result = yield* either(
          Effect.provide(
            Effect.flatMap(Sessions, (s) => s.getSession(SID)),
            Sessions.layer.pipe(Layer.provide(clientLayer(transport, { ...options, apiUrl: server.url })))
          )
        )
        expect(result._tag === "Left" && result.left.message).toBe(
          `Clerk response could not be decoded (GET /sessions/${SID}, 200): response body exceeds 256 KiB (this route's cap)`
        )
        yield* waitUntil(() => server.stats.closedEarly)
        expect(server.stats.closedEarly).toBe(true)
        // Socket buffers hold a few MiB at most; the rest was never sent.
        expect(server.stats.written).toBeLessThan(TOTAL / 4)
        expect(server.stats.paths).toEqual([`/v1/sessions/${SID}`])
      }).pipe(Effect.scoped))
  }

  it.live("TokenVerifier: a 64 MiB JWKS fails with the 64 KiB cap (JwkFailedToResolve <- ClerkDecodeError)", () =>
    Effect.gen(function*() {
      const server = yield* hugeServer(TOTAL, false)
      const result = yield* either(
        Effect.provide(
          Effect.flatMap(TokenVerifier, (v) => v.verify("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln")),
          TokenVerifier.layer().pipe(Layer.provide(clientLayer(transport, { ...options, apiUrl: server.url })))
        )
      )
      expect(result._tag === "Left" && result.left.reason).toBe("JwkFailedToResolve")
      const cause = result._tag === "Left" ? result.left.cause as { _tag: string; message: string } : undefined
      expect(cause?._tag).toBe("ClerkDecodeError")
      expect(cause?.message).toBe("Clerk response could not be decoded (GET /jwks, 200): response body exceeds 64 KiB (this route's cap)")
      yield* waitUntil(() => server.stats.closedEarly)
      expect(server.stats.closedEarly).toBe(true)
      expect(server.stats.written).toBeLessThan(TOTAL / 4)
      expect(server.stats.paths).toEqual(["/v1/jwks"])
    }).pipe(Effect.scoped))
})
