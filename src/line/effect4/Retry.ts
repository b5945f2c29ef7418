/**
 * The Effect 4 side of `#line/Retry`: the retry schedules on effect 4's metadata-based
 * `Schedule` (same exports as `src/line/effect3/Retry.ts`).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/** Jittered exponential backoff from `baseDelay`, each delay at most `maxDelay`, `times` retries. */
export const backoff = <E>(
  baseDelay: Duration.Input,
  maxDelay: Duration.Duration,
  times: number
): Schedule.Schedule<unknown, E> =>
  Schedule.max([
    Schedule.exponential(baseDelay, 2).pipe(
      Schedule.jittered,
      Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, maxDelay)))
    ),
    Schedule.recurs(times)
  ])

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
    Schedule.modifyDelay(({ duration, input }) => Effect.succeed(Duration.max(duration, floor(input)))),
    Schedule.while(({ elapsed, input }) => elapsed + Duration.toMillis(floor(input)) <= deadlineMillis)
  )

/** `schedule` that stops at the first input `retryable` refuses. */
export const whileInput = <E>(
  schedule: Schedule.Schedule<unknown, E>,
  retryable: (error: E) => boolean
): Schedule.Schedule<unknown, E> => Schedule.while(schedule, ({ input }) => retryable(input))
