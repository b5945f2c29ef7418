/**
 * `ClerkClient`'s `rateLimit` over the emulator in-process, on TestClock: clients sharing one
 * budget (a fleet's isolates) never put more than `limit` requests in any window at the
 * emulator, a spent budget waits or fails before sending, a 429's Retry-After seen by one
 * client holds the others off, `GET /v1/jwks` takes no slot, and a limiter that fails or
 * never answers lets calls through with a warning. The Durable Object behind
 * `RateLimiter.layerDurableObject` runs in workerd (test/workers/fleet.test.ts); its protocol
 * is checked here too.
 */
import * as Kernel from "#line/Kernel"
import { causeOf, pollUnsafe, TestClock, yieldNow } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient, type ClerkClientOptions, type RateLimitPolicy } from "../src/ClerkClient.js"
import { ClerkRateLimited } from "../src/ClerkError.js"
import { reserve } from "../src/internal/budget.js"
import { ClerkRateLimiterObject, RateLimiter, RateLimiterError } from "../src/RateLimiter.js"
import { Sessions } from "../src/Sessions.js"
import { ClerkEmulator, Fault } from "../src/testing/index.js"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { busiestWindow, captureLogs } from "./support/fleet.js"

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0)
const SECRET = "sk_test_emulator"

/** One isolate's `Sessions` (its own ClerkClient), alive for the test's scope. */
/**
 * A client as a fresh isolate builds it, its instance key (a SHA-256 digest, computed on
 * WebCrypto's own threads) already known: the tests move the TestClock while calls are in
 * flight, and a digest still running in real time would let virtual time pass before the
 * first request is sent.
 */
const isolate = (options: Partial<ClerkClientOptions> = {}) =>
  Effect.flatMap(
    Layer.build(Sessions.layer.pipe(Layer.provideMerge(ClerkClient.layer({
      secretKey: Redacted.make(SECRET),
      retry: false,
      rateLimit: { limit: 5, window: "10 seconds" },
      ...options
    })))),
    (context) => Effect.as(Context.get(context, ClerkClient).instanceKey, Context.get(context, Sessions))
  )

const sessionRequests = Effect.flatMap(ClerkEmulator, (emulator) =>
  Effect.map(emulator.requests, (requests) => requests.filter((r) => r.route === "getSession")))

const seed = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const emulator = yield* ClerkEmulator
  yield* emulator.seedUser({ id: "user_rl" })
  yield* emulator.seedSession({ id: "sess_rl", userId: "user_rl" })
  return emulator
})

