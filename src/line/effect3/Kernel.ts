/**
 * The Effect 3 side of `#line/Kernel`: the few Effect calls whose name or shape differs
 * between effect 3.22 and effect 4, under one name that shared code uses on both lines
 * (`src/line/effect4/Kernel.ts` has the same exports). Everything spelled the same on both
 * lines is imported from `effect/*` directly by the shared modules.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { Paginate, UnwrapLayer } from "../../internal/signatures.js"

/** Class-style service: `class X extends Service<X, Shape>()("id") {}`. */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id) => Context.Tag(id)<Self, Shape>()

/** A service found by its key alone, so nothing has to import the module that declares it. */
export const ServiceByKey = <Shape>(key: string): Context.Tag<Shape, Shape> => Context.GenericTag<Shape>(key)

/** What `Duration.decode` accepts. */
export type DurationInput = Duration.DurationInput
export const toDuration: (input: DurationInput) => Duration.Duration = Duration.decode

export const catchAll: <E, A2, E2, R2>(
  f: (e: E) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAll
export const catchAllCause: <E, A2, E2, R2>(
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAllCause

/** A child fiber of the current one. */
export const fork = Effect.fork

/** `register` resumes once; what it returns runs when the caller is interrupted. */
export const callback = <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void, signal: AbortSignal) => void | Effect.Effect<void, never, R>
): Effect.Effect<A, E, R> => Effect.async<A, E, R>(register)

/** `self`, or `onTimeout()` as its failure once `duration` has passed (the attempt is interrupted). */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: DurationInput,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> => Effect.timeoutFail(self, { duration, onTimeout })

export const dieMessage = (message: string): Effect.Effect<never> => Effect.dieMessage(message)
export const dieStream = (message: string): Stream.Stream<never> => Stream.dieMessage(message)

/** A layer built in a scope that lives as long as the layer. */
export const scopedLayer = <I, S, E, R>(
  tag: Context.Tag<I, S>,
  effect: Effect.Effect<S, E, R>
): Layer.Layer<I, E, Exclude<R, Scope.Scope>> => Layer.scoped(tag, effect)

/** `UnwrapLayer` (internal/signatures.ts) in this line's `Layer`. */
export const unwrapLayer: UnwrapLayer = (effect) => Layer.unwrapScoped(effect)

/** Whether `clock` is the live clock (not TestClock or a custom one). */
const LiveClock = /*#__PURE__*/ Clock.make().constructor
export const isLiveClock = (clock: Clock.Clock): boolean => clock.constructor === LiveClock
export const nowUnsafe = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/**
 * Runs `f` with what the current fiber holds: its clock's time, its tracer and whether it is
 * inside a span, read synchronously (no service lookups through effects).
 */
export const withFiberState = <A, E, R>(
  f: (nowMillis: number, tracer: Tracer.Tracer, inSpan: boolean) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) =>
    f(
      Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis(),
      Context.get(fiber.currentDefaultServices, Tracer.Tracer),
      fiber.currentSpan !== undefined
    )
  )

/** The current fiber's tracer. */
export const tracerWith: <A, E, R>(f: (tracer: Tracer.Tracer) => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> =
  Effect.tracerWith

export const makeUtcUnsafe = (millis: number | Date): DateTime.Utc => DateTime.unsafeMake(millis) as DateTime.Utc

/** A Deferred made and completed outside any fiber. */
export const makeDeferredUnsafe = <A, E>(): Deferred.Deferred<A, E> => Deferred.unsafeMake<A, E>(FiberId.none)
export const completeDeferredUnsafe = <A, E>(deferred: Deferred.Deferred<A, E>, effect: Effect.Effect<A, E>): void => {
  Deferred.unsafeDone(deferred, effect)
}

/** The first typed failure in `cause`, if any. */
export const failureOf = <E>(cause: Cause.Cause<E>): Option.Option<E> => Cause.failureOption(cause)

/** `Paginate` (internal/signatures.ts) in this line's `Stream`. */
export const paginate: Paginate = (initial, f) =>
  Stream.paginateChunkEffect(initial, (state) =>
    Effect.map(f(state), ([page, next]) => [Chunk.unsafeFromArray(page as Array<(typeof page)[number]>), next] as const))

/** An `Error` as a defect, named after what was illegal. */
export const illegalArgument = (message: string): unknown => new Cause.IllegalArgumentException(message)

/**
 * The second argument of a Schema class constructor that skips validation, for values the
 * SDK built itself from checked parts.
 */
export const TRUSTED = true as const

/** The Schema of an unknown cause carried by an error (`Schema.Defect`). */
export const DefectSchema = Schema.Defect
