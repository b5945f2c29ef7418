/**
 * The Effect 3 side of `#line/Retry`: the retry schedules, in effect 3's `Schedule`
 * combinators (same exports as `src/line/effect4/Retry.ts`, whose `Schedule` is built on
 * step metadata instead).
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

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

/**
 * `schedule`, never waiting less than `floor(error)` and stopping when that wait would end
 * more than `deadlineMillis` after the first failure.
 */
export const bounded = <E>(
  schedule: Schedule.Schedule<unknown, E>,
  floor: (error: E) => Duration.Duration,
  deadlineMillis: number
): Schedule.Schedule<unknown, E> =>
  schedule.pipe(
    Schedule.passthrough,
    Schedule.intersect(Schedule.elapsed),
    Schedule.modifyDelay(([error], delay) => Duration.max(delay, floor(error))),
    Schedule.check((_, [error, elapsed]) => Duration.toMillis(elapsed) + Duration.toMillis(floor(error)) <= deadlineMillis)
  )

/** `schedule` that stops at the first input `retryable` refuses. */
export const whileInput = <E>(
  schedule: Schedule.Schedule<unknown, E>,
  retryable: (error: E) => boolean
): Schedule.Schedule<unknown, E> => Schedule.whileInput(schedule, retryable)