/** Run `effect` forked, advancing the TestClock a second at a time until it ends. */
const driven = <A, E>(effect: Effect.Effect<A, E>, maxSeconds = 120) =>
  Effect.gen(function*() {
    const fiber = yield* Kernel.fork(effect)
    for (let i = 0; i < maxSeconds && pollUnsafe(fiber) === undefined; i++) {
      yield* Effect.repeat(yieldNow, { times: 20 })
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.join(fiber)
  })

describe("ClerkClient rateLimit: one budget shared by several clients", () => {
  it.effect("3 clients × 6 concurrent calls on a shared budget of 5 per 10 s: never more than 5 in any 10 s at the emulator", () =>
    Effect.gen(function*() {
      yield* seed
      const isolates = [yield* isolate(), yield* isolate(), yield* isolate()]
      const calls = isolates.flatMap((sessions) => Array.from({ length: 6 }, () => sessions.getSession("sess_rl")))
      const results = yield* driven(Effect.all(calls, { concurrency: "unbounded" }))
      expect(results.map((s) => s.id)).toEqual(Array(18).fill("sess_rl"))
      const times = (yield* sessionRequests).map((r) => r.at)
      expect(times).toHaveLength(18)
      expect(busiestWindow(times, 10_000)).toBe(5)
      // 18 requests at 5 per 10 s: the last batch goes out 30 s after the first.
      expect(Math.max(...times) - Math.min(...times)).toBe(30_000)
    }).pipe(Effect.scoped, Effect.provide(RateLimiter.layerMemory), Effect.provide(ClerkEmulator.layer())))

  it.effect("the same calls with each client counting alone put 15 requests in one window", () =>
    Effect.gen(function*() {
      yield* seed
      const isolates = [
        yield* isolate().pipe(Effect.provide(RateLimiter.layerMemory)),
        yield* isolate().pipe(Effect.provide(RateLimiter.layerMemory)),
        yield* isolate().pipe(Effect.provide(RateLimiter.layerMemory))
      ]
      yield* driven(Effect.all(
        isolates.flatMap((sessions) => Array.from({ length: 6 }, () => sessions.getSession("sess_rl"))),
        { concurrency: "unbounded" }
      ))
      expect(busiestWindow((yield* sessionRequests).map((r) => r.at), 10_000)).toBe(15)
    }).pipe(Effect.scoped, Effect.provide(ClerkEmulator.layer())))

  it.effect("without a RateLimiter in the context a client keeps its own budget", () =>
    Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate({ rateLimit: { limit: 2, window: "10 seconds" } })
      yield* driven(Effect.all(Array.from({ length: 5 }, () => sessions.getSession("sess_rl")), { concurrency: 5 }))
      const times = (yield* sessionRequests).map((r) => r.at - NOW)
      expect(times.sort((a, b) => a - b)).toEqual([0, 0, 10_000, 10_000, 20_000])
    }).pipe(Effect.scoped, Effect.provide(ClerkEmulator.layer())))

  it.effect("onLimit \"fail\": the call past the budget fails with ClerkRateLimited before sending", () =>
    Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate({ rateLimit: { limit: 3, window: "10 seconds", onLimit: "fail" }, retry: {} })
      for (let i = 0; i < 3; i++) yield* sessions.getSession("sess_rl")
      yield* TestClock.adjust("4 seconds")
      const error = yield* Effect.flip(sessions.getSession("sess_rl"))
      expect(error).toBeInstanceOf(ClerkRateLimited)
      const limited = error as ClerkRateLimited
      expect([limited.status, limited.errors[0]?.code, Duration.toMillis(limited.retryAfter!)]).toEqual([
        0,
        "rate_limit_budget_exhausted",
        6_000
      ])
      expect(limited.message).toBe(
        "Clerk rate limited (0): rate_limit_budget_exhausted: The Clerk request budget (3 per 10s) has no slot for 6s; " +
          "GET /sessions/sess_rl was not sent retry after 6s"
      )
      // Not retried even with a retry policy: the caller asked not to wait.
      expect(yield* sessionRequests).toHaveLength(3)
      yield* TestClock.adjust("6 seconds")
      expect((yield* sessions.getSession("sess_rl")).id).toBe("sess_rl")
    }).pipe(Effect.scoped, Effect.provide(RateLimiter.layerMemory), Effect.provide(ClerkEmulator.layer())))

  it.effect("onLimit \"wait\" is bounded by maxWait: a slot further away fails at once", () =>
    Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate({ rateLimit: { limit: 1, window: "10 seconds", maxWait: "3 seconds" } })
      yield* sessions.getSession("sess_rl")
      const error = yield* Effect.flip(sessions.getSession("sess_rl"))
      expect([error._tag, (error as ClerkRateLimited).status]).toEqual(["ClerkRateLimited", 0])
      yield* TestClock.adjust("8 seconds")
      // Now the slot is 2 s away, within maxWait: the call waits for it.
      const fiber = yield* Kernel.fork(sessions.getSession("sess_rl"))
      yield* TestClock.adjust("2 seconds")
      expect((yield* Fiber.join(fiber)).id).toBe("sess_rl")
      expect((yield* sessionRequests).map((r) => r.at - NOW)).toEqual([0, 10_000])
    }).pipe(Effect.scoped, Effect.provide(RateLimiter.layerMemory), Effect.provide(ClerkEmulator.layer())))

  it.effect("a 429 with Retry-After seen by one client holds every client sharing the budget off", () =>
    Effect.gen(function*() {
      const emulator = yield* seed
      const a = yield* isolate({ rateLimit: { limit: 100 } })
      const b = yield* isolate({ rateLimit: { limit: 100 } })
      yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 7 }), { route: "getSession" })
      const error = yield* Effect.flip(a.getSession("sess_rl"))
      expect([error._tag, (error as ClerkRateLimited).status]).toEqual(["ClerkRateLimited", 429])
      yield* TestClock.adjust("1 second")
      // The other client's call waits out the rest of the 7 s before it is sent.
      const fiber = yield* Kernel.fork(b.getSession("sess_rl"))
      yield* TestClock.adjust("5 seconds")
      expect(pollUnsafe(fiber)).toBe(undefined)
      expect(yield* sessionRequests).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).id).toBe("sess_rl")
      expect((yield* sessionRequests).map((r) => [r.at - NOW, r.status])).toEqual([[0, 429], [7_000, 200]])
    }).pipe(Effect.scoped, Effect.provide(RateLimiter.layerMemory), Effect.provide(ClerkEmulator.layer())))

  it.effect("GET /v1/jwks takes no slot (Clerk does not limit it)", () =>
    Effect.gen(function*() {
      const emulator = yield* seed
      const client = ClerkClient.layer({ secretKey: Redacted.make(SECRET), rateLimit: { limit: 1, onLimit: "fail" } })
      const token = yield* emulator.mintToken("sess_rl")
      const context = yield* Layer.build(Layer.mergeAll(Sessions.layer, TokenVerifier.layer()).pipe(Layer.provide(client)))
      const [sessions, verifier] = [Context.get(context, Sessions), Context.get(context, TokenVerifier)]
      yield* sessions.getSession("sess_rl")
      expect((yield* verifier.verify(token)).sid).toBe("sess_rl")
      expect((yield* Effect.flip(sessions.getSession("sess_rl")))._tag).toBe("ClerkRateLimited")
      expect((yield* emulator.requests).map((r) => r.route)).toEqual(["getSession", "getJwks"])
    }).pipe(Effect.scoped, Effect.provide(RateLimiter.layerMemory), Effect.provide(ClerkEmulator.layer())))
})

