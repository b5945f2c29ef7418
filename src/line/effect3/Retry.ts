/**
 * The Effect 3 side of `#line/Retry`: the retry schedules, in effect 3's `Schedule`
 * combinators (same exports as `src/line/effect4/Retry.ts`, whose `Schedule` is built on
 * step metadata instead).
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type { Bounded, WhileInput } from "../../internal/signatures.js"

/** Jittered exponential backoff from `baseDelay`, each delay at most `maxDelay`, `times` retries. */
export const backoff = <E>(
  baseDelay: Duration.DurationInput,
  maxDelay: Duration.Duration,
  times: number
): Schedule.Schedule<unknown, E> =>
  Schedule.exponential(baseDelay, 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
    Schedule.intersect(Schedule.recurs(times))
  )

/** `Bounded` (internal/signatures.ts) in this line's combinators. */
export const bounded: Bounded = (schedule, floor, deadlineMillis) =>
  schedule.pipe(
    Schedule.passthrough,
    Schedule.intersect(Schedule.elapsed),
    Schedule.modifyDelay(([error], delay) => Duration.max(delay, floor(error))),
    Schedule.check((_, [error, elapsed]) => Duration.toMillis(elapsed) + Duration.toMillis(floor(error)) <= deadlineMillis)
  )

/** `WhileInput` (internal/signatures.ts) in this line's combinators. */
export const whileInput: WhileInput = (schedule, retryable) => Schedule.whileInput(schedule, retryable)
