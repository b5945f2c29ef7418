/**
 * The per-attempt timeout on the live clock (src/internal/attempt.ts takes a cheaper path
 * there than under TestClock, where test/ClerkClient.test.ts covers it): real timers fire,
 * the attempt is interrupted, no timer is left behind, and interrupting the caller stops
 * the attempt. Plus `retryLazily` against `Effect.retry` on the same failures.
 */
import * as Kernel from "#line/Kernel"
import { either, HttpClient, HttpClientResponse, intersect, isInterrupted, TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { ClerkClient, type ClerkClientOptions } from "../src/ClerkClient.js"
import { retryLazily, timeoutFail } from "../src/internal/attempt.js"
import { Sessions } from "../src/Sessions.js"
import { sample } from "./support/samples.js"

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
/**
 * Leave the current timer callback: effect 4 resumes a fiber inside the `setTimeout` callback
 * that woke it, and Node counts that timer as active until its callback returns.
 */
const outOfTimerCallback = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Sessions over an HttpClient whose answers are scripted per request number. */
const scripted = (
  answer: (n: number) => "hang" | "ok",
  options: Partial<ClerkClientOptions> = {}
) => {
  const state = { sent: 0, interrupted: 0, sentAt: [] as Array<number>, interruptedAt: [] as Array<number> }
  const client = HttpClient.make((request) => {
    const n = state.sent++
    state.sentAt.push(Date.now())
    return answer(n) === "hang"
      ? Effect.never.pipe(Effect.onInterrupt(() =>
        Effect.sync(() => {
          state.interrupted++
          state.interruptedAt.push(Date.now())
        })
      ))
      : Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(sample("session_get_200")), { headers: { "content-type": "application/json" } })
        )
      )
  })
  const layer = Sessions.layer.pipe(
    Layer.provide(ClerkClient.layer({ secretKey: Redacted.make("sk_test_x"), apiUrl: "https://api.clerk.test", ...options })),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
  )
  return { state, layer }
}

describe("per-attempt timeout on the live clock", () => {
  it.live("every attempt hangs: each is cut at the timeout and interrupted, then ClerkTimeout; no timer left", () =>
    Effect.gen(function*() {
      const timersBefore = activeTimers()
      const { layer, state } = scripted(() => "hang", { timeout: "50 millis", retry: { times: 2, baseDelay: "1 millis" } })
      const started = Date.now()
      const error = yield* Effect.flatMap(Sessions, (s) => s.getSession("sess_1")).pipe(Effect.provide(layer), Effect.flip)
      const elapsed = Date.now() - started
      expect(error._tag).toBe("ClerkTimeout")
      expect(error.message).toBe("Clerk request timed out after 50ms (GET /sessions/sess_1)")
      expect(state.sent).toBe(3)
      expect(state.interrupted).toBe(3)
      // Each attempt ran its 50 ms before it was cut, and the next was sent only after that.
      // (Measured between cuts: an attempt's timer starts before its request is built, which a
      // busy machine can delay by several ms, and never before the previous attempt was cut.)
      const [first, second, third] = state.interruptedAt as [number, number, number]
      expect(first - started).toBeGreaterThanOrEqual(49)
      expect(second - first).toBeGreaterThanOrEqual(49)
      expect(third - second).toBeGreaterThanOrEqual(49)
      expect(state.sentAt[1]).toBeGreaterThanOrEqual(first)
      expect(state.sentAt[2]).toBeGreaterThanOrEqual(second)
      expect(elapsed).toBeGreaterThanOrEqual(140)
      // Far above 3 × 50 ms: only that the timeouts fired (a busy machine runs timers late).
      expect(elapsed).toBeLessThan(15_000)
      yield* outOfTimerCallback
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
    }))

  it.live("a hung first attempt times out and the retry answers", () =>
    Effect.gen(function*() {
      const { layer, state } = scripted((n) => (n === 0 ? "hang" : "ok"), { timeout: "30 millis", retry: { baseDelay: "1 millis" } })
      const session = yield* Effect.flatMap(Sessions, (s) => s.getSession("sess_1")).pipe(Effect.provide(layer))
      expect(session.id).toBe("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      expect(state.sent).toBe(2)
      expect(state.interrupted).toBe(1)
    }))

  it.live("interrupting the caller interrupts the attempt and clears the timer", () =>
    Effect.gen(function*() {
      const timersBefore = activeTimers()
      const { layer, state } = scripted(() => "hang", { timeout: "1 hour" })
      const fiber = yield* Kernel.fork(Effect.flatMap(Sessions, (s) => s.getSession("sess_1")).pipe(Effect.provide(layer)))
      while (state.sent === 0) yield* Effect.sleep("1 millis")
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      expect(isInterrupted(exit)).toBe(true)
      expect(state.interrupted).toBe(1)
      yield* outOfTimerCallback
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
    }))

  it.live("timeoutFail: success and failure pass through untouched; a timeout past setTimeout's range never fires", () =>
    Effect.gen(function*() {
      expect(yield* timeoutFail(Effect.succeed(7), Duration.seconds(1), () => "late")).toBe(7)
      expect(yield* Effect.flip(timeoutFail(Effect.fail("boom"), Duration.seconds(1), () => "late"))).toBe("boom")
      const slow = Effect.as(Effect.sleep("20 millis"), "done")
      expect(yield* timeoutFail(slow, Duration.millis(2 ** 31), () => "late")).toBe("done")
      expect(yield* Effect.flip(timeoutFail(Effect.never, Duration.millis(10), () => "late"))).toBe("late")
    }))
})

describe("retryLazily is Effect.retry", () => {
  const run = (
    failures: ReadonlyArray<string>,
    retry: (self: Effect.Effect<string, string>) => Effect.Effect<string, string>
  ) =>
    Effect.gen(function*() {
      const attempts: Array<number> = []
      const start = yield* Clock.currentTimeMillis
      let n = 0
      const self = Effect.flatMap(Clock.currentTimeMillis, (now) => {
        attempts.push(now - start)
        const failure = failures[n++]
        return failure === undefined ? Effect.succeed(`ok after ${n}`) : Effect.fail(failure)
      })
      const fiber = yield* Kernel.fork(either(retry(self)))
      yield* TestClock.adjust("1 hour")
      return { result: yield* Fiber.join(fiber), attempts }
    })

  const schedule = intersect(Schedule.exponential("100 millis"), Schedule.recurs(3))
  const retryable = (e: string) => e !== "fatal"
  const cases: Record<string, ReadonlyArray<string>> = {
    "success at once": [],
    "two transient failures": ["a", "b"],
    "transient then fatal": ["a", "fatal"],
    "fatal at once": ["fatal"],
    "more failures than retries": ["a", "b", "c", "d", "e"]
  }
  for (const [name, failures] of Object.entries(cases)) {
    it.effect(`${name}: same result, same attempt times`, () =>
      Effect.gen(function*() {
        const lazy = yield* run(failures, retryLazily(schedule, retryable))
        const reference = yield* run(failures, (self) => Effect.retry(self, { schedule, while: retryable }))
        expect(lazy).toStrictEqual(reference)
        expect(lazy.attempts.length).toBe(Math.min(failures.length + 1, 4, failures.indexOf("fatal") + 1 || Infinity))
      }))
  }
})