describe("ClerkClient.instanceKey (read by every rate-limited request)", () => {
  it.effect("is the base URL and a SHA-256, computed once; after that it is read with no async step", () =>
    Effect.gen(function*() {
      const client = yield* ClerkClient
      const key = yield* client.instanceKey
      expect(key).toMatch(/^https:\/\/api\.clerk\.com\/v1#[0-9a-f]{64}$/)
      expect(key).not.toContain(SECRET)
      // runSync throws on an async step: the digest is not asked for again.
      expect(Effect.runSync(client.instanceKey)).toBe(key)
    }).pipe(Effect.provide(ClerkClient.layer({ secretKey: Redacted.make(SECRET) })), Effect.provide(ClerkEmulator.layer())))
})

describe("ClerkClient rateLimit: a broken limiter never stops or hangs a call", () => {
  const failing = RateLimiter.of({
    acquire: () => Effect.fail(new RateLimiterError({ message: "the rate-limit Durable Object failed: Error: overloaded" })),
    holdOff: () => Effect.fail(new RateLimiterError({ message: "the rate-limit Durable Object failed: Error: overloaded" }))
  })

  it.effect("a failing limiter: every call is sent, each with a warning", () => {
    const { lines, logger } = captureLogs()
    return Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate({ rateLimit: { limit: 1, onLimit: "fail" } })
      for (let i = 0; i < 3; i++) expect((yield* sessions.getSession("sess_rl")).id).toBe("sess_rl")
      expect(yield* sessionRequests).toHaveLength(3)
      expect(lines).toEqual(Array(3).fill(
        "WARN: effect-clerk: sending without the rate limit: the rate-limit Durable Object failed: Error: overloaded"
      ))
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.succeed(RateLimiter, failing)),
      Effect.provide(ClerkEmulator.layer()),
      Effect.provide(logger)
    )
  })

  it.effect("a limiter that never answers: the call is sent after the 1 s limiter timeout", () => {
    const { lines, logger } = captureLogs()
    let asked = false
    return Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate()
      const fiber = yield* Kernel.fork(sessions.getSession("sess_rl"))
      // Let the call reach the limiter (and its timeout start) before time moves: a forked
      // fiber first runs at the scheduler's next turn.
      while (!asked) yield* yieldNow
      yield* Effect.repeat(yieldNow, { times: 20 })
      yield* TestClock.adjust("999 millis")
      expect(yield* sessionRequests).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).id).toBe("sess_rl")
      expect(lines).toEqual(["WARN: effect-clerk: sending without the rate limit: the rate limiter did not answer within 1s"])
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.succeed(
        RateLimiter,
        RateLimiter.of({
          acquire: () =>
            Effect.suspend(() => {
              asked = true
              return Effect.never
            }),
          holdOff: () => Effect.never
        })
      )),
      Effect.provide(ClerkEmulator.layer()),
      Effect.provide(logger)
    )
  })
})

