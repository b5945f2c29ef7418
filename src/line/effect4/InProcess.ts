/**
 * The Effect 4 side of `#line/InProcess` (same exports as `src/line/effect3/InProcess.ts`):
 * what the emulator needs to be called from outside Effect (a runner
 * that keeps the services of the fiber that made the emulator, its `Clock` among them).
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"

/**
 * What a layer providing `FetchHttpClient.Fetch` has in its output type: nothing, as
 * `Fetch` is a `Context.Reference` (it has a default) in effect 4.
 */
export type FetchIdentifier = never

/** Runs an effect from outside any fiber; `signal` interrupts it. */
export type Runner = <A>(effect: Effect.Effect<A>, signal?: AbortSignal | undefined) => Promise<Exit.Exit<A>>

/** A runner with what the current fiber has: its services, `Clock` (a `TestClock` too) and references. */
export const currentRunner: Effect.Effect<Runner> = Effect.map(Effect.context<never>(), (context) => {
  const run = Effect.runPromiseExitWith(context)
  return (effect, signal) => run(effect, signal === undefined ? undefined : { signal })
})
