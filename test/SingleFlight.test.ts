/**
 * The JWKS cache's single flight (src/internal/jwks.ts) in its workerd mode (`join: "poll"`):
 * a caller that joins another's flight never awaits it — it sleeps on its own timers and looks
 * between sleeps — still shares the one run, and runs the effect itself when the flight has not
 * ended within the join limit (a flight whose request was canceled never ends). On TestClock.
 * The same code under real workerd: test/runtimes/burst (concurrent requests to one isolate).
 */
import { pollUnsafe, TestClock, yieldNow } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import { fork } from "#line/Kernel"
import { singleFlight } from "../src/internal/jwks.js"

/** Let forked fibers run up to their next wait. */
const settle = Effect.forEach(Array.from({ length: 20 }), () => yieldNow, { discard: true })

describe("singleFlight, join: poll (workerd)", () => {
  it.effect("joiners share the one run: it runs once, and every caller gets its value within 5 ms of its end", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const gate = yield* Deferred.make<void>()
      let runs = 0
      const flight = singleFlight(
        Effect.as(Effect.flatMap(Effect.sync(() => runs++), () => Deferred.await(gate)), "keys"),
        scope,
        "poll"
      )
      const fibers = yield* Effect.forEach(Array.from({ length: 5 }), () => fork(flight.run))
      yield* settle
      expect([runs, flight.running()]).toEqual([1, true])
      yield* Deferred.succeed(gate, undefined)
      yield* settle
      // The starter has its value; the joiners look again at their next 5 ms tick.
      yield* TestClock.adjust("5 millis")
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["keys", "keys", "keys", "keys", "keys"])
      expect([runs, flight.running()]).toEqual([1, false])
    }))

  it.effect("a failed flight fails its joiners with its error", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const flight = singleFlight(Effect.flatMap(Effect.sleep("30 millis"), () => Effect.fail("jwks down" as const)), scope, "poll")
      const fibers = yield* Effect.forEach(Array.from({ length: 3 }), () => fork(Effect.flip(flight.run)))
      yield* settle
      yield* TestClock.adjust("40 millis")
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["jwks down", "jwks down", "jwks down"])
    }))

  it.effect("a joiner whose flight never ends runs the effect itself after 2 s", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      let runs = 0
      // The first run hangs (its request was canceled, its fetch never answers); later runs answer.
      const flight = singleFlight(
        Effect.suspend(() => runs++ === 0 ? Effect.never : Effect.succeed(`run ${runs}`)),
        scope,
        "poll"
      )
      const starter = yield* fork(flight.run)
      yield* settle
      const joiner = yield* fork(flight.run)
      yield* settle
      yield* TestClock.adjust("1990 millis")
      expect([runs, pollUnsafe(joiner)]).toEqual([1, undefined])
      yield* TestClock.adjust("20 millis")
      expect(yield* Fiber.join(joiner)).toBe("run 2")
      yield* Fiber.interrupt(starter)
    }))
})
