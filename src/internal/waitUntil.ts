/**
 * The Worker request's `ExecutionContext` as a service, so that work a request starts but
 * need not wait for (a JWKS refresh while stale keys serve, a store write) is handed to
 * `ctx.waitUntil` and not cut off when the response is sent. Optional: read with
 * `serviceOption`, so nothing requires it.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { WaitUntilByKey } from "./fleet.js"

/**
 * Run `effect` in `scope` without waiting for it: with a `WaitUntil` in the context, its
 * end is handed to `waitUntil`.
 */
export const detach = <A, E>(effect: Effect.Effect<A, E>, scope: Scope.Scope): Effect.Effect<void> =>
  Effect.flatMap(Effect.serviceOption(WaitUntilByKey), (ctx) =>
    Effect.flatMap(Effect.forkIn(effect, scope), (fiber) => {
      if (Option.isSome(ctx)) ctx.value.waitUntil(new Promise<void>((resolve) => fiber.addObserver(() => resolve())))
      return Effect.void
    }))

/** Whether the context holds a `WaitUntil` (then writes need not be waited for). */
export const hasWaitUntil: Effect.Effect<boolean> = Effect.map(Effect.serviceOption(WaitUntilByKey), Option.isSome)
