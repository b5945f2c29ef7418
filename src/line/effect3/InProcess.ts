/**
 * The Effect 3 side of `#line/InProcess` (same exports as `src/line/effect4/InProcess.ts`):
 * what the emulator needs to be called from outside Effect (a runner
 * that keeps the services, clock and refs of the fiber that made the emulator).
 */
import type * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"

/** What a layer providing `FetchHttpClient.Fetch` has in its output type. */
export type FetchIdentifier = FetchHttpClient.Fetch

/** Runs an effect from outside any fiber; `signal` interrupts it. */
export type Runner = <A>(effect: Effect.Effect<A>, signal?: AbortSignal | undefined) => Promise<Exit.Exit<A>>

/** A runner with what the current fiber has: its services, `Clock` (a `TestClock` too) and refs. */
export const currentRunner: Effect.Effect<Runner> = Effect.map(Effect.runtime<never>(), (runtime) => {
  const run = Runtime.runPromiseExit(runtime)
  return (effect, signal) => run(effect, signal === undefined ? undefined : { signal })
})
