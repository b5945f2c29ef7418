import { ok as decoded } from "../src/internal/lazy.js"
import * as Kernel from "#line/Kernel"
import { causeOf, configErrorNaming, configLayer, IllegalArgument, intersect, isConfigError, pollUnsafe, TestClock, yieldNow } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { ClerkClient, type ClerkClientOptions, type ClerkRequest } from "../src/ClerkClient.js"
import { normalizeBaseUrl } from "../src/internal/transport.js"
import { Sessions } from "../src/Sessions.js"
import {
  CANARY_SECRET,
  json,
  makeFetchMock,
  makeMock,
  mockClient,
  mockSessions,
  type Recorded,
  type Reply,
  TRANSPORTS,
  type TransportKind
} from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

const SID = "sess_1"
const ok = json(sample("session_get_200"))
const rateLimited = (retryAfter?: string): Reply =>
  json(sample("error_429_rate_limited"), 429, retryAfter === undefined ? {} : { "retry-after": retryAfter })
const status = (code: number): Reply => json({ errors: [{ code: "x", message: "m", long_message: "l" }] }, code)

/** Fork `f` over a scripted mock of the given transport so the test can drive the TestClock. */
const starter = (transport: TransportKind) =>
<A, E>(
  replies: ReadonlyArray<Reply>,
  f: (s: Sessions.Service) => Effect.Effect<A, E>,
  options: Partial<ClerkClientOptions> = {}
) =>
  Effect.gen(function*() {
    const mock = mockSessions(replies, options, transport)
    const fiber = yield* Kernel.fork(Effect.flatMap(Sessions, f).pipe(Effect.provide(mock.layer)))
    // Let the fiber build its layers and send the first request (no virtual time passes).
    for (let i = 0; i < 1000 && mock.recorded.length === 0 && pollUnsafe(fiber) === undefined; i++) {
      yield* yieldNow
    }
    return { fiber, requests: mock.recorded }
  })

const get = (s: Sessions.Service) => s.getSession(SID)

/** The name of the reason a request was aborted with (`undefined` if it was not). */
const abortName = (request: Recorded) =>
  request.aborted === undefined ? undefined : (request.aborted.reason as { name?: string }).name

