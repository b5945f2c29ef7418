/**
 * The Effect 4 side of the example Worker's `./line.js` (same exports as `line.ts`, which says
 * how a build picks this file).
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** A service class: `class X extends Service<X, Shape>()("id") {}`. */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id) => Context.Service<Self, Shape>()(id)

/** A layer chosen by an effect. */
export const unwrapLayer = <A, E1, R1, E, R>(effect: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>) => Layer.unwrap(effect)

/** Configuration read from these bindings only (the Worker's string bindings). */
export const configLayer = (bindings: Record<string, string>): Layer.Layer<never> =>
  ConfigProvider.layer(ConfigProvider.fromUnknown(bindings))

/** The configuration variables the Worker reads. */
export const config = {
  string: (name: string): Config.Config<string> => Config.String(name),
  integer: (name: string): Config.Config<number> => Config.Int(name),
  duration: (name: string): Config.Config<Duration.Duration> => Config.Duration(name),
  /** `name`, turned into an `A` by `parse`, or refused with `message` (a failure naming the variable). */
  parsed: <A>(name: string, parse: (raw: string) => A | undefined, message: string): Config.Config<A> =>
    Config.map(
      // The filter's own message only: Schema's default one would quote the value.
      Config.schema(Schema.String.check(Schema.makeFilter((raw: string) => parse(raw) === undefined ? message : undefined)), name),
      (raw) => parse(raw) as A
    )
}

/** A schema for one of these strings. */
export const literals = <const L extends ReadonlyArray<string>>(...values: L): Schema.Codec<L[number]> =>
  Schema.Literals(values) as unknown as Schema.Codec<L[number]>

export const catchAll = <E, A2, E2, R2>(f: (e: E) => Effect.Effect<A2, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | A2, E2, R | R2> => Effect.catch(self, f)

export const catchAllCause = <E, A2, E2, R2>(f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | A2, E2, R | R2> => Effect.catchCause(self, f)

/** Every element of `self`, in order. */
export const runCollect = <A, E, R>(self: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Stream.runCollect(self)

/** The cause's first typed failure, if it has one. */
export const failureOf = <E>(cause: Cause.Cause<E>): Option.Option<E> => Cause.findErrorOption(cause)
