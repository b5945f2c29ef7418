/**
 * What `ClerkClient` and `TokenVerifier` need of the fleet's services (the JWKS store, the
 * rate limiter, a request's `waitUntil`), looked up by their keys: a `Context` is keyed by the
 * tag's key, so these find the services the public `JwksStore`, `RateLimiter` and `WaitUntil`
 * tags provide, without pulling those modules (their layers, errors and the Durable Object
 * class) into a bundle that never provides them.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { ServiceByKey } from "#line/Kernel"
import { type Budget, type BudgetRequest, type Grant, holdOff, makeBudget, reserve } from "./budget.js"

/** A failure of a fleet service, as the SDK reads it: only its message is used. */
export interface FleetError {
  readonly message: string
}

export interface JwksStoreService {
  readonly get: (key: string) => Effect.Effect<string | undefined, FleetError>
  readonly set: (key: string, value: string, ttlSeconds: number | undefined) => Effect.Effect<void, FleetError>
}

export interface RateLimiterService {
  readonly acquire: (key: string, request: BudgetRequest) => Effect.Effect<Grant, FleetError>
  readonly holdOff: (key: string, millis: number) => Effect.Effect<void, FleetError>
}

export interface WaitUntilService {
  readonly waitUntil: (promise: Promise<unknown>) => void
}

export const JWKS_STORE_KEY = "effect-clerk/JwksStore"
export const RATE_LIMITER_KEY = "effect-clerk/RateLimiter"
export const WAIT_UNTIL_KEY = "effect-clerk/WaitUntil"

export const JwksStoreByKey = ServiceByKey<JwksStoreService>(JWKS_STORE_KEY)
export const RateLimiterByKey = ServiceByKey<RateLimiterService>(RATE_LIMITER_KEY)
export const WaitUntilByKey = ServiceByKey<WaitUntilService>(WAIT_UNTIL_KEY)

/** Where a Clerk instance's JWKS is stored (`JwksStore.keyOf`). */
export const jwksStoreKeyOf = (instanceKey: string): string => `effect-clerk/jwks/v2/${instanceKey}`

/** Budgets in memory, on Effect's `Clock` (`RateLimiter.layerMemory`, and a `ClerkClient` without a limiter). */
export const makeMemoryRateLimiter = (): {
  readonly acquire: (key: string, request: BudgetRequest) => Effect.Effect<Grant>
  readonly holdOff: (key: string, millis: number) => Effect.Effect<void>
} => {
  const budgets = new Map<string, Budget>()
  const budgetOf = (key: string) => {
    let budget = budgets.get(key)
    if (budget === undefined) budgets.set(key, budget = makeBudget())
    return budget
  }
  return {
    acquire: (key, request) => Effect.map(Clock.currentTimeMillis, (now) => reserve(budgetOf(key), now, request)),
    holdOff: (key, millis) => Effect.map(Clock.currentTimeMillis, (now) => holdOff(budgetOf(key), now, millis))
  }
}