describe.each(TRANSPORTS)("over %s", (transport) => {
  const start = starter(transport)

  describe("Retry-After", () => {
    it.effect("seconds form: the retry comes exactly when allowed, never sooner", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited("7"), ok], get)
        expect(requests).toHaveLength(1)
        yield* TestClock.adjust("6999 millis")
        expect(requests).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        const session = yield* Fiber.join(fiber)
        expect(session.id).toBe("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        expect(requests.map((r) => r.at)).toEqual([0, 7000])
      }))

    it.effect("HTTP-date form: waits until that date", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_700_000_000_000)
        const { fiber, requests } = yield* start([rateLimited(new Date(1_700_000_012_000).toUTCString()), ok], get)
        yield* TestClock.adjust("11999 millis")
        expect(requests).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(fiber)
        expect(requests.map((r) => r.at - 1_700_000_000_000)).toEqual([0, 12_000])
      }))

    it.effect("a Retry-After beyond the cap (default 30 s) is not waited for", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited("31"), ok], get)
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkRateLimited")
        expect(error._tag === "ClerkRateLimited" && Duration.toSeconds(error.retryAfter!)).toBe(31)
        expect(requests).toHaveLength(1)
      }))

    it.effect("the cap is configurable", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited("45"), ok], get, { retry: { maxRetryAfter: "1 minute" } })
        yield* TestClock.adjust("45 seconds")
        yield* Fiber.join(fiber)
        expect(requests.map((r) => r.at)).toEqual([0, 45_000])
      }))

    it.effect("429 without Retry-After backs off and retries", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited(), ok], get)
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        expect(requests).toHaveLength(2)
        expect(requests[1].at).toBeGreaterThan(0)
      }))

    it.effect("retries give up at 3 and surface the last 429", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited("2")], get)
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkRateLimited")
        expect(requests.map((r) => r.at)).toEqual([0, 2000, 4000, 6000])
      }))

    it.effect("the overall deadline stops a wait that would end past it", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([rateLimited("7")], get, { retry: { deadline: "10 seconds" } })
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkRateLimited")
        // 0 → 7 s fits in 10 s; another 7 s (to 14 s) would not.
        expect(requests.map((r) => r.at)).toEqual([0, 7000])
      }))
  })

  describe("transient failures", () => {
    for (const code of [502, 503, 504]) {
      it.effect(`${code} is retried with backoff, then succeeds`, () =>
        Effect.gen(function*() {
          const { fiber, requests } = yield* start([status(code), status(code), ok], get)
          yield* TestClock.adjust("10 seconds")
          const session = yield* Fiber.join(fiber)
          expect(session.status).toBe("active")
          expect(requests).toHaveLength(3)
          // Jittered exponential backoff from 200 ms: each wait is within ±20% of 200, 400 ms.
          const waits = [requests[1].at - requests[0].at, requests[2].at - requests[1].at]
          expect(waits[0]).toBeGreaterThanOrEqual(160)
          expect(waits[0]).toBeLessThanOrEqual(240)
          expect(waits[1]).toBeGreaterThanOrEqual(320)
          expect(waits[1]).toBeLessThanOrEqual(480)
        }))
    }

    it.effect("retries stop after 3 (4 attempts) with the last error", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([status(503)], get)
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkServerError")
        expect(requests).toHaveLength(4)
      }))

    it.effect("500 and 4xx are not retried", () =>
      Effect.gen(function*() {
        for (const code of [500, 400, 401, 404]) {
          const { fiber, requests } = yield* start([status(code), ok], get)
          yield* TestClock.adjust("1 minute")
          const exit = yield* Fiber.await(fiber)
          expect(Exit.isFailure(exit)).toBe(true)
          expect(requests).toHaveLength(1)
        }
      }))

    it.effect("a transport error is ClerkTransportError and is retried", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([{ transportError: "connect ECONNREFUSED 127.0.0.1:1" }], get)
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkTransportError")
        // The host and what the runtime said, never the key.
        expect(error.message).toBe(`Clerk transport error (GET /sessions/${SID} to api.clerk.test): Transport, connect ECONNREFUSED 127.0.0.1:1`)
        expect(error._tag === "ClerkTransportError" && [error.host, error.code]).toEqual(["api.clerk.test", "connect ECONNREFUSED 127.0.0.1:1"])
        expect(error._tag === "ClerkTransportError" && String(error.cause)).toContain("ECONNREFUSED")
        expect(requests).toHaveLength(4)
      }))

    it.effect("createSession and refreshSession are never re-sent", () =>
      Effect.gen(function*() {
        const calls: ReadonlyArray<(s: Sessions.Service) => Effect.Effect<unknown, unknown>> = [
          (s) => s.createSession({ userId: "user_1" }),
          (s) => s.refreshSession(SID, { expiredToken: "e", refreshToken: "r", requestOrigin: "https://a.example" })
        ]
        for (const call of calls) {
          for (const reply of [status(503), rateLimited("1"), { transportError: "reset" } as Reply, { hang: true } as Reply]) {
            const { fiber, requests } = yield* start([reply, ok], call)
            yield* TestClock.adjust("1 minute")
            const exit = yield* Fiber.await(fiber)
            expect(Exit.isFailure(exit)).toBe(true)
            expect(requests).toHaveLength(1)
          }
        }
      }))

    it.effect("every safe operation retries", () =>
      Effect.gen(function*() {
        const calls: ReadonlyArray<(s: Sessions.Service) => Effect.Effect<unknown, unknown>> = [
          (s) => s.getSessionList({ userId: "u" }),
          (s) => s.getSession(SID),
          (s) => s.revokeSession(SID),
          (s) => s.verifySession(SID),
          (s) => s.createSessionToken(SID),
          (s) => s.createSessionTokenFromTemplate(SID, "t")
        ]
        for (const call of calls) {
          const { fiber, requests } = yield* start([status(503)], call)
          yield* TestClock.adjust("1 minute")
          yield* Fiber.await(fiber)
          expect(requests).toHaveLength(4)
        }
      }))

    it.effect("retry: false sends once", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([status(503), ok], get, { retry: false })
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkServerError")
        expect(requests).toHaveLength(1)
      }))

    it.effect("a custom Schedule replaces the backoff; Retry-After still sets the floor", () =>
      Effect.gen(function*() {
        const schedule = intersect(Schedule.spaced("1 second"), Schedule.recurs(2))
        const { fiber, requests } = yield* start([status(503), rateLimited("5"), status(503)], get, {
          retry: { schedule }
        })
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkServerError")
        expect(requests.map((r) => r.at)).toEqual([0, 1000, 6000])
      }))
  })

  describe("timeout", () => {
    it.effect("a hung attempt fails as ClerkTimeout after 10 s and is retried", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([{ hang: true }, ok], get)
        yield* TestClock.adjust("9999 millis")
        expect(requests).toHaveLength(1)
        expect(requests[0].aborted).toBeUndefined()
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        expect(requests).toHaveLength(2)
        // The timed-out attempt's request was aborted, not left running.
        expect(abortName(requests[0])).toBe("AbortError")
      }))

    it.effect("a hang on every attempt ends in ClerkTimeout, bounded", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([{ hang: true }], get, { timeout: "2 seconds" })
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag).toBe("ClerkTimeout")
        expect(error.message).toBe(`Clerk request timed out after 2s (GET /sessions/${SID})`)
        expect(requests).toHaveLength(4)
        expect(requests.map(abortName)).toEqual(["AbortError", "AbortError", "AbortError", "AbortError"])
        // Each retry starts after the 2 s timeout plus the jittered backoff (200, 400, 800 ms ± 20%).
        const backoffs = requests.slice(1).map((r, i) => r.at - requests[i].at - 2000)
        expect(backoffs[0]).toBeGreaterThanOrEqual(160)
        expect(backoffs[0]).toBeLessThanOrEqual(240)
        expect(backoffs[1]).toBeGreaterThanOrEqual(320)
        expect(backoffs[1]).toBeLessThanOrEqual(480)
        expect(backoffs[2]).toBeGreaterThanOrEqual(640)
        expect(backoffs[2]).toBeLessThanOrEqual(960)
      }))

    it.effect("interrupting the caller aborts the attempt in flight", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([{ hang: true }], get)
        yield* TestClock.adjust("1 second")
        expect(requests[0].aborted).toBeUndefined()
        yield* Fiber.interrupt(fiber)
        expect(requests).toHaveLength(1)
        expect(abortName(requests[0])).toBe("AbortError")
      }))
  })

  /** `layerConfig` (over the HttpClient mock) or `layerFetchConfig` (over the fetch mock). */
  const configured = (overrides?: Parameters<typeof ClerkClient.layerConfig>[0]) => {
    if (transport === "fetch") {
      const mock = makeFetchMock([ok])
      return { recorded: mock.recorded, layer: ClerkClient.layerFetchConfig(overrides).pipe(Layer.provide(mock.layer)) }
    }
    const mock = makeMock([ok])
    return { recorded: mock.recorded, layer: ClerkClient.layerConfig(overrides).pipe(Layer.provide(mock.layer)) }
  }

  const fromEnv = (env: Record<string, string>) => {
    const mock = configured()
    const layer = Sessions.layer.pipe(
      Layer.provide(mock.layer),
      Layer.provide(configLayer(env))
    )
    return Effect.flatMap(Sessions, get).pipe(
      Effect.provide(layer),
      Effect.map(() => mock.recorded[0])
    )
  }

  describe("configuration", () => {
    it.effect("apiUrl with /v1/ still hits /v1/sessions; apiVersion and userAgent options are sent", () =>
      Effect.gen(function*() {
        const { fiber, requests } = yield* start([ok], get, {
          apiUrl: "http://127.0.0.1:4010/v1/",
          apiVersion: "2025-04-10",
          userAgent: "my-app/1.0"
        })
        yield* Fiber.join(fiber)
        expect(requests[0].url.href).toBe(`http://127.0.0.1:4010/v1/sessions/${SID}`)
        expect(requests[0].headers["clerk-api-version"]).toBe("2025-04-10")
        expect(requests[0].headers["user-agent"]).toBe("my-app/1.0")
      }))

    it.effect("layerConfig reads CLERK_SECRET_KEY, CLERK_API_URL and a dated CLERK_API_VERSION", () =>
      Effect.gen(function*() {
        const req = yield* fromEnv({
          CLERK_SECRET_KEY: "sk_test_env",
          CLERK_API_URL: "https://clerk.internal.example",
          CLERK_API_VERSION: "2025-11-10"
        })
        expect(req.url.href).toBe(`https://clerk.internal.example/v1/sessions/${SID}`)
        expect(req.headers.authorization).toBe("Bearer sk_test_env")
        expect(req.headers["clerk-api-version"]).toBe("2025-11-10")
      }))

    it.effect("layerConfig takes Config.Wrap options (a Config per field), the CLERK_* variables filling the rest", () =>
      Effect.gen(function*() {
        const mock = configured({
          apiUrl: Config.map(Config.succeed("https://wrapped.example"), (url) => `${url}/`),
          userAgent: Config.succeed("wrapped-app/2.0")
        })
        const req = yield* Effect.flatMap(Sessions, get).pipe(
          Effect.provide(Sessions.layer.pipe(Layer.provide(mock.layer), Layer.provide(configLayer({ CLERK_SECRET_KEY: "sk_test_env" })))),
          Effect.map(() => mock.recorded[0]!)
        )
        expect(req.url.href).toBe(`https://wrapped.example/v1/sessions/${SID}`)
        expect([req.headers.authorization, req.headers["user-agent"]]).toEqual(["Bearer sk_test_env", expect.stringContaining("wrapped-app/2.0")])
      }))

    it.effect("layerConfig: CLERK_API_VERSION=v1 keeps the default dated header; the URL defaults to api.clerk.com", () =>
      Effect.gen(function*() {
        const req = yield* fromEnv({ CLERK_SECRET_KEY: "sk_test_env", CLERK_API_VERSION: "v1" })
        expect(req.url.href).toBe(`https://api.clerk.com/v1/sessions/${SID}`)
        expect(req.headers["clerk-api-version"]).toBe("2026-05-12")
      }))

    it.effect("layerConfig: a bad CLERK_API_VERSION or a missing key is a ConfigError naming the variable", () =>
      Effect.gen(function*() {
        const bad = yield* fromEnv({ CLERK_SECRET_KEY: "sk", CLERK_API_VERSION: "latest" }).pipe(Effect.flip)
        expect(String(bad)).toContain("CLERK_API_VERSION")
        expect(String(bad)).toContain("latest")
        const missing = yield* fromEnv({}).pipe(Effect.flip)
        expect(String(missing)).toContain("CLERK_SECRET_KEY")
      }))

    it.effect("the secret key from config stays Redacted", () =>
      Effect.gen(function*() {
        const options = { secretKey: Redacted.make("sk_test_x") }
        const client = yield* Effect.provide(
          ClerkClient,
          transport === "fetch"
            ? ClerkClient.layerFetch(options).pipe(Layer.provide(makeFetchMock([ok]).layer))
            : ClerkClient.layer(options).pipe(Layer.provide(makeMock([ok]).layer))
        )
        expect(client.baseUrl).toBe("https://api.clerk.com/v1")
        expect(JSON.stringify(Object.keys(client))).not.toContain("sk_test_x")
      }))
  })

  describe("options that cannot work are refused when the layer is built", () => {
    /** Build the layer (`layer` or `layerFetch`) with `options`; the exit and the requests it sent. */
    const build = (options: Partial<ClerkClientOptions>) =>
      Effect.gen(function*() {
        const mock = mockClient([ok], options, transport)
        const exit = yield* Effect.exit(Effect.provide(ClerkClient, mock.layer))
        return { exit, requests: mock.recorded }
      })

    /** The defect's message; fails the test if the layer was built, or failed another way. */
    const refusal = (options: Partial<ClerkClientOptions>) =>
      Effect.map(build(options), ({ exit, requests }) => {
        expect(requests).toEqual([])
        expect(Exit.isFailure(exit) && causeOf(exit.cause)._tag).toBe("Die")
        const cause = Exit.isFailure(exit) ? causeOf(exit.cause) : undefined
        const defect = cause?._tag === "Die" ? cause.defect : undefined
        expect(defect).toBeInstanceOf(IllegalArgument)
        return String((defect as Error).message)
      })

    for (
      const [name, apiUrl, expected] of [
        ["not a URL", "not a url", `apiUrl is not an absolute URL like https://api.clerk.com, got "not a url"`],
        ["a bare host", "api.clerk.com", "apiUrl is not an absolute URL like https://api.clerk.com (is https:// missing?)"],
        ["empty", "", "apiUrl is empty (expected an absolute URL like https://api.clerk.com)"],
        ["whitespace", "   ", "apiUrl is empty"],
        ["another scheme", "ftp://api.clerk.com", `apiUrl must be an https:// URL, got the scheme "ftp:"`],
        ["a query", "https://api.clerk.com?x=1", "apiUrl must not have a query or fragment"],
        ["a fragment", "https://api.clerk.com/#v1", "apiUrl must not have a query or fragment"],
        ["http:// to a public host", "http://api.clerk.com", `apiUrl uses http:// to "api.clerk.com", which is not a loopback address`],
        ["http:// to a private address", "http://10.0.0.5:8080", "set allowInsecureHttp: true"],
        ["http:// to a name under localhost", "http://clerk.localhost.example", "not a loopback address"]
      ] as const
    ) {
      it.effect(`apiUrl ${name} (${JSON.stringify(apiUrl)}): a defect naming apiUrl`, () =>
        Effect.gen(function*() {
          const message = yield* refusal({ apiUrl })
          expect(message).toContain("ClerkClient: invalid options: ")
          expect(message).toContain(expected)
        }))
    }

    it.effect("apiUrl with credentials: refused without quoting the user or the password", () =>
      Effect.gen(function*() {
        for (const apiUrl of ["https://admin:CANARYpa55@api.clerk.com", "https://CANARYuser@api.clerk.com", "http://u:CANARYpw@127.0.0.1:4010"]) {
          const message = yield* refusal({ apiUrl })
          expect(message).toBe(
            "ClerkClient: invalid options: apiUrl must not contain credentials (user:password@): the secret key is the only credential sent"
          )
        }
        // Unparseable and carrying an @: still not quoted.
        const message = yield* refusal({ apiUrl: "https//admin:CANARYpa55@host" })
        expect(message).toContain("apiUrl is not an absolute URL")
        expect(message).not.toContain("CANARY")
      }))

    it.effect("http:// to loopback is accepted (127.0.0.0/8, localhost, [::1]); anything else with allowInsecureHttp", () =>
      Effect.gen(function*() {
        for (
          const [options, href] of [
            [{ apiUrl: "http://127.0.0.1:4010" }, "http://127.0.0.1:4010/v1/sessions/sess_1"],
            [{ apiUrl: "http://127.9.8.7" }, "http://127.9.8.7/v1/sessions/sess_1"],
            [{ apiUrl: "http://localhost:4010/" }, "http://localhost:4010/v1/sessions/sess_1"],
            [{ apiUrl: "http://[::1]:4010/v1" }, "http://[::1]:4010/v1/sessions/sess_1"],
            [{ apiUrl: "http://clerk-emulator:8080", allowInsecureHttp: true }, "http://clerk-emulator:8080/v1/sessions/sess_1"]
          ] as const
        ) {
          const { fiber, requests } = yield* start([ok], get, options)
          const session = yield* Fiber.join(fiber)
          expect(session.id).toBe(sample("session_get_200").id)
          expect(requests.map((r) => r.url.href)).toEqual([href])
        }
      }))

    for (
      const [name, key, expected] of [
        ["empty", "", "secretKey is empty"],
        ["only whitespace", "  \t ", "secretKey is only whitespace"],
        ["with a trailing newline", "sk_test_CANARY\n", "secretKey has leading or trailing whitespace"],
        ["with CR LF and a header after it", "sk_test_CANARY\r\nX: 1", "secretKey contains a line break (CR or LF) at position 15"],
        ["with a NUL", "sk_test_CANARY\u0000x", "secretKey contains a NUL character at position 15"],
        ["with a space", "sk_test_CANARY x", "secretKey contains a space or tab at position 15"],
        ["with a non-ASCII character", "sk_test_CANARYé", "secretKey contains a non-ASCII character at position 15"],
        ["with DEL", "sk_test_CANARY\u007f", "secretKey contains a control character at position 15"]
      ] as const
    ) {
      it.effect(`secretKey ${name}: a defect naming secretKey, never quoting it`, () =>
        Effect.gen(function*() {
          const message = yield* refusal({ secretKey: Redacted.make(key) })
          expect(message).toContain(expected)
          expect(message).not.toContain("CANARY")
        }))
    }

    it.effect("a secretKey that is not Redacted, a bad userAgent or apiVersion: every problem in one message", () =>
      Effect.gen(function*() {
        const message = yield* refusal({
          secretKey: "sk_test_CANARY" as unknown as Redacted.Redacted<string>,
          apiUrl: "api.clerk.com",
          userAgent: "app/1\r\nX-Injected: 1",
          apiVersion: ""
        })
        expect(message).toBe(
          "ClerkClient: invalid options: " +
            "secretKey must be a Redacted<string> (Redacted.make(\"sk_…\")); " +
            "apiUrl is not an absolute URL like https://api.clerk.com (is https:// missing?), got \"api.clerk.com\"; " +
            "apiVersion is empty; " +
            "userAgent is not a valid HTTP header value (control characters or non-Latin-1 characters)"
        )
      }))

    it.effect("layerConfig: a bad CLERK_API_URL is a ConfigError naming it", () =>
      Effect.gen(function*() {
        for (
          const [url, expected] of [
            ["not a url", `the API URL is not an absolute URL like https://api.clerk.com, got "not a url"`],
            ["api.clerk.com", "(is https:// missing?)"],
            ["", "the API URL is empty"],
            ["http://clerk.internal.example", "set allowInsecureHttp: true"],
            ["https://admin:CANARYpw@clerk.internal.example", "must not contain credentials"]
          ] as const
        ) {
          const error = yield* fromEnv({ CLERK_SECRET_KEY: "sk_test_env", CLERK_API_URL: url }).pipe(Effect.flip)
          expect(isConfigError(error)).toBe(true)
          expect(String(error)).toContain(configErrorNaming("CLERK_API_URL"))
          expect(String(error)).toContain(expected)
          expect(String(error)).not.toContain("CANARY")
        }
      }))

    it.effect("layerConfig: an empty, blank or malformed CLERK_SECRET_KEY is a ConfigError naming it, never quoting it", () =>
      Effect.gen(function*() {
        for (
          const [key, expected] of [
            ["", "the secret key is empty"],
            ["   ", "the secret key is only whitespace"],
            ["sk_test_CANARY\n", "the secret key has leading or trailing whitespace"],
            ["sk_test_CANARY\r\nX: 1", "the secret key contains a line break (CR or LF) at position 15"],
            ["sk_test_CANARY\u0000", "the secret key contains a NUL character"]
          ] as const
        ) {
          const error = yield* fromEnv({ CLERK_SECRET_KEY: key }).pipe(Effect.flip)
          expect(isConfigError(error)).toBe(true)
          expect(String(error)).toContain(configErrorNaming("CLERK_SECRET_KEY"))
          expect(String(error)).toContain(expected)
          expect(String(error)).not.toContain("CANARY")
          expect(JSON.stringify(error)).not.toContain("CANARY")
        }
      }))

    it.effect("layerConfig: allowInsecureHttp in the overrides lets an http:// CLERK_API_URL through", () =>
      Effect.gen(function*() {
        const mock = configured({ allowInsecureHttp: true })
        const layer = Sessions.layer.pipe(
          Layer.provide(mock.layer),
          Layer.provide(configLayer(
            new Map([["CLERK_SECRET_KEY", "sk_test_env"], ["CLERK_API_URL", "http://clerk-emulator:8080"]])
          ))
        )
        yield* Effect.provide(Effect.flatMap(Sessions, get), layer)
        expect(mock.recorded.map((r) => r.url.href)).toEqual([`http://clerk-emulator:8080/v1/sessions/${SID}`])
      }))

    it.effect("layerConfig: a bad override is a defect naming the option, as with layer", () =>
      Effect.gen(function*() {
        const mock = configured({ apiUrl: "nope" })
        const exit = yield* Effect.exit(Effect.provide(
          ClerkClient,
          mock.layer.pipe(
            Layer.provide(configLayer({ CLERK_SECRET_KEY: "sk_test_env" }))
          )
        ))
        expect(Exit.isFailure(exit) && causeOf(exit.cause)._tag).toBe("Die")
        expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain(
          `apiUrl is not an absolute URL like https://api.clerk.com (is https:// missing?), got "nope"`
        )
        expect(mock.recorded).toEqual([])
      }))
  })
})

