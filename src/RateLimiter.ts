/**
 * The Clerk Backend API request budget behind `ClerkClient`'s `rateLimit` option. Clerk
 * limits each instance (each secret key) per 10-second window: production 1000 requests,
 * development 100, `GET /v1/jwks` unlimited. A fleet of isolates that each count on their own
 * runs through that together; one Durable Object per instance counts for all of them.
 *
 * - {@link RateLimiter.layerMemory}: the budget of one isolate (or one process).
 * - {@link RateLimiter.layerDurableObject}: the fleet's budget, held by a
 *   {@link ClerkRateLimiterObject} you bind in `wrangler.toml`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { DefectSchema, Service } from "#line/Kernel"
import { type Budget, type BudgetRequest, type Grant, holdOff, isBudgetRequest, isHold, makeBudget, reserve } from "./internal/budget.js"
import { makeMemoryRateLimiter, RATE_LIMITER_KEY } from "./internal/fleet.js"

/**
 * One request for a slot: the budget (`limit` sends per `windowMillis`) and how long the
 * caller may wait for a slot (`maxWaitMillis`; 0 to take one only if free now). What
 * `ClerkClient` passes to {@link RateLimiter}'s `acquire` before each request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimiter, type RateLimitRequest } from "effect-clerk"
 *
 * // A development instance's budget (100 per 10 s), waiting at most 2 s for a slot.
 * const request: RateLimitRequest = { limit: 100, windowMillis: 10_000, maxWaitMillis: 2_000 }
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter
 *   return yield* limiter.acquire("my-instance", request)
 * }).pipe(Effect.provide(RateLimiter.layerMemory))
 *
 * Effect.runPromise(program).then(console.log) // { granted: true, waitMillis: 0 }
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export type RateLimitRequest = BudgetRequest

/**
 * The answer: `granted` with the slot reserved `waitMillis` from now, or not granted
 * (nothing taken) because the next slot is `waitMillis` away, past the caller's wait.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimiter, type RateLimitGrant } from "effect-clerk"
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter
 *   const request = { limit: 2, windowMillis: 10_000, maxWaitMillis: 0 }
 *   yield* limiter.acquire("my-instance", request)
 *   yield* limiter.acquire("my-instance", request)
 *   // The window is full: nothing is taken, and the next slot is a window away.
 *   const grant: RateLimitGrant = yield* limiter.acquire("my-instance", request)
 *   return grant.granted ? "send now" : `next slot in ${Math.ceil(grant.waitMillis / 1000)} s`
 * }).pipe(Effect.provide(RateLimiter.layerMemory))
 *
 * Effect.runPromise(program).then(console.log) // next slot in 10 s
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type RateLimitGrant = Grant

/**
 * The limiter could not be asked (the Durable Object failed or timed out). `ClerkClient`
 * logs it and sends anyway: a broken limiter never stops or hangs a call. You meet it when
 * you call a {@link RateLimiter} yourself; `message` says what failed, `cause` is the
 * error thrown.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type DurableObjectNamespaceLike, RateLimiter } from "effect-clerk"
 *
 * const unreachable: DurableObjectNamespaceLike = {
 *   idFromName: (name) => name,
 *   get: () => ({ fetch: () => Promise.reject(new Error("Durable Object overloaded")) })
 * }
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter
 *   const grant = yield* limiter.acquire("my-instance", { limit: 100, windowMillis: 10_000, maxWaitMillis: 0 })
 *   return `granted: ${grant.granted}`
 * }).pipe(
 *   Effect.catchTag("RateLimiterError", (e) => Effect.succeed(e.message)),
 *   Effect.provide(RateLimiter.layerDurableObject(unreachable))
 * )
 *
 * Effect.runPromise(program).then(console.log)
 * // the rate-limit Durable Object failed: Durable Object overloaded
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimiterError extends Schema.TaggedError<RateLimiterError>()("RateLimiterError", {
  message: Schema.String,
  cause: Schema.optional(DefectSchema)
}) {}

/**
 * The part of a Durable Object namespace binding (`DurableObjectNamespace`) the limiter
 * uses: a Worker's binding of {@link ClerkRateLimiterObject} already has this shape, so pass
 * `env.CLERK_RATE_LIMITER` as it is to {@link RateLimiter.layerDurableObject}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkRateLimiterObject, type DurableObjectNamespaceLike, RateLimiter } from "effect-clerk"
 *
 * // Outside workerd (a test, say), one ClerkRateLimiterObject per name plays the binding.
 * const objects = new Map<string, ClerkRateLimiterObject>()
 * const namespace: DurableObjectNamespaceLike = {
 *   idFromName: (name) => name,
 *   get: (id) => {
 *     const object = objects.get(String(id)) ?? new ClerkRateLimiterObject()
 *     objects.set(String(id), object)
 *     return { fetch: (input, init) => object.fetch(new Request(input, init)) }
 *   }
 * }
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter
 *   return yield* limiter.acquire("my-instance", { limit: 100, windowMillis: 10_000, maxWaitMillis: 0 })
 * }).pipe(Effect.provide(RateLimiter.layerDurableObject(namespace)))
 *
 * Effect.runPromise(program).then(console.log) // { granted: true, waitMillis: 0 }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown
  get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> }
}

/**
 * @since 0.1.0
 */
