/**
 * Every scripted fault ends in the typed outcome and the retry behaviour DESIGN.md promises:
 * safe operations retry 429 (never sooner than Retry-After), 502/503/504, transport errors
 * and timeouts; 500, decode errors and every failure of createSession/refreshSession do not.
 * In-process on the TestClock where timing is asserted; live where a timeout must fire; and
 * over a real node:http socket for the dropped connection.
 */
import * as Kernel from "#line/Kernel"
import { causeOf, FetchHttpClient, poll, sleeps, TestClock } from "#test-line/Testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ClerkClient, type ClerkClientOptions } from "../../src/ClerkClient.js"
import type { ClerkError } from "../../src/ClerkError.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, ClerkEmulatorServer, Fault } from "../../src/testing/index.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"
import { NOW } from "./support.js"

const realTick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))

/** Sleeps shorter than this are backoffs, Retry-After waits or Fault.delay: safe to fast-forward. */
const HORIZON = 10 * 60_000

/**
 * Run `effect` to its end on the TestClock: whenever it waits on a short virtual sleep,
 * jump to it; real async work (bodies, crypto) is waited for in real time. The client's
 * per-attempt timeout must be longer than HORIZON so it never fires by accident.
 */
const drive = <A, E>(effect: Effect.Effect<A, E, Sessions | ClerkEmulator>) =>
  Effect.gen(function*() {
    const fiber = yield* Kernel.fork(effect)
    // Bounded in real time, generously: a busy machine is slow, not stuck.
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      const done = yield* poll(fiber)
      if (Option.isSome(done)) return done.value
      const now = yield* Clock.currentTimeMillis
      const next = (yield* sleeps).filter((t) => t - now < HORIZON).sort((a, b) => a - b)[0]
      if (next !== undefined) yield* TestClock.adjust(Math.max(0, next - now))
      else yield* realTick
    }
    return yield* Kernel.dieMessage("drive: the effect did not finish")
  })

/** Wait (in real time) until something sleeps until exactly `at` on the TestClock. */
const sleepingUntil = (at: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if ((yield* sleeps).includes(at)) return
      yield* realTick
    }
    return yield* Kernel.dieMessage(`nothing slept until ${at}`)
  })

