/**
 * What only `ClerkClient.layerFetch` has: the `Fetch` service key, `globalThis.fetch` looked
 * up per call, its own timer and AbortController on the live clock (a hung request and a
 * stalled body both end in ClerkTimeout with the fetch aborted; interruption aborts it and
 * clears the timer), fetch failures mapped to the same errors as the HttpClient path, no
 * operation span under Effect's native tracer, and `layerFetchConfig`.
 * The behaviour shared with `ClerkClient.layer` is proven by the suites that run over both
 * transports (ClerkClient, Sessions, Redaction, HostileInput).
 */
import * as Kernel from "#line/Kernel"
import { configLayer, either, FetchHttpClient, HttpClient, HttpClientResponse, httpSpanName, isConfigError, LINE, TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { ClerkClient, type ClerkClientOptions } from "../src/ClerkClient.js"
import type { ClerkError } from "../src/ClerkError.js"
import { Fetch } from "../src/internal/transport.js"
import { Sessions } from "../src/Sessions.js"
import { CANARY_SECRET, json, makeFetchMock, mockOptions, mockSessions, TRANSPORTS } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"
import { makeRecorder } from "./support/TestTracer.js"

const SID = "sess_1"
const ok = json(sample("session_get_200"))

/** Sessions over `ClerkClient.layerFetch`, sending with `fetch` (or `globalThis.fetch` when none is given). */
const sessionsWith = (fetch: typeof globalThis.fetch | undefined, options: Partial<ClerkClientOptions> = {}) => {
  const client = ClerkClient.layerFetch(mockOptions(options))
  return Sessions.layer.pipe(
    Layer.provide(fetch === undefined ? client : client.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch))))
  )
}

const getSession = Effect.flatMap(Sessions, (s) => s.getSession(SID))

/** Milliseconds of wall time `effect` took, with its outcome. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const started = performance.now()
    return Effect.map(either(effect), (result) => ({ result, millis: performance.now() - started }))
  })

/** Poll (on the live clock) until `done()`, for at most 10 s of wall time (a busy machine is slow, not stuck). */
const waitUntil = (done: () => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    while (!done() && Date.now() < deadline) yield* Effect.sleep("5 millis")
  })

// The live-clock tests below time a 100-300 ms timeout. The lower bound is exact (a timer never
// fires early); the upper bound only proves the timeout fired rather than the call hanging, so
// it is far above the timeout: a busy machine may run a timer seconds late.
const LATE = 10_000

describe("the Fetch service", () => {
  it("is FetchHttpClient.Fetch, by key (a platform upgrade that renames it fails here)", () => {
    expect(Fetch.key).toBe(LINE === "effect3" ? "@effect/platform/FetchHttpClient/Fetch" : "effect/http/FetchHttpClient/Fetch")
    expect(Fetch.key).toBe(FetchHttpClient.Fetch.key)
  })

  it.effect("a fetch provided as FetchHttpClient.Fetch is the one layerFetch sends with", () =>
    Effect.gen(function*() {
      const urls: Array<string> = []
      const fetch: typeof globalThis.fetch = async (input) => {
        urls.push(String(input))
        return new Response(JSON.stringify(sample("session_get_200")), { status: 200 })
      }
      const session = yield* Effect.provide(getSession, sessionsWith(fetch))
      expect(session.id).toBe("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      expect(urls).toEqual([`https://api.clerk.test/v1/sessions/${SID}`])
    }))

  it.effect("without one, globalThis.fetch is looked up on every call (one installed after the layer was built is used)", () =>
    Effect.gen(function*() {
      const original = globalThis.fetch
      const atBuild: Array<string> = []
      const later: Array<{ url: string; self: unknown; authorization: string | null }> = []
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          globalThis.fetch = async (input) => {
            atBuild.push(String(input))
            return new Response("{}", { status: 500 })
          }
        }),
        () => Effect.sync(() => (globalThis.fetch = original))
      )
      // Build the layer now, while the first fetch is installed.
      const sessions = yield* Effect.provide(Sessions, sessionsWith(undefined, { retry: false }))
      globalThis.fetch = async function(this: unknown, input, init) {
        later.push({ url: String(input), self: this, authorization: new Headers(init?.headers).get("authorization") })
        return new Response(JSON.stringify(sample("session_get_200")), { status: 200 })
      }
      const session = yield* sessions.getSession(SID)
      expect(session.status).toBe("active")
      expect(atBuild).toEqual([])
      expect(later).toHaveLength(1)
      expect(later[0].url).toBe(`https://api.clerk.test/v1/sessions/${SID}`)
      expect(later[0].authorization).toBe(`Bearer ${CANARY_SECRET}`)
      // Called as a method of globalThis (workerd throws "Illegal invocation" otherwise).
      expect(later[0].self).toBe(globalThis)
    }).pipe(Effect.scoped))
})