describe("configuration", () => {
  it("normalizes the API URL", () => {
    expect(normalizeBaseUrl("https://api.clerk.com")).toBe("https://api.clerk.com/v1")
    expect(normalizeBaseUrl("https://api.clerk.com/")).toBe("https://api.clerk.com/v1")
    expect(normalizeBaseUrl("https://api.clerk.com/v1")).toBe("https://api.clerk.com/v1")
    expect(normalizeBaseUrl("https://api.clerk.com/v1/")).toBe("https://api.clerk.com/v1")
    expect(normalizeBaseUrl("http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010/v1")
  })
})

describe("both transports send byte-identical requests", () => {
  const echo = (body: unknown) => decoded(body)
  const none = new Set<400>()

  /** Send `spec` through ClerkClient.request over each transport; return what each mock saw. */
  const sendBoth = (spec: ClerkRequest, options: Partial<ClerkClientOptions> = {}) =>
    Effect.forEach(TRANSPORTS, (transport) => {
      const mock = mockClient([json({ ok: true })], options, transport)
      return Effect.flatMap(ClerkClient, (client) => client.request(spec, echo, none)).pipe(
        Effect.provide(mock.layer),
        Effect.map((result) => {
          expect(result).toEqual({ ok: true })
          expect(mock.recorded).toHaveLength(1)
          return mock.recorded[0]
        })
      )
    })

  /** The headers both send; the HttpClient path also names the body's length, which fetch computes itself. */
  const expectSame = (viaHttpClient: Recorded, viaFetch: Recorded) => {
    expect(viaFetch.method).toBe(viaHttpClient.method)
    expect(viaFetch.url.href).toBe(viaHttpClient.url.href)
    expect(viaFetch.bodyText).toBe(viaHttpClient.bodyText)
    const { "content-length": length, ...rest } = viaHttpClient.headers
    expect(viaFetch.headers).toEqual(rest)
    expect(length).toBe(
      viaHttpClient.bodyText === undefined ? undefined : String(new TextEncoder().encode(viaHttpClient.bodyText).length)
    )
    expect(viaFetch.headers["content-length"]).toBeUndefined()
  }

  const common = {
    accept: "application/json",
    authorization: `Bearer ${CANARY_SECRET}`,
    "clerk-api-version": "2026-05-12",
    "user-agent": "effect-clerk/0.1.0"
  }

  it.effect("query encoding: spaces, +, reserved characters, unicode, repeated params, in order", () =>
    Effect.gen(function*() {
      const [viaHttpClient, viaFetch] = yield* sendBoth({
        method: "GET",
        path: "/sessions",
        urlParams: [
          ["user_id", "a b+c/é&?=#%"],
          ["status", "active"],
          ["status", "ended"],
          ["emoji", "😀 ü"],
          ["paginated", "true"]
        ],
        idempotent: true
      })
      expectSame(viaHttpClient, viaFetch)
      expect(viaFetch.url.href).toBe(
        "https://api.clerk.test/v1/sessions?user_id=a+b%2Bc%2F%C3%A9%26%3F%3D%23%25&status=active&status=ended" +
          "&emoji=%F0%9F%98%80+%C3%BC&paginated=true"
      )
      expect(viaFetch.url.searchParams.getAll("status")).toEqual(["active", "ended"])
      expect(viaFetch.url.searchParams.get("user_id")).toBe("a b+c/é&?=#%")
      expect(viaFetch.headers).toEqual(common)
      expect(viaFetch.bodyText).toBeUndefined()
    }))

  it.effect("no params: no `?` at all; an encoded path segment is kept as encoded", () =>
    Effect.gen(function*() {
      const [viaHttpClient, viaFetch] = yield* sendBoth({
        method: "GET",
        path: `/sessions/${encodeURIComponent("a b/ü%")}`,
        urlParams: [],
        idempotent: true
      })
      expectSame(viaHttpClient, viaFetch)
      expect(viaFetch.url.href).toBe("https://api.clerk.test/v1/sessions/a%20b%2F%C3%BC%25")
      expect(viaFetch.url.search).toBe("")
    }))

  it.effect("POST with a JSON body: the same bytes and content-type", () =>
    Effect.gen(function*() {
      const body = { token: "é + ü \u2028 \"quoted\" </script>", n: 1.5, nested: { list: [1, null, "x"] } }
      const [viaHttpClient, viaFetch] = yield* sendBoth({
        method: "POST",
        path: "/sessions/sess_1/verify",
        body,
        idempotent: true
      })
      expectSame(viaHttpClient, viaFetch)
      expect(viaFetch.method).toBe("POST")
      expect(viaFetch.bodyText).toBe(JSON.stringify(body))
      expect(viaFetch.body).toEqual(body)
      expect(viaFetch.headers).toEqual({ ...common, "content-type": "application/json" })
      expect(viaHttpClient.headers["content-length"]).toBe(String(new TextEncoder().encode(JSON.stringify(body)).length))
    }))

  it.effect("POST without a body: no body and no content-type", () =>
    Effect.gen(function*() {
      const [viaHttpClient, viaFetch] = yield* sendBoth({ method: "POST", path: "/sessions/sess_1/revoke", idempotent: true })
      expectSame(viaHttpClient, viaFetch)
      expect(viaFetch.headers).toEqual(common)
      expect(viaHttpClient.headers).toEqual(common)
      expect(viaFetch.bodyText).toBeUndefined()
    }))

  it.effect("apiUrl, apiVersion and userAgent options apply the same way", () =>
    Effect.gen(function*() {
      const [viaHttpClient, viaFetch] = yield* sendBoth(
        { method: "GET", path: "/sessions/sess_1", idempotent: true },
        { apiUrl: "http://127.0.0.1:4010/v1/", apiVersion: "2025-04-10", userAgent: "my-app/1.0 (+https://app.example)" }
      )
      expectSame(viaHttpClient, viaFetch)
      expect(viaFetch.url.href).toBe("http://127.0.0.1:4010/v1/sessions/sess_1")
      expect(viaFetch.headers).toEqual({
        ...common,
        "clerk-api-version": "2025-04-10",
        "user-agent": "my-app/1.0 (+https://app.example)"
      })
    }))
})
