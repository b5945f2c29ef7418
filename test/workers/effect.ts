/**
 * The one thing the workerd test files took from @effect/vitest: `it.live`. @effect/vitest
 * 0.30 is effect 3 code and the Effect 4 line's @effect/vitest 4 needs vitest 5, which no
 * @cloudflare/vitest-pool-workers supports; so the workerd suite, run on both lines by the root's
 * vitest 3, uses plain vitest and this adapter. `live` runs the test's effect on the live clock
 * (as `it.live` did); a failure or a defect (a failed `expect`) fails the test with its cause.
 */
import * as Effect from "effect/Effect"
import { it } from "vitest"
import { prettyCause } from "#test-line/Testing"

export { describe, expect, it } from "vitest"

/** A test whose body is an effect, run with the live clock and no test services. */
export const live = (name: string, body: () => Effect.Effect<unknown, unknown>, timeout?: number) =>
  it(name, async () => {
    const exit = await Effect.runPromiseExit(body())
    if (exit._tag === "Failure") {
      const error = new Error(prettyCause(exit.cause))
      error.name = "EffectFailure"
      throw error
    }
  }, timeout)
