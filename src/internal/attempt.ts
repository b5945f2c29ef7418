/**
 * The per-attempt timeout and the retry policy, built so that the happy path (one attempt
 * that succeeds in time) costs as little as possible. Both keep the exact semantics of
 * `Effect.timeoutFail` and `Effect.retry`; see BENCHMARKS.md for what they save.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Schedule from "effect/Schedule"
import { callback, catchAll, fork, isLiveClock, timeoutFail as timeoutFailOn, toDuration } from "#line/Kernel"
import { backoff, bounded, whileInput } from "#line/Retry"
import type { RetryPolicy } from "./options.js"
import type { ClerkError } from "../ClerkError.js"
import { isBudgetExhausted } from "./budget.js"

// setTimeout's limit; the live clock treats anything longer as "never".
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * `Effect.timeoutFail` for one attempt. On the live clock it forks the attempt once and
 * arms a plain timer (`Effect.timeoutFail` races two forked fibers and merges their
 * FiberRefs, several times the cost); on any other clock (TestClock) it is
 * `Effect.timeoutFail` itself. Either way: the attempt is interrupted when the time is up
 * (aborting its fetch), the timer is cleared when the attempt ends, and interrupting the
 * caller interrupts the attempt.
 */
export const timeoutFail = <A, E, E2, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> => {
  const millis = Duration.toMillis(duration)
  const fast = millis > MAX_TIMER_MILLIS ? self : forkWithTimer(self, millis, onTimeout)
  return Effect.clockWith((clock) =>
    isLiveClock(clock) ? fast : timeoutFailOn(self, duration, onTimeout)
  )
}

/** `self` with a plain timer of `millis` (the live clock's path of {@link timeoutFail}). */
export const forkWithTimer = <A, E, E2, R>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.flatMap(fork(self), (fiber) =>
    callback<A, E | E2>((resume) => {
      let pending = true
      const timer = setTimeout(() => {
        if (!pending) return
        pending = false
        resume(Effect.andThen(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
      }, millis)
      fiber.addObserver((exit) => {
        if (!pending) return
        pending = false
        clearTimeout(timer)
        resume(exit)
      })
      // The caller was interrupted: stop the timer and the attempt, and wait for it to end.
      return Effect.suspend(() => {
        pending = false
        clearTimeout(timer)
        return Fiber.interrupt(fiber)
      })
    }))

/**
 * `Effect.retry(self, { schedule, while })` that builds nothing until `self` first fails:
 * the schedule's driver only exists on the failure path, where the first error is replayed
 * into it, so the schedule sees exactly the errors, in the same order and at the same
 * times, as with `Effect.retry`.
 */
export const retryLazily = <E>(
  schedule: Schedule.Schedule<unknown, E>,
  retryable: (error: E) => boolean
) => {
  const policy = whileInput(schedule, retryable)
  return <A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    catchAll((first: E) => {
      if (!retryable(first)) return Effect.fail(first)
      let replay = true
      const again = Effect.suspend(() => {
        if (!replay) return self
        replay = false
        return Effect.fail(first)
      })
      return Effect.retry(again, policy)
    })(self)
}

/** The retry option, resolved: the schedule and which errors it retries; none for `retry: false`. */
export const retryPolicyOf = (retry: RetryPolicy | false | undefined) => {
  if (retry === false) return undefined
  const policy = retry ?? {}
  const times = policy.times ?? 3
  const maxDelay = toDuration(policy.maxDelay ?? Duration.seconds(5))
  const deadlineMillis = Duration.toMillis(toDuration(policy.deadline ?? Duration.seconds(60)))
  const maxRetryAfterMillis = Duration.toMillis(policy.maxRetryAfter ?? Duration.seconds(30))
  const schedule: Schedule.Schedule<unknown, ClerkError> = policy.schedule ??
    backoff<ClerkError>(policy.baseDelay ?? Duration.millis(200), maxDelay, times)
  const retryable = (error: ClerkError): boolean => {
    switch (error._tag) {
      case "ClerkTransportError":
      case "ClerkTimeout":
        return true
      case "ClerkServerError":
        return error.status === 502 || error.status === 503 || error.status === 504
      case "ClerkRateLimited":
        // Our own budget said no (onLimit "fail"): the caller asked not to wait.
        if (isBudgetExhausted(error)) return false
        return error.retryAfter === undefined || Duration.toMillis(error.retryAfter) <= maxRetryAfterMillis
      default:
        return false
    }
  }
  // Never sooner than Retry-After, and never a wait that would end past the deadline.
  return retryLazily<ClerkError>(bounded(schedule, retryAfterOf, deadlineMillis), retryable)
}

const retryAfterOf = (error: ClerkError): Duration.Duration =>
  error._tag === "ClerkRateLimited" && error.retryAfter !== undefined ? error.retryAfter : Duration.zero