describe("live clock: the attempt's own timer and AbortController", () => {
  it.live("a fetch that never answers is aborted and the call fails with ClerkTimeout after the timeout", () =>
    Effect.gen(function*() {
      const mock = mockSessions([{ hang: true }], { timeout: "100 millis", retry: false }, "fetch")
      const { millis, result } = yield* timed(Effect.provide(getSession, mock.layer))
      expect(result._tag).toBe("Left")
      const error = result._tag === "Left" ? result.left : undefined
      expect(error?._tag).toBe("ClerkTimeout")
      expect(error?.message).toBe(`Clerk request timed out after 100ms (GET /sessions/${SID})`)
      expect(millis).toBeGreaterThanOrEqual(95)
      expect(millis).toBeLessThan(LATE)
      expect(mock.recorded).toHaveLength(1)
      expect((mock.recorded[0].aborted?.reason as Error | undefined)?.name).toBe("AbortError")
    }))

  it.live("with retries, every attempt times out and is aborted; the last ClerkTimeout surfaces", () =>
    Effect.gen(function*() {
      const mock = mockSessions(
        [{ hang: true }],
        { timeout: "100 millis", retry: { times: 2, baseDelay: "10 millis", maxDelay: "20 millis" } },
        "fetch"
      )
      const { millis, result } = yield* timed(Effect.provide(getSession, mock.layer))
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkTimeout")
      expect(mock.recorded).toHaveLength(3)
      expect(mock.recorded.map((r) => (r.aborted?.reason as Error | undefined)?.name)).toEqual([
        "AbortError",
        "AbortError",
        "AbortError"
      ])
      // Three 100 ms attempts and two short backoffs.
      expect(millis).toBeGreaterThanOrEqual(3 * 95)
      expect(millis).toBeLessThan(3 * LATE)
      // Each attempt starts after the previous one's timeout.
      for (let i = 1; i < 3; i++) expect(mock.recorded[i].at - mock.recorded[i - 1].at).toBeGreaterThanOrEqual(95)
    }))

  it.live("a body that stalls after the headers ends in ClerkTimeout, with the fetch aborted mid-body", () =>
    Effect.gen(function*() {
      let signal: AbortSignal | undefined
      let cancelled: unknown
      let abortedWhileReading = false
      const fetch: typeof globalThis.fetch = async (_input, init) => {
        signal = init!.signal!
        // What fetch does with a body in flight: an abort errors the stream.
        let stream: ReadableStreamDefaultController<Uint8Array>
        signal.addEventListener("abort", () => {
          abortedWhileReading = true
          stream.error(signal!.reason)
        }, { once: true })
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              stream = controller
              controller.enqueue(new TextEncoder().encode("{\"object\":\"session\",\"id\":"))
            },
            cancel(reason) {
              cancelled = reason
            }
          }),
          { status: 200, headers: { "content-type": "application/json" } }
        )
      }
      const { millis, result } = yield* timed(
        Effect.provide(getSession, sessionsWith(fetch, { timeout: "100 millis", retry: false }))
      )
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkTimeout")
      expect(millis).toBeGreaterThanOrEqual(95)
      expect(millis).toBeLessThan(LATE)
      expect(signal?.aborted).toBe(true)
      expect((signal?.reason as Error).name).toBe("AbortError")
      expect(abortedWhileReading).toBe(true)
      // The stream was errored by the abort, not cancelled by a reader giving up.
      expect(cancelled).toBeUndefined()
    }))

  it.live("over a real socket (globalThis.fetch): a stalled body times out and the connection is closed", () =>
    Effect.gen(function*() {
      let closed = false
      let bodyStarted = false
      const server = yield* Effect.acquireRelease(
        Kernel.callback<ReturnType<typeof createServer>>((resume) => {
          const s = createServer((_req, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            res.write("{\"object\":\"session\",\"id\":")
            bodyStarted = true
            res.on("close", () => (closed = true))
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) =>
          Kernel.callback<void>((resume) => {
            s.closeAllConnections()
            s.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as AddressInfo).port
      const { millis, result } = yield* timed(
        Effect.provide(
          getSession,
          sessionsWith(undefined, { apiUrl: `http://127.0.0.1:${port}`, timeout: "300 millis", retry: false })
        )
      )
      expect(bodyStarted).toBe(true)
      expect(result._tag === "Left" && result.left._tag).toBe("ClerkTimeout")
      expect(millis).toBeGreaterThanOrEqual(295)
      expect(millis).toBeLessThan(LATE)
      // The abort reached the socket: the server sees its response closed.
      yield* waitUntil(() => closed)
      expect(closed).toBe(true)
    }).pipe(Effect.scoped))

  it.live("interrupting the caller aborts the fetch and clears the attempt's timer at once", () =>
    Effect.gen(function*() {
      // Track the attempt's timer: the only one set for the configured 54321 ms (longer than
      // any stall a busy machine causes, so returning before it proves the wait was cut short).
      const pending = new Set<unknown>()
      let seen = 0
      const set = globalThis.setTimeout
      const clear = globalThis.clearTimeout
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          globalThis.setTimeout = ((handler: () => void, ms?: number, ...args: Array<unknown>) => {
            const id: unknown = set((...a: Array<unknown>) => {
              pending.delete(id)
              ;(handler as (...a: Array<unknown>) => void)(...a)
            }, ms, ...args)
            if (ms === 54_321) {
              pending.add(id)
              seen++
            }
            return id
          }) as typeof globalThis.setTimeout
          globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
            pending.delete(id)
            clear(id)
          }) as typeof globalThis.clearTimeout
        }),
        () =>
          Effect.sync(() => {
            globalThis.setTimeout = set
            globalThis.clearTimeout = clear
          })
      )
      const mock = mockSessions([{ hang: true }], { timeout: "54321 millis" }, "fetch")
      const fiber = yield* Kernel.fork(Effect.provide(getSession, mock.layer))
      yield* waitUntil(() => mock.recorded.length === 1)
      expect(mock.recorded).toHaveLength(1)
      expect(seen).toBe(1)
      expect(pending.size).toBe(1)
      expect(mock.recorded[0].aborted).toBeUndefined()
      const { millis } = yield* timed(Fiber.interrupt(fiber))
      // Not waiting out the timer: the interruption returns long before it would fire.
      expect(millis).toBeLessThan(LATE)
      expect((mock.recorded[0].aborted?.reason as Error | undefined)?.name).toBe("AbortError")
      expect(pending.size).toBe(0)
      // Nothing was re-sent after the interruption.
      yield* Effect.sleep("50 millis")
      expect(mock.recorded).toHaveLength(1)
    }).pipe(Effect.scoped))
})

