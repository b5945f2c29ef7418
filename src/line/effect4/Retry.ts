/**
 * The Effect 4 side of `#line/Retry`: the retry schedules on effect 4's metadata-based
 * `Schedule` (same exports as `src/line/effect3/Retry.ts`).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { Bounded, WhileInput } from "../../internal/signatures.js"

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

/** `Bounded` (internal/signatures.ts) in this line's combinators. */
export const bounded: Bounded = (schedule, floor, deadlineMillis) =>
  schedule.pipe(
    Schedule.modifyDelay(({ duration, input }) => Effect.succeed(Duration.max(duration, floor(input)))),
    Schedule.while(({ elapsed, input }) => elapsed + Duration.toMillis(floor(input)) <= deadlineMillis)
  )

/** `WhileInput` (internal/signatures.ts) in this line's combinators. */
export const whileInput: WhileInput = (schedule, retryable) => Schedule.while(schedule, ({ input }) => retryable(input))
