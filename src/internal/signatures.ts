/**
 * Signatures of facade functions, written once: the facades (src/line/<line>/) implement them
 * in their line's spelling, typed by these, so both sides keep the same shape and the
 * signature is not restated per line.
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"

/** `#line/Kernel`'s layer chosen by an effect (the effect's scope lives as long as the layer). */
export type UnwrapLayer = <A, E1, R1, E, R>(
  effect: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>
) => Layer.Layer<A, E | E1, R1 | Exclude<R, Scope.Scope>>

/** `#line/Kernel`'s pages: `f(state)` gives one page and the next state, none after the last. */
export type Paginate = <S, A, E, R>(
  initial: S,
  f: (state: S) => Effect.Effect<readonly [ReadonlyArray<A>, Option.Option<S>], E, R>
) => Stream.Stream<A, E, R>

/**
 * `schedule`, never waiting less than `floor(error)` and stopping when that wait would end
 * more than `deadlineMillis` after the first failure.
 */
export type Bounded = <E>(
  schedule: Schedule.Schedule<unknown, E>,
  floor: (error: E) => Duration.Duration,
  deadlineMillis: number
) => Schedule.Schedule<unknown, E>

/** `schedule` that stops at the first input `retryable` refuses. */
export type WhileInput = <E>(schedule: Schedule.Schedule<unknown, E>, retryable: (error: E) => boolean) => Schedule.Schedule<unknown, E>