describe("fetch failures map to the HttpClient path's errors", () => {
  /** Fork a GET over `fetch` (TestClock), let every retry run, and return the error and call count. */
  const failing = (
    fetch: (calls: number) => Promise<Response>,
    call: Effect.Effect<unknown, ClerkError, Sessions> = getSession
  ) =>
    Effect.gen(function*() {
      let calls = 0
      const layer = sessionsWith((() => fetch(++calls)) as typeof globalThis.fetch)
      const fiber = yield* Kernel.fork(Effect.flip(Effect.provide(call, layer)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      return { error, calls }
    })

  const throwsSync = () => {
    throw new TypeError("Failed to parse URL from ::bad")
  }

  it.effect("a fetch that throws synchronously: ClerkTransportError \"Transport\", retried for a GET", () =>
    Effect.gen(function*() {
      const { calls, error } = yield* failing(throwsSync)
      expect(error._tag).toBe("ClerkTransportError")
      expect(error.message).toBe(`Clerk transport error (GET /sessions/${SID} to api.clerk.test): Transport, Failed to parse URL from ::bad`)
      expect(error._tag === "ClerkTransportError" && String(error.cause)).toBe("TypeError: Failed to parse URL from ::bad")
      expect(calls).toBe(4)
    }))

  it.effect("a fetch that rejects: ClerkTransportError \"Transport\", retried for a GET, not for createSession", () =>
    Effect.gen(function*() {
      const rejects = () => Promise.reject(new TypeError("fetch failed", { cause: new Error("ECONNRESET") }))
      const get = yield* failing(rejects)
      expect(get.error._tag).toBe("ClerkTransportError")
      // The innermost message (here the cause's "ECONNRESET"), with the host.
      expect(get.error.message).toBe(`Clerk transport error (GET /sessions/${SID} to api.clerk.test): Transport, ECONNRESET`)
      expect(get.error._tag === "ClerkTransportError" && (get.error.cause as Error).message).toBe("fetch failed")
      expect(get.calls).toBe(4)
      const create = yield* failing(rejects, Effect.flatMap(Sessions, (s) => s.createSession({ userId: "user_1" })))
      expect(create.error.message).toBe("Clerk transport error (POST /sessions to api.clerk.test): Transport, ECONNRESET")
      expect(create.calls).toBe(1)
    }))

  const brokenBody = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{\"id\":"))
          controller.error(new Error("connection reset mid-body"))
        }
      }),
      { status: 200 }
    )

  it.effect("a body read that errors: \"Decode reading the response\", the same error as over HttpClient", () =>
    Effect.gen(function*() {
      const viaFetch = yield* failing(async () => brokenBody())
      expect(viaFetch.error._tag).toBe("ClerkTransportError")
      expect(viaFetch.error.message).toBe(
        `Clerk transport error (GET /sessions/${SID} to api.clerk.test): Decode reading the response, connection reset mid-body`
      )
      expect(viaFetch.calls).toBe(4)

      let httpCalls = 0
      const client = HttpClient.make((request) =>
        Effect.sync(() => {
          httpCalls++
          return HttpClientResponse.fromWeb(request, brokenBody())
        })
      )
      const layer = Sessions.layer.pipe(
        Layer.provide(ClerkClient.layer(mockOptions())),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
      )
      const fiber = yield* Kernel.fork(Effect.flip(Effect.provide(getSession, layer)))
      yield* TestClock.adjust("1 minute")
      const viaHttpClient = yield* Fiber.join(fiber)
      expect(viaHttpClient._tag).toBe(viaFetch.error._tag)
      expect(viaHttpClient.message).toBe(viaFetch.error.message)
      expect(httpCalls).toBe(4)
    }))
})