describe("ClerkClient rateLimit: a hostile limiter or Retry-After never holds a call or the fleet for long", () => {
  it.effect("a limiter granting a slot an hour away fails the call typed at once, without sleeping or sending", () => {
    const { logger } = captureLogs()
    return Effect.gen(function*() {
      yield* seed
      const sessions = yield* isolate({ rateLimit: { limit: 5, maxWait: "2 seconds" } })
      const fiber = yield* Kernel.fork(Effect.flip(sessions.getSession("sess_rl")))
      yield* Effect.repeat(yieldNow, { times: 50 })
      // Not a second of virtual time has passed: the answer is already there.
      const error = pollUnsafe(fiber)
      expect(error).toBeDefined()
      const failure = yield* Fiber.join(fiber)
      expect(failure).toBeInstanceOf(ClerkRateLimited)
      expect([failure._tag, (failure as ClerkRateLimited).errors[0]?.code]).toEqual(["ClerkRateLimited", "rate_limit_budget_exhausted"])
      // The wait it reports is capped at a minute, whatever the limiter said.
      expect(Duration.toMillis((failure as ClerkRateLimited).retryAfter!)).toBe(60_000)
      expect(yield* sessionRequests).toHaveLength(0)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.succeed(RateLimiter, RateLimiter.of({
        acquire: () => Effect.succeed({ granted: true, waitMillis: 3_600_000 }),
        holdOff: () => Effect.void
      }))),
      Effect.provide(ClerkEmulator.layer()),
      Effect.provide(logger)
    )
  })

  for (const [name, retryAfter] of [["3650 days", 3650 * 86_400], ["an HTTP date in 9999", new Date(Date.UTC(9999, 0, 1))]] as const) {
    it.effect(`a 429 with Retry-After ${name} holds the shared budget for at most a minute`, () => {
      const held: Array<number> = []
      const memory = RateLimiter.makeMemory()
      return Effect.gen(function*() {
        const emulator = yield* seed
        const a = yield* isolate({ rateLimit: { limit: 100 } })
        yield* emulator.injectFault(Fault.rateLimited({ retryAfter }), { route: "getSession" })
        const error = yield* Effect.flip(a.getSession("sess_rl"))
        expect(error._tag).toBe("ClerkRateLimited")
        expect(held).toEqual([60_000])
        // A minute later the budget answers again.
        yield* TestClock.adjust("60 seconds")
        expect((yield* a.getSession("sess_rl")).id).toBe("sess_rl")
      }).pipe(
        Effect.scoped,
        Effect.provide(Layer.succeed(RateLimiter, RateLimiter.of({
          acquire: memory.acquire,
          holdOff: (key, millis) => Effect.andThen(Effect.sync(() => held.push(millis)), memory.holdOff(key, millis))
        }))),
        Effect.provide(ClerkEmulator.layer())
      )
    })
  }

  it.effect("rateLimit options a Durable Object would refuse are refused when the layer is built", () =>
    Effect.gen(function*() {
      const messages = []
      const policies: ReadonlyArray<RateLimitPolicy> = [{ limit: 1e300 }, { limit: 0.5 }, { window: "1000 days" }, { maxWait: "2 hours" }, { window: Duration.infinity }]
      for (const rateLimit of policies) {
        const exit = yield* Effect.exit(Layer.build(ClerkClient.layer({ secretKey: Redacted.make(SECRET), rateLimit })))
        const cause = Exit.isFailure(exit) ? causeOf(exit.cause) : undefined
        messages.push(cause?._tag === "Die" ? String((cause.defect as Error).message) : "built")
      }
      expect(messages).toEqual([
        "ClerkClient: invalid options: rateLimit limit must be an integer from 1 to 10000, got 1e+300",
        "ClerkClient: invalid options: rateLimit limit must be an integer from 1 to 10000, got 0.5",
        "ClerkClient: invalid options: rateLimit window must be more than 0 and at most 5 minutes, got 86400000000 ms",
        "ClerkClient: invalid options: rateLimit maxWait must be at most 5 minutes, got 7200000 ms",
        "ClerkClient: invalid options: rateLimit window is not a finite duration"
      ])
    }).pipe(Effect.scoped, Effect.provide(ClerkEmulator.layer())))
})

