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

/**
 * Run `effect` now, or, with a `WaitUntil` in the context, hand it to `waitUntil` (forked in
 * `scope`) and go on without it.
 */
export const runOrHandOff = (effect: Effect.Effect<void>, scope: Scope.Scope): Effect.Effect<void> =>
  Effect.flatMap(Effect.serviceOption(WaitUntilByKey), (ctx) => Option.isSome(ctx) ? detach(effect, scope) : effect)