export declare namespace RateLimiter {
  /**
   * Budgets keyed by Clerk instance (`ClerkClient`'s `instanceKey`).
   *
   * @since 0.1.0
   */
  export interface Service {
    /** Reserve the next slot of `key`'s budget if it is at most `request.maxWaitMillis` away. */
    readonly acquire: (key: string, request: RateLimitRequest) => Effect.Effect<RateLimitGrant, RateLimiterError>
    /** Clerk answered 429 with Retry-After: grant nothing of `key`'s budget for `millis`. */
    readonly holdOff: (key: string, millis: number) => Effect.Effect<void, RateLimiterError>
  }
}

const ORIGIN = "https://clerk-rate-limiter.effect-clerk.invalid"

/**
 * Where `ClerkClient` (with its `rateLimit` option set) takes a slot before each request.
 * Without this service in the context, each `ClerkClient` counts for itself, as
 * {@link RateLimiter.layerMemory} does. Provide it where the client is built:
 * {@link RateLimiter.layerMemory} for one isolate or process,
 * {@link RateLimiter.layerDurableObject} for a whole fleet of Workers.
 *
 * @example
 * ```ts
 * import { Duration, Layer, Redacted } from "effect"
 * import { ClerkClient, type DurableObjectNamespaceLike, RateLimiter, Sessions } from "effect-clerk"
 *
 * interface Env {
 *   readonly CLERK_RATE_LIMITER: DurableObjectNamespaceLike
 * }
 *
 * // Every isolate takes its slots from one budget: 800 requests per 11 s for this secret key.
 * const SessionsLive = (env: Env) =>
 *   Sessions.layer.pipe(
 *     Layer.provide(ClerkClient.layerFetch({
 *       secretKey: Redacted.make("sk_live_..."),
 *       rateLimit: { limit: 800, window: Duration.seconds(11) }
 *     })),
 *     Layer.provide(RateLimiter.layerDurableObject(env.CLERK_RATE_LIMITER))
 *   )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class RateLimiter extends Service<RateLimiter, RateLimiter.Service>()(RATE_LIMITER_KEY) {
  /**
   * Budgets in this isolate's memory, on Effect's `Clock` (so `TestClock` drives them).
   *
   * @since 0.1.0
   */
  static readonly layerMemory: Layer.Layer<RateLimiter> = Layer.sync(RateLimiter, () => makeMemory())

  /**
   * A memory limiter's service, for a `ClerkClient` that counts for itself.
   *
   * @since 0.1.0
   */
  static readonly makeMemory = (): RateLimiter.Service => makeMemory()

  /**
   * The fleet's budget: one {@link ClerkRateLimiterObject} per Clerk instance (named after
   * `ClerkClient`'s `instanceKey`: the API URL and a hash of the secret key), asked once per
   * request. Bind the class in `wrangler.toml` and pass the binding:
   *
   * ```toml
   * [[durable_objects.bindings]]
   * name = "CLERK_RATE_LIMITER"
   * class_name = "ClerkRateLimiterObject"
   *
   * [[migrations]]
   * tag = "v1"
   * new_sqlite_classes = ["ClerkRateLimiterObject"]
   * ```
   *
   * and `export { ClerkRateLimiterObject } from "effect-clerk"` from the Worker's main module.
   *
   * @since 0.1.0
   */
  static readonly layerDurableObject = (namespace: DurableObjectNamespaceLike): Layer.Layer<RateLimiter> =>
    Layer.sync(RateLimiter, () => {
      // A stub is an I/O object of the request that made it (workerd refuses to use it from
      // another request), so each call gets its own; the id is plain data and is kept.
      const ids = new Map<string, unknown>()
      const stubOf = (key: string) => {
        let id = ids.get(key)
        if (id === undefined) ids.set(key, id = namespace.idFromName(key))
        return namespace.get(id)
      }
      const call = (key: string, path: string, body: unknown) =>
        Effect.tryPromise({
          try: async (signal) => {
            const response = await stubOf(key).fetch(`${ORIGIN}${path}`, {
              method: "POST",
              body: JSON.stringify(body),
              headers: { "content-type": "application/json" },
              signal
            })
            if (!response.ok) throw new Error(`the rate limiter answered ${response.status}: ${await response.text()}`)
            return response.json() as Promise<unknown>
          },
          catch: (cause) =>
            new RateLimiterError({
              message: `the rate-limit Durable Object failed: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
        })
      return RateLimiter.of({
        acquire: (key, request) =>
          Effect.flatMap(call(key, "/acquire", request), (answer) => {
            const { granted, waitMillis } = (answer ?? {}) as Partial<Grant>
            return typeof granted === "boolean" && typeof waitMillis === "number"
              ? Effect.succeed({ granted, waitMillis })
              : Effect.fail(new RateLimiterError({ message: "the rate limiter's answer is not a grant" }))
          }),
        holdOff: (key, millis) => Effect.asVoid(call(key, "/hold", { millis }))
      })
    })
}

const makeMemory = (): RateLimiter.Service => RateLimiter.of(makeMemoryRateLimiter())

/**
 * The Durable Object that holds one Clerk instance's budget for a whole fleet of Workers.
 * Export it from your Worker's main module and bind it (see
 * {@link RateLimiter.layerDurableObject}); `RateLimiter.layerDurableObject` is its only
 * client. It keeps the budget in memory: an object that is evicted after sitting idle
 * starts with an empty window, which an idle window is anyway.
 *
 * @example
 * ```ts
 * import { type DurableObjectNamespaceLike, RateLimiter } from "effect-clerk"
 *
 * // The Worker's main module exports the class; wrangler.toml binds it:
 * //   [[durable_objects.bindings]] name = "CLERK_RATE_LIMITER", class_name = "ClerkRateLimiterObject"
 * //   [[migrations]] tag = "v1", new_sqlite_classes = ["ClerkRateLimiterObject"]
 * export { ClerkRateLimiterObject } from "effect-clerk"
 *
 * interface Env {
 *   readonly CLERK_RATE_LIMITER: DurableObjectNamespaceLike
 * }
 *
 * // One object per Clerk instance, named after the ClerkClient's instanceKey.
 * const LimiterLive = (env: Env) => RateLimiter.layerDurableObject(env.CLERK_RATE_LIMITER)
 * ```
 *
 * @category servers
 * @since 0.1.0
 */
export class ClerkRateLimiterObject {
  private readonly budget: Budget = makeBudget()

  constructor(_state?: unknown, _env?: unknown) {}

  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 })
    const path = new URL(request.url).pathname
    let body: unknown
    try {
      body = await request.json()
    } catch {
      return new Response("expected a JSON body", { status: 400 })
    }
    const now = Date.now()
    if (path === "/acquire" && isBudgetRequest(body)) return Response.json(reserve(this.budget, now, body))
    if (path === "/hold") {
      const millis = (body as { millis?: unknown } | null)?.millis
      if (isHold(millis)) {
        holdOff(this.budget, now, millis)
        return Response.json({ holdUntil: this.budget.holdUntil })
      }
    }
    return new Response(`bad rate limiter request to ${path}`, { status: 400 })
  }
}
