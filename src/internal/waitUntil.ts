/**
 * The Worker request's `ExecutionContext`, carried by the fiber, so that work a request
 * starts but need not wait for (a JWKS refresh while stale keys serve, a store write) is
 * handed to `ctx.waitUntil` and not cut off when the response is sent.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"

/** What a Worker's `ExecutionContext` offers that this SDK uses. */
export interface WaitUntil {
  readonly waitUntil: (promise: Promise<unknown>) => void
}

export const currentWaitUntil: FiberRef.FiberRef<WaitUntil | undefined> = FiberRef.unsafeMake<WaitUntil | undefined>(
  undefined
)

/**
 * Run `effect` in `scope` without waiting for it: with a `WaitUntil` on the fiber, its end is
 * handed to `waitUntil`. Never fails (the effect's own failure is its business).
 */
export const detach = <A, E>(effect: Effect.Effect<A, E>, scope: Scope.Scope): Effect.Effect<void> =>
  Effect.flatMap(FiberRef.get(currentWaitUntil), (ctx) =>
    Effect.flatMap(Effect.forkIn(effect, scope), (fiber) => {
      if (ctx !== undefined) {
        ctx.waitUntil(new Promise<void>((resolve) => fiber.addObserver(() => resolve())))
      }
      return Effect.void
    }))

/** Whether the fiber carries a `WaitUntil` (then writes need not be waited for). */
export const hasWaitUntil: Effect.Effect<boolean> = Effect.map(FiberRef.get(currentWaitUntil), (ctx) => ctx !== undefined)