describe("ClerkRateLimiterObject (the Durable Object's protocol)", () => {
  const post = (object: ClerkRateLimiterObject, path: string, body: unknown) =>
    object.fetch(new Request(`https://clerk-rate-limiter.effect-clerk.invalid${path}`, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body)
    }))

  it("grants limit slots per window, reserves the next within maxWait, refuses beyond it", async () => {
    const object = new ClerkRateLimiterObject()
    const budget = { limit: 2, windowMillis: 60_000, maxWaitMillis: 0 }
    const answers = []
    for (let i = 0; i < 3; i++) answers.push(await (await post(object, "/acquire", budget)).json())
    expect(answers.slice(0, 2)).toEqual([{ granted: true, waitMillis: 0 }, { granted: true, waitMillis: 0 }])
    expect(answers[2]).toMatchObject({ granted: false })
    const wait = (answers[2] as { waitMillis: number }).waitMillis
    expect(wait).toBeGreaterThan(59_000)
    expect(wait).toBeLessThanOrEqual(60_000)
    const reserved = await (await post(object, "/acquire", { ...budget, maxWaitMillis: 61_000 })).json() as { granted: boolean }
    expect(reserved.granted).toBe(true)
  })

  it("a hold-off delays every slot; bad requests are 400s that change nothing", async () => {
    const object = new ClerkRateLimiterObject()
    const hold = await post(object, "/hold", { millis: 30_000 })
    expect(hold.status).toBe(200)
    const answer = await (await post(object, "/acquire", { limit: 10, windowMillis: 1000, maxWaitMillis: 0 })).json() as {
      granted: boolean
      waitMillis: number
    }
    expect(answer.granted).toBe(false)
    expect(answer.waitMillis).toBeGreaterThan(29_000)
    for (
      const [path, body] of [
        ["/acquire", "{not json"],
        ["/acquire", { limit: 0, windowMillis: 1000, maxWaitMillis: 0 }],
        ["/acquire", { limit: 1, windowMillis: -1, maxWaitMillis: 0 }],
        ["/hold", { millis: "soon" }],
        ["/hold", { millis: Number.POSITIVE_INFINITY }],
        // Bounds: a limit over 10,000, windows and waits over 5 minutes.
        ["/acquire", { limit: 1e300, windowMillis: 1000, maxWaitMillis: 0 }],
        ["/acquire", { limit: 1.5, windowMillis: 1000, maxWaitMillis: 0 }],
        ["/acquire", { limit: 10, windowMillis: 1e15, maxWaitMillis: 0 }],
        ["/acquire", { limit: 10, windowMillis: 1000, maxWaitMillis: 1e300 }],
        ["/elsewhere", {}]
      ] as const
    ) {
      expect((await post(object, path, body)).status).toBe(400)
    }
    expect((await object.fetch(new Request("https://x.invalid/acquire"))).status).toBe(405)
  })

  it("a hold past a minute is cut to a minute, and the slot log stays within the window and the limit", async () => {
    const object = new ClerkRateLimiterObject()
    const hold = await (await post(object, "/hold", { millis: 1e300 })).json() as { holdUntil: number }
    expect(hold.holdUntil - Date.now()).toBeLessThanOrEqual(60_000)
    expect(hold.holdUntil - Date.now()).toBeGreaterThan(50_000)
    // The log behind the answers: 20,000 grants with the largest limit keep at most that many slots.
    const budget = { slots: [] as Array<number>, holdUntil: 0 }
    for (let i = 0; i < 20_000; i++) reserve(budget, 1_000 + i, { limit: 10_000, windowMillis: 1_000, maxWaitMillis: 0 })
    // Only the slots of the last window remain.
    expect(budget.slots.length).toBeLessThanOrEqual(1_001)
    expect(budget.slots[0]).toBeGreaterThan(20_999 - 1_000)
  })

  it.effect("RateLimiter.layerDurableObject: one object per instance key, a 500 from it is a RateLimiterError", () =>
    Effect.gen(function*() {
      const objects = new Map<string, ClerkRateLimiterObject>()
      const names: Array<string> = []
      const namespace = {
        idFromName: (name: string) => {
          names.push(name)
          return name
        },
        get: (id: unknown) => ({
          fetch: (input: string, init?: RequestInit) => {
            const name = id as string
            if (name === "broken") return Promise.resolve(new Response("boom", { status: 500 }))
            if (!objects.has(name)) objects.set(name, new ClerkRateLimiterObject())
            return objects.get(name)!.fetch(new Request(input, init))
          }
        })
      }
      const limiter = yield* Effect.provide(RateLimiter, RateLimiter.layerDurableObject(namespace))
      const budget = { limit: 1, windowMillis: 10_000, maxWaitMillis: 0 }
      expect(yield* limiter.acquire("a", budget)).toEqual({ granted: true, waitMillis: 0 })
      expect((yield* limiter.acquire("a", budget)).granted).toBe(false)
      expect(yield* limiter.acquire("b", budget)).toEqual({ granted: true, waitMillis: 0 })
      yield* limiter.acquire("a", budget)
      expect(names).toEqual(["a", "b"])
      const error = yield* Effect.flip(limiter.acquire("broken", budget))
      expect(error.message).toBe("the rate-limit Durable Object failed: the rate limiter answered 500: boom")
    }))
})