describe("operation spans exist only under a non-native tracer", () => {
  for (const transport of TRANSPORTS) {
    // Over HttpClient the request runs inside the platform's `http.client` span; over fetch, inside none of its own.
    const httpSpan = transport === "httpClient" ? [httpSpanName("GET")] : []

    it.effect(`${transport}: under Effect's native tracer no Sessions.getSession span is built`, () =>
      Effect.gen(function*() {
        const mock = mockSessions([ok], {}, transport)
        yield* Effect.provide(getSession, mock.layer).pipe(Effect.withSpan("app.handler"))
        // The application's own span is there; the operation's is not.
        expect(mock.recorded[0].spans.map((s) => s.name)).toEqual([...httpSpan, "app.handler"])
      }))

    it.effect(`${transport}: with a tracer installed, the request runs inside Sessions.getSession`, () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const mock = mockSessions([ok], {}, transport)
        yield* Effect.provide(getSession, Layer.merge(mock.layer, recorder.layer)).pipe(Effect.withSpan("app.handler"))
        const spans = mock.recorded[0].spans
        expect(spans.map((s) => s.name)).toEqual([...httpSpan, "Sessions.getSession", "app.handler"])
        expect(spans[httpSpan.length].attributes.get("clerk.session_id")).toBe(SID)
        // "app.handler" was opened outside the recorder's layer, by the native tracer.
        expect(recorder.spans.map((s) => s.name)).toEqual(["Sessions.getSession", ...httpSpan])
      }))
  }
})

