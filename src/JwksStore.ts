/**
 * Where `TokenVerifier.layer` keeps the instance's JWKS beyond one isolate's memory: a
 * Workers KV namespace, the Cache API, or (for tests) a map. A cold isolate reads the store
 * before calling Clerk, so once one isolate has stored the keys, the isolates that start after
 * it ask `GET /v1/jwks` about once per TTL in all instead of once each. (Isolates that start
 * together before anything is stored may each fetch once: nothing coordinates a first fetch.)
 *
 * The store only ever holds public keys (the JWKS fields `kid`, `kty`, `alg`, `use`, `n`,
 * `e`) and the time they were fetched, signed with a key derived from the secret key (so
 * write access to the store cannot plant a key), under a key made of the API URL and a
 * value derived from the secret key, never the key itself.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { DefectSchema, dieMessage, nowUnsafe, Service } from "#line/Kernel"
import { Literals } from "#line/Models"
import { JWKS_STORE_KEY, jwksStoreKeyOf, WAIT_UNTIL_KEY, type WaitUntilService } from "./internal/fleet.js"

/**
 * A Worker request's `ExecutionContext` (its `waitUntil`), for the background work the
 * request starts (a JWKS refresh, a store write). Provide it per request:
 * `Effect.provideService(WaitUntil, ctx)`, {@link JwksStore.withExecutionContext}, or in the
 * context a web handler is given (`Context.make(WaitUntil, ctx)`). Without it, other
 * runtimes need nothing, and a Worker waits for store writes inline.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenVerifier, WaitUntil } from "effect-clerk"
 *
 * // In a Worker's fetch(request, env, ctx): a JWKS refresh or store write this
 * // verification starts is handed to ctx.waitUntil instead of being cut off.
 * const authenticate = (request: Request, ctx: { waitUntil(promise: Promise<unknown>): void }) =>
 *   Effect.flatMap(TokenVerifier, (verifier) => verifier.authenticateRequest(request)).pipe(
 *     Effect.provideService(WaitUntil, ctx)
 *   )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class WaitUntil extends Service<WaitUntil, WaitUntilService>()(WAIT_UNTIL_KEY) {}

/**
 * A store operation failed (KV error or quota, Cache API refusal, timeout). The verifier
 * logs it and goes on without the store: it never fails a verification Clerk can answer.
 * You meet it when you call a {@link JwksStore} yourself, or write one: `operation` is
 * `"get"` or `"set"`, `cause` the error thrown.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { JwksStore, type KvNamespaceLike } from "effect-clerk"
 *
 * const brokenKv: KvNamespaceLike = {
 *   get: () => Promise.reject(new Error("KV GET quota exceeded")),
 *   put: () => Promise.reject(new Error("KV PUT quota exceeded"))
 * }
 *
 * const program = Effect.flatMap(JwksStore, (store) => store.get("some-key")).pipe(
 *   Effect.catchTag("JwksStoreError", (e) => Effect.succeed(`${e.operation}: ${e.message}`)),
 *   Effect.provide(JwksStore.layerKv(brokenKv))
 * )
 *
 * Effect.runPromise(program).then(console.log) // get: KV get failed: KV GET quota exceeded
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class JwksStoreError extends Schema.TaggedError<JwksStoreError>()("JwksStoreError", {
  operation: Literals(["get", "set"]),
  message: Schema.String,
  cause: Schema.optional(DefectSchema)
}) {}

/**
 * The part of a Workers KV namespace binding (`KVNamespace`) the store uses: a Worker's
 * binding already has this shape, so pass `env.CLERK_JWKS` as it is to
 * {@link JwksStore.layerKv}; anything else with `get` and `put` works too.
 *
 * @example
 * ```ts
 * import { JwksStore, type KvNamespaceLike } from "effect-clerk"
 *
 * // wrangler.toml: [[kv_namespaces]] binding = "CLERK_JWKS"
 * interface Env {
 *   readonly CLERK_JWKS: KvNamespaceLike
 * }
 * const storeFor = (env: Env) => JwksStore.layerKv(env.CLERK_JWKS)
 *
 * // Or a Map standing in for KV (expiry ignored).
 * const entries = new Map<string, string>()
 * const mapKv: KvNamespaceLike = {
 *   get: async (key) => entries.get(key) ?? null,
 *   put: async (key, value) => entries.set(key, value)
 * }
 * const MapStoreLive = JwksStore.layerKv(mapKv)
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface KvNamespaceLike {
  get(key: string): Promise<string | null>
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<unknown>
}

/**
 * The part of a Cache API `Cache` (`caches.default`, `await caches.open(name)`) the store
 * uses, for {@link JwksStore.layerCache}.
 *
 * @example
 * ```ts
 * import { type CacheLike, JwksStore } from "effect-clerk"
 *
 * // A Cache you opened yourself (on Cloudflare: `await caches.open("clerk")`).
 * const storeIn = (cache: CacheLike) => JwksStore.layerCache(cache)
 *
 * // Or let the layer find it: `caches.default`, or a cache by name.
 * const DefaultCacheLive = JwksStore.layerCache()
 * const NamedCacheLive = JwksStore.layerCache("clerk-jwks")
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface CacheLike {
  match(request: Request): Promise<Response | undefined | null>
  put(request: Request, response: Response): Promise<unknown>
}

/**
 * @since 0.1.0
 */
