/**
 * The Effect 4 side of `#line/Kernel` (same exports as `src/line/effect3/Kernel.ts`): the
 * Effect calls whose name or shape differs from effect 3.22, under the names shared code uses.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { Paginate, UnwrapLayer } from "../../internal/signatures.js"

/** Class-style service: `class X extends Service<X, Shape>()("id") {}`. */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id) => Context.Service<Self, Shape>()(id)

/** A service found by its key alone, so nothing has to import the module that declares it. */
export const ServiceByKey = <Shape>(key: string): Context.Service<Shape, Shape> => Context.Service<Shape>(key)

/** What `Duration.decode` accepted in effect 3. */
export type DurationInput = Duration.Input
export const toDuration: (input: DurationInput) => Duration.Duration = Duration.fromInputUnsafe

export const catchAll: <E, A2, E2, R2>(
  f: (e: E) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = (f) => Effect.catch(f)
export const catchAllCause: <E, A2, E2, R2>(
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = (f) => Effect.catchCause(f)

/** A child fiber of the current one. */
export const fork = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.forkChild(self)

/** `register` resumes once; what it returns runs when the caller is interrupted. */
export const callback = <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void, signal: AbortSignal) => void | Effect.Effect<void, never, R>
): Effect.Effect<A, E, R> => Effect.callback<A, E, R>((resume, signal) => register(resume, signal))

/** `self`, or `onTimeout()` as its failure once `duration` has passed (the attempt is interrupted). */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: DurationInput,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.timeoutOrElse(self, { duration, orElse: () => Effect.fail(onTimeout()) })

export const dieMessage = (message: string): Effect.Effect<never> => Effect.die(new Error(message))
export const dieStream = (message: string): Stream.Stream<never> => Stream.die(new Error(message))

/** A layer built in a scope that lives as long as the layer. */
export const scopedLayer = <I, S, E, R>(
  tag: Context.Key<I, S>,
  effect: Effect.Effect<S, E, R>
): Layer.Layer<I, E, Exclude<R, Scope.Scope>> => Layer.effect(tag, effect)

/** `UnwrapLayer` (internal/signatures.ts) in this line's `Layer`. */
export const unwrapLayer: UnwrapLayer = (effect) => Layer.unwrap(effect)

/** Whether `clock` is the live clock (not TestClock or a custom one). */
let liveClock: Function | undefined
export const isLiveClock = (clock: Clock.Clock): boolean =>
  clock.constructor === (liveClock ??= Clock.Clock.defaultValue().constructor)
export const nowUnsafe = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

/**
 * Runs `f` with what the current fiber holds: its clock's time, its tracer and whether it is
 * inside a span, read synchronously (no service lookups through effects).
 */
export const withFiberState = <A, E, R>(
  f: (nowMillis: number, tracer: Tracer.Tracer, inSpan: boolean) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber<A, E, R>((fiber) =>
    f(
      fiber.getRef(Clock.Clock).currentTimeMillisUnsafe(),
      fiber.getRef(Tracer.Tracer),
      Context.getOption(fiber.context, Tracer.ParentSpan)._tag === "Some"
    )
  )

/** The current fiber's tracer. */
export const tracerWith = <A, E, R>(f: (tracer: Tracer.Tracer) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.tracer, f)

export const makeUtcUnsafe = (millis: number | Date): DateTime.Utc => DateTime.makeUnsafe(millis) as DateTime.Utc

/** A Deferred made and completed outside any fiber. */
export const makeDeferredUnsafe = <A, E>(): Deferred.Deferred<A, E> => Deferred.makeUnsafe<A, E>()
export const completeDeferredUnsafe = <A, E>(deferred: Deferred.Deferred<A, E>, effect: Effect.Effect<A, E>): void => {
  Deferred.doneUnsafe(deferred, effect)
}

/** The first typed failure in `cause`, if any. */
export const failureOf = <E>(cause: Cause.Cause<E>): Option.Option<E> => Cause.findErrorOption(cause)

/** `Paginate` (internal/signatures.ts) in this line's `Stream`. */
export const paginate: Paginate = (initial, f) => Stream.paginate(initial, f)

/** An `Error` as a defect, named after what was illegal. */
export const illegalArgument = (message: string): unknown => new Cause.IllegalArgumentError(message)

/**
 * The second argument of a Schema class constructor that skips validation, for values the
 * SDK built itself from checked parts.
 */
export const TRUSTED = { disableChecks: true } as const

/** The Schema of an unknown cause carried by an error (`Schema.Defect`). */
export const DefectSchema = Schema.Defect()
