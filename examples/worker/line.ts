/**
 * What the example Worker spells differently on effect 3 (this file) and effect 4
 * (`line.effect4.ts`, same exports): the rest of examples/worker is written once for both
 * lines. Builds of the Effect 4 line pick `line.effect4.ts` for `./line.js` (the `effect4`
 * esbuild plugin in examples/worker/build.mjs, the resolver in vitest.workers.config.ts,
 * `moduleSuffixes` in test/workers/tsconfig.effect4.json); everything else takes this file.
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** A service class: `class X extends Service<X, Shape>()("id") {}`. */
export const Service = <Self, Shape>() => <const Id extends string>(id: Id) => Context.Tag(id)<Self, Shape>()

/** A layer chosen by an effect. */
export const unwrapLayer = <A, E1, R1, E, R>(effect: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>) =>
  Layer.unwrapEffect(effect)

/** Configuration read from these bindings only (the Worker's string bindings). */
export const configLayer = (bindings: Record<string, string>): Layer.Layer<never> =>
  Layer.setConfigProvider(ConfigProvider.fromJson(bindings))

/** The configuration variables the Worker reads. */
export const config = {
  string: (name: string): Config.Config<string> => Config.string(name),
  integer: (name: string): Config.Config<number> => Config.integer(name),
  duration: (name: string): Config.Config<Duration.Duration> => Config.duration(name),
  /** `name`, turned into an `A` by `parse`, or refused with `message` (a failure naming the variable). */
  parsed: <A>(name: string, parse: (raw: string) => A | undefined, message: string): Config.Config<A> =>
    Config.string(name).pipe(Config.mapOrFail((raw) => {
      const value = parse(raw)
      return value === undefined ? Either.left(ConfigError.InvalidData([], message)) : Either.right(value)
    }))
}

/** A schema for one of these strings. */
export const literals = <const L extends ReadonlyArray<string>>(...values: L): Schema.Schema<L[number]> =>
  Schema.Literal(...values) as unknown as Schema.Schema<L[number]>

export const catchAll = <E, A2, E2, R2>(f: (e: E) => Effect.Effect<A2, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | A2, E2, R | R2> => Effect.catchAll(self, f)

export const catchAllCause = <E, A2, E2, R2>(f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | A2, E2, R | R2> => Effect.catchAllCause(self, f)

/** Every element of `self`, in order. */
export const runCollect = <A, E, R>(self: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Effect.map(Stream.runCollect(self), Chunk.toReadonlyArray)

/** The cause's first typed failure, if it has one. */
export const failureOf = <E>(cause: Cause.Cause<E>): Option.Option<E> => Cause.failureOption(cause)