export declare namespace JwksStore {
  /**
   * A string store with expiry. `get` answers `undefined` for a missing or expired entry.
   * `ttlSeconds` is how long the entry may be kept (`undefined`: no limit).
   *
   * @since 0.1.0
   */
  export interface Service {
    readonly get: (key: string) => Effect.Effect<string | undefined, JwksStoreError>
    readonly set: (key: string, value: string, ttlSeconds: number | undefined) => Effect.Effect<void, JwksStoreError>
  }
}

const failure = (operation: "get" | "set", what: string) => (cause: unknown) =>
  new JwksStoreError({
    operation,
    message: `${what} ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause
  })

/** Workers KV keeps an entry at least 60 s (`expirationTtl`'s minimum). */
const KV_MIN_TTL = 60

// Cache API keys are URLs; `.invalid` never resolves, so nothing is ever fetched from it.
const cacheRequest = (key: string) => new Request(`https://jwks.effect-clerk.invalid/${encodeURIComponent(key)}`)

/**
 * The JWKS store `TokenVerifier.layer` uses when this service is provided; without one it
 * caches in the isolate's memory only. Provide it beside the verifier, from Workers KV
 * ({@link JwksStore.layerKv}), the Cache API ({@link JwksStore.layerCache}) or memory
 * ({@link JwksStore.layerMemory}, for tests). Entries are signed with a key derived from the
 * secret key, so write access to the store cannot plant a key.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { ClerkClient, JwksStore, type KvNamespaceLike, TokenVerifier } from "effect-clerk"
 *
 * interface Env {
 *   readonly CLERK_JWKS: KvNamespaceLike
 * }
 *
 * // A cold isolate reads the keys from KV before it asks GET /v1/jwks.
 * const VerifierLive = (env: Env) =>
 *   TokenVerifier.layer({ authorizedParties: ["https://app.example.com"] }).pipe(
 *     Layer.provide(JwksStore.layerKv(env.CLERK_JWKS)),
 *     Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_...") }))
 *   )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class JwksStore extends Service<JwksStore, JwksStore.Service>()(JWKS_STORE_KEY) {
  /**
   * A Workers KV namespace (`[[kv_namespaces]]` in `wrangler.toml`): shared by every isolate
   * and location, eventually consistent (a write may take up to a minute to be seen
   * elsewhere, which the TTL absorbs). Entries expire with `expirationTtl` (at least 60 s).
   *
   * @since 0.1.0
   */
  static readonly layerKv = (namespace: KvNamespaceLike): Layer.Layer<JwksStore> =>
    Layer.succeed(
      JwksStore,
      JwksStore.of({
        get: (key) =>
          Effect.tryPromise({
            try: () => namespace.get(key),
            catch: failure("get", "KV")
          }).pipe(Effect.map((value) => value ?? undefined)),
        set: (key, value, ttlSeconds) =>
          Effect.asVoid(Effect.tryPromise({
            try: () =>
              namespace.put(
                key,
                value,
                ttlSeconds === undefined ? undefined : { expirationTtl: Math.max(KV_MIN_TTL, Math.ceil(ttlSeconds)) }
              ),
            catch: failure("set", "KV")
          }))
      })
    )

  /**
   * The Cache API: `caches.default` when no cache is given, a named cache
   * (`caches.open(name)`) for a string, or a `Cache` you opened. Shared by the isolates of one
   * Cloudflare location (not global like KV), free, and without KV's write limits. On
   * Cloudflare the Cache API stores nothing on `*.workers.dev` routes: use it on a custom
   * domain, or use KV.
   *
   * @since 0.1.0
   */
  static readonly layerCache = (cache?: CacheLike | string): Layer.Layer<JwksStore> =>
    Layer.effect(
      JwksStore,
      Effect.suspend(() => {
        const caches = (globalThis as { caches?: { default?: CacheLike; open?: (name: string) => Promise<CacheLike> } })
          .caches
        const opened: Effect.Effect<CacheLike> = typeof cache === "object"
          ? Effect.succeed(cache)
          : typeof cache === "string"
          ? caches?.open === undefined
            ? dieMessage("JwksStore.layerCache: this runtime has no Cache API (globalThis.caches)")
            : Effect.promise(() => caches.open!(cache))
          : caches?.default === undefined
          ? dieMessage("JwksStore.layerCache: no caches.default here (a Cloudflare Worker has it); pass a Cache")
          : Effect.succeed(caches.default)
        return Effect.map(opened, (store) =>
          JwksStore.of({
            get: (key) =>
              Effect.tryPromise({
                try: async () => {
                  const response = await store.match(cacheRequest(key))
                  return response === undefined || response === null ? undefined : await response.text()
                },
                catch: failure("get", "Cache API")
              }),
            set: (key, value, ttlSeconds) =>
              Effect.asVoid(Effect.tryPromise({
                try: () =>
                  store.put(
                    cacheRequest(key),
                    new Response(value, {
                      headers: {
                        "content-type": "application/json",
                        "cache-control": ttlSeconds === undefined
                          ? "public, max-age=31536000"
                          : `public, max-age=${Math.max(1, Math.ceil(ttlSeconds))}`
                      }
                    })
                  ),
                catch: failure("set", "Cache API")
              }))
          }))
      })
    )

  /**
   * An in-memory store, shared by every verifier that uses this layer's one instance
   * (build it once and provide it to several verifiers to play a fleet's isolates in a test).
   * Entries expire on Effect's `Clock`.
   *
   * @since 0.1.0
   */
  static readonly layerMemory: Layer.Layer<JwksStore> = Layer.sync(JwksStore, () => makeMemory())

  /**
   * A memory store you hold: its service, and `entries` to look inside in tests.
   *
   * @since 0.1.0
   */
  static readonly makeMemory = () => makeMemory()

  /**
   * The key a Clerk instance's JWKS is stored under: `effect-clerk/jwks/v2/` and
   * `ClerkClient`'s `instanceKey` (the API URL and a value derived from the secret key with
   * HKDF). The entry is JSON: `{ v: 2, body, mac }`, where `body` is the JSON text
   * `{ fetchedAt: <epoch ms>, keys: [<public JWKs>] }` and `mac` its HMAC-SHA256 (base64url)
   * under a key derived from the secret key (`ClerkClient`'s `stateKey`): an entry written
   * without the secret key is dropped, never trusted.
   *
   * @since 0.1.0
   */
  static readonly keyOf = (instanceKey: string): string => jwksStoreKeyOf(instanceKey)

  /**
   * Hand the background work `effect` starts (a JWKS refresh while stale keys serve, store
   * writes) to a Worker request's `ctx.waitUntil`, so that it is not cut off when the
   * response is sent. Without it a Worker waits for store writes inline and may lose a
   * background refresh; other runtimes need nothing. The same as
   * `Effect.provideService(WaitUntil, ctx)`; a web handler built with
   * `HttpApp.toWebHandlerRuntime` can take it in its per-request context instead:
   * `handler(request, Context.make(WaitUntil, ctx))`.
   *
   * ```ts
   * export default { fetch: (request, env, ctx) => runtime.runPromise(handle(request).pipe(JwksStore.withExecutionContext(ctx))) }
   * ```
   *
   * @since 0.1.0
   */
  static readonly withExecutionContext =
    (ctx: WaitUntilService) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, WaitUntil>> =>
      Effect.provideService(effect, WaitUntil, ctx)
}

const makeMemory = (): JwksStore.Service & { readonly entries: Map<string, { value: string; expiresAt: number }> } => {
  const entries = new Map<string, { value: string; expiresAt: number }>()
  return {
    entries,
    get: (key) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const entry = entries.get(key)
          if (entry === undefined) return undefined
          if (nowUnsafe(clock) >= entry.expiresAt) {
            entries.delete(key)
            return undefined
          }
          return entry.value
        })
      ),
    set: (key, value, ttlSeconds) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          entries.set(key, {
            value,
            expiresAt: ttlSeconds === undefined ? Infinity : nowUnsafe(clock) + ttlSeconds * 1000
          })
        })
      )
  }
}