const failureOf = <A>(exit: Exit.Exit<A, ClerkError>): ClerkError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const cause = causeOf(exit.cause)
  const failure = cause._tag === "Fail" ? cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${cause._tag}`)
  return failure
}

/** The emulator in-process, with a 1-hour attempt timeout so only retries move the TestClock. */
const inProcess = (client: Partial<ClerkClientOptions> = {}) =>
  ClerkEmulator.layerSessions({ client: { timeout: Duration.hours(1), ...client } })

const seeded = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const emulator = yield* ClerkEmulator
  const session = yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
  return { emulator, sessions: yield* Sessions, session }
})

describe("5xx and HTML error pages", () => {
  it.effect("503 twice then 200: getSession succeeds after 3 requests, with backoff between them", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.status(503), { times: 2 })
      const exit = yield* drive(sessions.getSession("sess_1"))
      expect(Exit.isSuccess(exit) && exit.value.id).toBe("sess_1")
      const log = yield* emulator.requests
      expect(log.map((r) => [r.status, r.fault])).toEqual([[503, "Status"], [503, "Status"], [200, undefined]])
      expect(log[1].at).toBeGreaterThan(log[0].at)
      expect(log[2].at).toBeGreaterThan(log[1].at)
      expect(log[2].at - log[0].at).toBeLessThan(10_000)
    }).pipe(Effect.provide(inProcess())))

  it.effect("500 is not retried: ClerkServerError with Clerk's body after 1 request", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.status(500), { times: 5 })
      const error = failureOf(yield* drive(sessions.getSession("sess_1")))
      expect(error._tag).toBe("ClerkServerError")
      expect(error._tag === "ClerkServerError" && [error.status, error.errors[0].code]).toEqual([500, "internal_clerk_error"])
      expect(error._tag === "ClerkServerError" && error.clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
      expect(yield* emulator.requests).toHaveLength(1)
    }).pipe(Effect.provide(inProcess())))

  it.effect("an HTML 502 page on every attempt: ClerkServerError(502) with no Clerk errors, after 1 + 3 retries", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.html(502), { times: Infinity })
      const error = failureOf(yield* drive(sessions.getSession("sess_1")))
      expect(error._tag).toBe("ClerkServerError")
      expect(error._tag === "ClerkServerError" && [error.status, error.errors.length]).toEqual([502, 0])
      expect((yield* emulator.requests).map((r) => r.status)).toEqual([502, 502, 502, 502])
    }).pipe(Effect.provide(inProcess())))

  it.effect("an HTML 503 once, then the real answer: success on the second request", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.html(503))
      const exit = yield* drive(sessions.getSessionList({ userId: "user_1" }))
      expect(Exit.isSuccess(exit) && exit.value.data.map((s) => s.id)).toEqual(["sess_1"])
      expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([[503, "Html"], [200, undefined]])
    }).pipe(Effect.provide(inProcess())))

  it.effect("504 on revoke (safe) is retried; 503 on createSession and refreshSession is not", () =>
    Effect.gen(function*() {
      const { emulator, session, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.status(504), { route: "revokeSession" })
      const revoked = yield* drive(sessions.revokeSession("sess_1"))
      expect(Exit.isSuccess(revoked) && revoked.value.status).toBe("revoked")
      yield* emulator.clearRequests
      yield* emulator.injectFault(Fault.status(503), { times: Infinity })
      const create = failureOf(yield* drive(sessions.createSession({ userId: "user_1" })))
      expect(create._tag === "ClerkServerError" && create.status).toBe(503)
      const refresh = failureOf(
        yield* drive(
          sessions.refreshSession("sess_1", { expiredToken: "x", refreshToken: session.refreshToken, requestOrigin: "http://localhost:3000" })
        )
      )
      expect(refresh._tag === "ClerkServerError" && refresh.status).toBe(503)
      expect((yield* emulator.requests).map((r) => r.route)).toEqual(["createSession", "refreshSession"])
    }).pipe(Effect.provide(inProcess())))
})

describe("malformed bodies", () => {
  it.effect("truncated JSON: ClerkDecodeError (not retried) on every kind of body", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      const calls = [
        sessions.getSession("sess_1"),
        sessions.getSessionList({ userId: "user_1" }),
        sessions.createSessionToken("sess_1")
      ] as const
      for (const call of calls) {
        yield* emulator.clearRequests
        yield* emulator.injectFault(Fault.truncatedJson())
        const error = failureOf(yield* drive(call as Effect.Effect<unknown, ClerkError>))
        expect(error._tag).toBe("ClerkDecodeError")
        expect(error._tag === "ClerkDecodeError" && [error.status, error.issues]).toEqual([200, "body: not valid JSON"])
        expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([[200, "TruncatedJson"]])
      }
    }).pipe(Effect.provide(inProcess())))

  it.effect("wrong-shape JSON: ClerkDecodeError naming what is missing, without the values", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.wrongShape())
      const error = failureOf(yield* drive(sessions.getSession("sess_1")))
      expect(error._tag).toBe("ClerkDecodeError")
      expect(error._tag === "ClerkDecodeError" && error.issues).toContain(`["id"]: is missing`)
      yield* emulator.injectFault(
        Fault.wrongShape({ object: "session", id: "sess_1", user_id: "user_1", client_id: "c", status: "active", last_active_at: "secret-ish", expire_at: 1, abandon_at: 1, updated_at: 1, created_at: 1 })
      )
      const typed = failureOf(yield* drive(sessions.getSession("sess_1")))
      expect(typed._tag === "ClerkDecodeError" && typed.issues).toContain(`["last_active_at"]`)
      expect(typed._tag === "ClerkDecodeError" && typed.issues).not.toContain("secret-ish")
      expect(yield* emulator.requests).toHaveLength(2)
    }).pipe(Effect.provide(inProcess())))
})

describe("429 rate limiting", () => {
  it.effect("Retry-After in seconds: the retry comes no sooner than 3 s later, then succeeds", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 3 }))
      const fiber = yield* Kernel.fork(sessions.getSession("sess_1"))
      yield* sleepingUntil(NOW + 3000)
      yield* TestClock.adjust(2999)
      yield* realTick
      expect(yield* emulator.requests).toHaveLength(1)
      expect(yield* poll(fiber)).toEqual(Option.none())
      yield* TestClock.adjust(1)
      const session = yield* Fiber.join(fiber)
      expect(session.id).toBe("sess_1")
      const log = yield* emulator.requests
      expect(log.map((r) => [r.status, r.at - NOW])).toEqual([[429, 0], [200, 3000]])
    }).pipe(Effect.provide(inProcess())))

  it.effect("Retry-After as an HTTP-date: waits until that date", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: new Date(NOW + 4000) }))
      const fiber = yield* Kernel.fork(sessions.createSessionToken("sess_1"))
      yield* sleepingUntil(NOW + 4000)
      expect(yield* emulator.requests).toHaveLength(1)
      yield* TestClock.adjust(4000)
      const token = yield* Fiber.join(fiber)
      expect(Redacted.value(token.jwt).split(".")).toHaveLength(3)
      expect((yield* emulator.requests).map((r) => r.at - NOW)).toEqual([0, 4000])
    }).pipe(Effect.provide(inProcess())))

  it.effect("a Retry-After over the client's cap fails at once with ClerkRateLimited carrying it", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 120 }))
      const error = failureOf(yield* drive(sessions.getSession("sess_1")))
      expect(error._tag).toBe("ClerkRateLimited")
      expect(error._tag === "ClerkRateLimited" && error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(120_000)
      expect(error._tag === "ClerkRateLimited" && error.errors[0].code).toBe("too_many_requests")
      expect(yield* emulator.requests).toHaveLength(1)
    }).pipe(Effect.provide(inProcess())))

  it.effect("without Retry-After: retried with backoff; on createSession: not retried", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.rateLimited())
      const exit = yield* drive(sessions.getSession("sess_1"))
      expect(Exit.isSuccess(exit)).toBe(true)
      const [first, second] = yield* emulator.requests
      expect(second.at - first.at).toBeGreaterThan(0)
      yield* emulator.clearRequests
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 1 }))
      const error = failureOf(yield* drive(sessions.createSession({ userId: "user_1" })))
      expect(error._tag === "ClerkRateLimited" && error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(1000)
      expect(yield* emulator.requests).toHaveLength(1)
    }).pipe(Effect.provide(inProcess())))
})

describe("targeting", () => {
  it.effect("a fault for one route leaves the others alone; times counts down; clearFaults forgets", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.status(503), { route: "createSessionToken", times: 2 })
      yield* emulator.injectFault(Fault.status(500), { route: "getJwks", times: Infinity })
      expect(Exit.isSuccess(yield* drive(sessions.getSession("sess_1")))).toBe(true)
      expect(Exit.isSuccess(yield* drive(sessions.createSessionToken("sess_1")))).toBe(true)
      expect(Exit.isSuccess(yield* drive(sessions.createSessionToken("sess_1")))).toBe(true)
      const log = yield* emulator.requests
      expect(log.map((r) => [r.route, r.status])).toEqual([
        ["getSession", 200],
        ["createSessionToken", 503],
        ["createSessionToken", 503],
        ["createSessionToken", 200],
        ["createSessionToken", 200]
      ])
      yield* emulator.clearFaults
      const jwks = yield* (yield* ClerkEmulator).handle(
        new Request("http://x/v1/jwks", { headers: { authorization: "Bearer sk_test_emulator" } })
      )
      expect(jwks.status).toBe(200)
    }).pipe(Effect.provide(inProcess())))

  it.effect("Fault.delay answers for real, that much later on the Clock", () =>
    Effect.gen(function*() {
      const { emulator, sessions } = yield* seeded
      yield* emulator.injectFault(Fault.delay("2 seconds"))
      const fiber = yield* Kernel.fork(sessions.getSession("sess_1"))
      yield* sleepingUntil(NOW + 2000)
      yield* TestClock.adjust(1999)
      expect(yield* poll(fiber)).toEqual(Option.none())
      yield* TestClock.adjust(1)
      expect((yield* Fiber.join(fiber)).id).toBe("sess_1")
      expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([[200, "Delay"]])
    }).pipe(Effect.provide(inProcess())))
})

describe("hangs, delays past the timeout and dropped bodies (live clock)", () => {
  const live = (client: Partial<ClerkClientOptions>) => ClerkEmulator.layerSessions({ client })

  it.live("a hang once, then the real answer: the attempt times out and the retry succeeds", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
      yield* emulator.injectFault(Fault.hang())
      const session = yield* (yield* Sessions).getSession("sess_1")
      expect(session.id).toBe("sess_1")
      expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([[undefined, "Hang"], [200, undefined]])
      // 1 s: far above an in-process answer even on a busy machine, so only the hang meets it.
    }).pipe(Effect.provide(live({ timeout: "1 second", retry: { baseDelay: "10 millis" } }))))

  it.live("hanging every time: ClerkTimeout after the retries run out", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.injectFault(Fault.hang(), { times: Infinity })
      const error = yield* Effect.flip((yield* Sessions).getSession("sess_1"))
      expect(error._tag).toBe("ClerkTimeout")
      expect(error._tag === "ClerkTimeout" && Duration.toMillis(error.timeout)).toBe(100)
      expect(yield* emulator.requests).toHaveLength(2)
    }).pipe(Effect.provide(live({ timeout: "100 millis", retry: { times: 1, baseDelay: "10 millis" } }))))

  it.live("a delay longer than the timeout is a ClerkTimeout", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
      yield* emulator.injectFault(Fault.delay("1 minute"))
      const started = Date.now()
      const error = yield* Effect.flip((yield* Sessions).getSession("sess_1"))
      expect(error._tag).toBe("ClerkTimeout")
      // Long before the delay would have ended (the bound leaves a busy machine room).
      expect(Date.now() - started).toBeLessThan(20_000)
    }).pipe(Effect.provide(live({ timeout: "200 millis", retry: false }))))

  it.live("a body dropped mid-stream in-process: ClerkTransportError without retry, success with it", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
      yield* emulator.injectFault(Fault.dropConnection())
      const raw = yield* emulator.handle(
        new Request("http://x/v1/sessions/sess_1", { headers: { authorization: "Bearer sk_test_emulator" } })
      )
      expect(raw.status).toBe(200)
      const text = yield* Effect.exit(Effect.tryPromise(() => raw.text()))
      expect(Exit.isFailure(text)).toBe(true)
      yield* emulator.injectFault(Fault.dropConnection())
      const error = yield* Effect.flip((yield* Sessions).getSession("sess_1"))
      expect(error._tag).toBe("ClerkTransportError")
      expect(error._tag === "ClerkTransportError" && error.reason).toContain("reading the response")
    }).pipe(Effect.provide(live({ retry: false }))))
})

/** Sessions over the socket with these client options (FetchHttpClient to the served URL). */
const overSocket = (client: Partial<ClerkClientOptions>) =>
  Kernel.unwrapLayer(
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const server = yield* ClerkEmulatorServer
      return Sessions.layer.pipe(
        Layer.provide(ClerkClient.layer({ secretKey: emulator.secretKey, apiUrl: server.url, ...client })),
        Layer.provide(FetchHttpClient.layer)
      )
    })
  )

layer(NodeClerkEmulator.layer(), { excludeTestServices: true })("faults over a real socket (node:http)", (it) => {
  const reset = Effect.gen(function*() {
    const emulator = yield* ClerkEmulator
    yield* emulator.clearFaults
    yield* emulator.clearRequests
    if ((yield* emulator.getSession("sess_sock")) === undefined) {
      yield* emulator.seedSession({ id: "sess_sock", userId: "user_1" })
    }
    return emulator
  })

  it.effect("dropConnection: the status and full Content-Length arrive, then the socket resets mid-body", () =>
    Effect.gen(function*() {
      const emulator = yield* reset
      const server = yield* ClerkEmulatorServer
      yield* emulator.injectFault(Fault.dropConnection({ afterBytes: 40 }))
      const response = yield* Effect.promise(() =>
        fetch(`${server.url}/v1/sessions/sess_sock`, { headers: { authorization: "Bearer sk_test_emulator" } })
      )
      expect(response.status).toBe(200)
      const declared = Number(response.headers.get("content-length"))
      expect(declared).toBeGreaterThan(200)
      const reader = response.body!.getReader()
      let received = 0
      const outcome = yield* Effect.promise(async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read()
            if (done) return "ended"
            received += value.length
          }
        } catch (error) {
          return `failed: ${(error as Error).message}`
        }
      })
      expect(outcome).toMatch(/^failed: /)
      expect(received).toBe(40)
      expect(received).toBeLessThan(declared)
    }))

  it.effect("dropConnection through the SDK: ClerkTransportError without retry; retried to success by default", () =>
    Effect.gen(function*() {
      const emulator = yield* reset
      yield* emulator.injectFault(Fault.dropConnection())
      const error = yield* Effect.flip(
        Effect.flatMap(Sessions, (s) => s.getSession("sess_sock")).pipe(Effect.provide(overSocket({ retry: false })))
      )
      expect(error._tag).toBe("ClerkTransportError")
      expect(error._tag === "ClerkTransportError" && error.path).toBe("/sessions/sess_sock")
      yield* emulator.injectFault(Fault.dropConnection())
      const session = yield* Effect.flatMap(Sessions, (s) => s.getSession("sess_sock")).pipe(
        Effect.provide(overSocket({ retry: { baseDelay: "10 millis" } }))
      )
      expect(session.id).toBe("sess_sock")
      expect((yield* emulator.requests).map((r) => r.fault)).toEqual(["DropConnection", "DropConnection", undefined])
    }))

  it.effect("HTML 502 → ClerkServerError, truncated JSON → ClerkDecodeError, wrong shape → ClerkDecodeError", () =>
    Effect.gen(function*() {
      const emulator = yield* reset
      const get = Effect.flatMap(Sessions, (s) => s.getSession("sess_sock")).pipe(Effect.provide(overSocket({ retry: false })))
      yield* emulator.injectFault(Fault.html(502))
      const html = yield* Effect.flip(get)
      expect(html._tag === "ClerkServerError" && [html.status, html.errors.length]).toEqual([502, 0])
      yield* emulator.injectFault(Fault.truncatedJson())
      const truncated = yield* Effect.flip(get)
      expect(truncated._tag === "ClerkDecodeError" && truncated.issues).toBe("body: not valid JSON")
      yield* emulator.injectFault(Fault.wrongShape([1, 2, 3]))
      const shape = yield* Effect.flip(get)
      expect(shape._tag).toBe("ClerkDecodeError")
      expect((yield* get).id).toBe("sess_sock")
    }))

  it.effect("429 with Retry-After: 1 over the socket is retried no sooner than a second later", () =>
    Effect.gen(function*() {
      const emulator = yield* reset
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 1 }))
      const started = Date.now()
      const session = yield* Effect.flatMap(Sessions, (s) => s.getSession("sess_sock")).pipe(
        Effect.provide(overSocket({}))
      )
      expect(session.id).toBe("sess_sock")
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      const log = yield* emulator.requests
      expect(log.map((r) => r.status)).toEqual([429, 200])
      expect(log[1].at - log[0].at).toBeGreaterThanOrEqual(1000)
    }))

  it.effect("a hung request ends in ClerkTimeout; the server still answers afterwards", () =>
    Effect.gen(function*() {
      const emulator = yield* reset
      yield* emulator.injectFault(Fault.hang())
      const get = Effect.flatMap(Sessions, (s) => s.getSession("sess_sock"))
      const error = yield* Effect.flip(get.pipe(Effect.provide(overSocket({ timeout: "200 millis", retry: false }))))
      expect(error._tag).toBe("ClerkTimeout")
      expect((yield* get.pipe(Effect.provide(overSocket({})))).id).toBe("sess_sock")
      expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([[undefined, "Hang"], [200, undefined]])
    }))
})