describe("ClerkClient.layerFetchConfig", () => {
  const fromEnv = (env: Record<string, string>, overrides?: Partial<ClerkClientOptions>) => {
    const mock = makeFetchMock([ok])
    const layer = Sessions.layer.pipe(
      Layer.provide(ClerkClient.layerFetchConfig(overrides).pipe(Layer.provide(mock.layer))),
      Layer.provide(configLayer(env))
    )
    return Effect.provide(getSession, layer).pipe(Effect.map(() => mock.recorded))
  }

  it.effect("reads CLERK_SECRET_KEY, CLERK_API_URL and CLERK_API_VERSION", () =>
    Effect.gen(function*() {
      const [req] = yield* fromEnv({
        CLERK_SECRET_KEY: "sk_test_from_env",
        CLERK_API_URL: "https://clerk.internal.example/",
        CLERK_API_VERSION: "2025-11-10"
      })
      expect(req.url.href).toBe(`https://clerk.internal.example/v1/sessions/${SID}`)
      expect(req.headers.authorization).toBe("Bearer sk_test_from_env")
      expect(req.headers["clerk-api-version"]).toBe("2025-11-10")
      const [defaults] = yield* fromEnv({ CLERK_SECRET_KEY: "sk_test_from_env", CLERK_API_VERSION: "v1" })
      expect(defaults.url.href).toBe(`https://api.clerk.com/v1/sessions/${SID}`)
      expect(defaults.headers["clerk-api-version"]).toBe("2026-05-12")
    }))

  it.effect("overrides win over the environment", () =>
    Effect.gen(function*() {
      const [req] = yield* fromEnv(
        { CLERK_SECRET_KEY: "sk_test_from_env", CLERK_API_URL: "https://env.example" },
        { secretKey: Redacted.make("sk_test_override"), apiUrl: "http://127.0.0.1:4010", userAgent: "ua/1" }
      )
      expect(req.url.href).toBe(`http://127.0.0.1:4010/v1/sessions/${SID}`)
      expect(req.headers.authorization).toBe("Bearer sk_test_override")
      expect(req.headers["user-agent"]).toBe("ua/1")
    }))

  it.effect("a missing CLERK_SECRET_KEY or a bad CLERK_API_VERSION is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(fromEnv({ CLERK_API_URL: "https://env.example" }))
      expect(isConfigError(missing)).toBe(true)
      expect(String(missing)).toContain("CLERK_SECRET_KEY")
      const bad = yield* Effect.flip(fromEnv({ CLERK_SECRET_KEY: "sk", CLERK_API_VERSION: "2025-1-1" }))
      expect(isConfigError(bad)).toBe(true)
      expect(String(bad)).toContain("CLERK_API_VERSION")
      expect(String(bad)).toContain("2025-1-1")
    }))
})

describe("a refused connection over a real socket", () => {
  it.live("ClerkTransportError names the host (never the key) and the runtime's code", () =>
    Effect.gen(function*() {
      // A port that was just free: listened on, then closed.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            server.close(() => resolve(port))
          })
        })
      )
      const error = yield* Effect.flip(Effect.flatMap(Sessions, (s) => s.getSession("sess_refused")).pipe(
        Effect.provide(Sessions.layer.pipe(Layer.provide(ClerkClient.layerFetch({
          secretKey: Redacted.make("sk_test_refused_0123456789"),
          apiUrl: `http://127.0.0.1:${port}`,
          retry: false
        }))))
      ))
      expect(error._tag).toBe("ClerkTransportError")
      if (error._tag !== "ClerkTransportError") return
      expect(error.host).toBe(`127.0.0.1:${port}`)
      // Node: ECONNREFUSED; Bun: ConnectionRefused; Deno: its "Connection refused" text.
      expect(error.code).toMatch(/ECONNREFUSED|ConnectionRefused|refused/i)
      expect(error.message.startsWith(`Clerk transport error (GET /sessions/sess_refused to 127.0.0.1:${port}): Transport, `)).toBe(true)
      expect(error.message).not.toContain("sk_test_refused")
    }))
})
