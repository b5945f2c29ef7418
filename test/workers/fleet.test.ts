/**
 * The fleet inside workerd, with real bindings (wrangler.toml's KV namespace and the
 * ClerkRateLimiterObject Durable Object; the Cache API of workerd itself) and the emulator
 * served from Node. A "cold isolate" is a fresh layer instance: its own memory, nothing
 * cached, sharing only what a real fleet shares (KV, the cache, the Durable Object).
 */
import { noLogger } from "#test-line/Testing"
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import {
  ClerkClient,
  type ClerkClientOptions,
  type DurableObjectNamespaceLike,
  JwksStore,
  RateLimiter,
  Sessions,
  TokenVerifier,
  type TokenVerifierOptions
} from "effect-clerk"
import { handlerFor } from "#test-line/ExampleWorker"
import { busiestWindow } from "../support/fleet.js"
import { describe, expect, it, live } from "./effect.js"
import { clerkSecretKey, clerkUrl, injectFault, mintToken, requests, reset, rotateKey, seedUser } from "./support.js"

const client = (options: Partial<ClerkClientOptions> = {}) =>
  ClerkClient.layerFetch({ secretKey: Redacted.make(clerkSecretKey), apiUrl: clerkUrl, retry: false, ...options })

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)
const fresh = promise(() => reset())
const log = promise(() => requests())
const jwksFetches = Effect.map(log, (all) => all.filter((r) => r.route === "getJwks"))

/** The JWKS store's key for the emulator's instance. */
const storeKey = Effect.map(
  Effect.provide(Effect.flatMap(ClerkClient, (c) => c.instanceKey), client()),
  JwksStore.keyOf
)
const cacheUrl = (key: string) => `https://jwks.effect-clerk.invalid/${encodeURIComponent(key)}`

/** A cold isolate's verifier over `store`, alive for the test's scope. */
const coldVerifier = (store: Layer.Layer<JwksStore>, options: TokenVerifierOptions = {}) =>
  Effect.map(
    Layer.build(TokenVerifier.layer(options).pipe(Layer.provide(client()), Layer.provide(store))),
    (context) => Context.get(context, TokenVerifier)
  )

const session = Effect.map(promise(() => seedUser(1)), ({ sessionIds }) => sessionIds[0]!)
const token = (sessionId: string) => promise(() => mintToken(sessionId))

/** The stored JWKS entry, parsed (`undefined` when none). */
const kvEntry = Effect.flatMap(storeKey, (key) =>
  promise(async () => {
    const text = await env.CLERK_JWKS.get(key)
    if (text === null) return undefined
    const envelope = JSON.parse(text) as { v: number; body: string; mac: string }
    return { v: envelope.v, mac: envelope.mac, ...JSON.parse(envelope.body) } as {
      v: number
      mac: string
      fetchedAt: number
      keys: Array<Record<string, unknown>>
    }
  }))
const clearKv = Effect.flatMap(storeKey, (key) => promise(() => env.CLERK_JWKS.delete(key)))

const silent = noLogger

describe("JwksStore inside workerd: cold isolates share the JWKS", () => {
  const stores = [
    ["Workers KV", () => JwksStore.layerKv(env.CLERK_JWKS)],
    ["the Cache API (caches.default)", () => JwksStore.layerCache()],
    ["a named cache (caches.open)", () => JwksStore.layerCache(`effect-clerk-jwks-${crypto.randomUUID()}`)]
  ] as const
  for (const [name, makeStore] of stores) {
    live(`${name}: 10 cold isolates verifying one token each make exactly one GET /v1/jwks`, () =>
      Effect.gen(function*() {
        yield* fresh
        yield* clearKv
        const key = yield* storeKey
        yield* promise(() => (caches as unknown as { default: Cache }).default.delete(new Request(cacheUrl(key))))
        const store = makeStore()
        const sid = yield* session
        const jwt = yield* token(sid)
        for (let i = 0; i < 10; i++) {
          const verifier = yield* coldVerifier(store)
          expect((yield* verifier.verify(jwt)).sid).toBe(sid)
        }
        expect((yield* jwksFetches).map((r) => r.status)).toEqual([200])
      }).pipe(Effect.scoped))
  }

  live("the KV entry holds only public keys, under the API URL and a hash of the secret key", () =>
    Effect.gen(function*() {
      yield* fresh
      yield* clearKv
      const sid = yield* session
      yield* (yield* coldVerifier(JwksStore.layerKv(env.CLERK_JWKS))).verify(yield* token(sid))
      const key = yield* storeKey
      expect(key).toBe(`effect-clerk/jwks/v2/${clerkUrl}/v1#${key.slice(-64)}`)
      expect(key).not.toContain(clerkSecretKey)
      const entry = (yield* kvEntry)!
      expect([entry.v, /^[A-Za-z0-9_-]{43}$/.test(entry.mac)]).toEqual([2, true])
      expect(Object.keys(entry.keys[0]!).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"])
    }).pipe(Effect.scoped))

  live("rotation: a cold isolate whose stored keys lack the new kid refetches once and rewrites KV", () =>
    Effect.gen(function*() {
      yield* fresh
      yield* clearKv
      const kv = JwksStore.layerKv(env.CLERK_JWKS)
      const sid = yield* session
      yield* (yield* coldVerifier(kv)).verify(yield* token(sid))
      const { kid } = yield* promise(() => rotateKey())
      const rotated = yield* token(sid)
      expect((yield* (yield* coldVerifier(kv)).verify(rotated)).sid).toBe(sid)
      expect(yield* jwksFetches).toHaveLength(2)
      expect((yield* kvEntry)!.keys.map((k) => k.kid)).toEqual([kid])
      for (let i = 0; i < 3; i++) yield* (yield* coldVerifier(kv)).verify(rotated)
      expect(yield* jwksFetches).toHaveLength(2)
    }).pipe(Effect.scoped))

  live("a failing KV (every get and put rejected) never fails a verification: each isolate asks Clerk", () =>
    Effect.gen(function*() {
      yield* fresh
      const quota = () => Promise.reject(new Error("KV GET failed: 429 Too Many Requests"))
      const failing = JwksStore.layerKv({ get: quota, put: quota })
      const sid = yield* session
      const jwt = yield* token(sid)
      for (let i = 0; i < 3; i++) expect((yield* (yield* coldVerifier(failing)).verify(jwt)).sid).toBe(sid)
      expect(yield* jwksFetches).toHaveLength(3)
    }).pipe(Effect.scoped, Effect.provide(silent)))

  live("a corrupt KV entry is ignored and overwritten with Clerk's JWKS", () =>
    Effect.gen(function*() {
      yield* fresh
      const key = yield* storeKey
      yield* promise(() => env.CLERK_JWKS.put(key, "{\"v\":1,\"fetchedAt\":\"yesterday\",\"keys\":{}}"))
      const kv = JwksStore.layerKv(env.CLERK_JWKS)
      const sid = yield* session
      const jwt = yield* token(sid)
      expect((yield* (yield* coldVerifier(kv)).verify(jwt)).sid).toBe(sid)
      expect(yield* jwksFetches).toHaveLength(1)
      expect(typeof (yield* kvEntry)!.fetchedAt).toBe("number")
      yield* (yield* coldVerifier(kv)).verify(jwt)
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(silent)))

  live("past the TTL a cold isolate verifies with the stored keys at once; one refresh runs in waitUntil and rewrites KV", () =>
    Effect.gen(function*() {
      yield* fresh
      yield* clearKv
      const kv = JwksStore.layerKv(env.CLERK_JWKS)
      const options = { jwksCacheTtl: "1 second" } as const
      const sid = yield* session
      yield* (yield* coldVerifier(kv, options)).verify(yield* token(sid))
      const first = (yield* kvEntry)!.fetchedAt
      yield* Effect.sleep("1100 millis")
      // Clerk now takes 3 s to answer the JWKS.
      yield* promise(() => injectFault({ fault: "delay", millis: 3000, route: "getJwks" }))
      const ctx = createExecutionContext()
      let settled = 0
      let handed = 0
      const tracking = {
        waitUntil: (p: Promise<unknown>) => {
          handed++
          ctx.waitUntil(p.finally(() => settled++))
        }
      }
      const verifier = yield* coldVerifier(kv, options)
      const claims = yield* verifier.verify(yield* token(sid)).pipe(JwksStore.withExecutionContext(tracking))
      expect(claims.sid).toBe(sid)
      // Verified before the refresh could answer: it was handed to waitUntil, still running.
      expect([handed, settled]).toEqual([1, 0])
      yield* promise(() => waitOnExecutionContext(ctx))
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, 200])
      expect((yield* kvEntry)!.fetchedAt).toBeGreaterThan(first)
    }).pipe(Effect.scoped))
})

/** The real Durable Object namespace, with its objects named apart for this test. */
const isolatedNamespace = (): DurableObjectNamespaceLike & { readonly calls: () => number } => {
  const prefix = crypto.randomUUID()
  let calls = 0
  return {
    idFromName: (name) => env.CLERK_RATE_LIMITER.idFromName(`${prefix}/${name}`),
    get: (id) => {
      calls++
      return env.CLERK_RATE_LIMITER.get(id)
    },
    calls: () => calls
  }
}

/** An isolate's `Sessions` over its own ClerkClient, alive for the test's scope. */
const isolate = (options: Partial<ClerkClientOptions>) =>
  Effect.map(Layer.build(Sessions.layer.pipe(Layer.provide(client(options)))), (context) => Context.get(context, Sessions))

const sessionArrivals = Effect.map(log, (all) => all.filter((r) => r.route === "getSession").map((r) => r.at))

describe("RateLimiter.layerDurableObject inside workerd: one budget for the fleet", () => {
  // Clerk's window in this test is 1 s; the budget's is 2 s, the extra second for requests in
  // transit (as the default 11 s is for Clerk's 10 s).
  const budget = { limit: 4, window: "2 seconds" } as const

  live("3 isolates x 4 concurrent calls on one Durable Object budget of 4: never more than 4 in any second at Clerk", () =>
    Effect.gen(function*() {
      yield* fresh
      const namespace = isolatedNamespace()
      const limiter = RateLimiter.layerDurableObject(namespace)
      const sid = yield* session
      const isolates = [] as Array<Sessions.Service>
      for (let i = 0; i < 3; i++) isolates.push(yield* isolate({ rateLimit: budget }).pipe(Effect.provide(limiter)))
      const results = yield* Effect.all(
        isolates.flatMap((s) => Array.from({ length: 4 }, () => s.getSession(sid))),
        { concurrency: "unbounded" }
      )
      expect(results.map((s) => s.id)).toEqual(Array(12).fill(sid))
      const arrivals = yield* sessionArrivals
      expect(arrivals).toHaveLength(12)
      expect(busiestWindow(arrivals, 1000)).toBe(4)
      // Each request asked the Durable Object once.
      expect(namespace.calls()).toBe(12)
    }).pipe(Effect.scoped))

  live("the same calls with each isolate counting alone: all 12 reach Clerk within one second", () =>
    Effect.gen(function*() {
      yield* fresh
      const sid = yield* session
      const isolates = [] as Array<Sessions.Service>
      for (let i = 0; i < 3; i++) isolates.push(yield* isolate({ rateLimit: budget }).pipe(Effect.provide(RateLimiter.layerMemory)))
      yield* Effect.all(isolates.flatMap((s) => Array.from({ length: 4 }, () => s.getSession(sid))), { concurrency: "unbounded" })
      expect(busiestWindow(yield* sessionArrivals, 1000)).toBe(12)
    }).pipe(Effect.scoped))

  live("a 429 with Retry-After: 2 seen by one isolate holds the other off until it has passed", () =>
    Effect.gen(function*() {
      yield* fresh
      const limiter = RateLimiter.layerDurableObject(isolatedNamespace())
      const sid = yield* session
      const a = yield* isolate({ rateLimit: true }).pipe(Effect.provide(limiter))
      const b = yield* isolate({ rateLimit: true }).pipe(Effect.provide(limiter))
      yield* promise(() => injectFault({ fault: "rateLimited", retryAfter: 2, route: "getSession", times: 1 }))
      const error = yield* Effect.flip(a.getSession(sid))
      expect(error._tag).toBe("ClerkRateLimited")
      expect((yield* b.getSession(sid)).id).toBe(sid)
      const served = (yield* log).filter((r) => r.route === "getSession")
      expect(served.map((r) => r.status)).toEqual([429, 200])
      expect(served[1]!.at - served[0]!.at).toBeGreaterThanOrEqual(2000)
    }).pipe(Effect.scoped))

  live("the limiter unavailable (binding throws, object never answers): calls go through unlimited, never hang", () =>
    Effect.gen(function*() {
      yield* fresh
      const sid = yield* session
      const broken: DurableObjectNamespaceLike = {
        idFromName: () => {
          throw new Error("no such Durable Object class")
        },
        get: () => {
          throw new Error("unreachable")
        }
      }
      const silentObject: DurableObjectNamespaceLike = {
        idFromName: (name) => name,
        get: () => ({ fetch: () => new Promise<Response>(() => {}) })
      }
      const strict = { rateLimit: { limit: 1, onLimit: "fail", timeout: "300 millis" } } as const
      const viaBroken = yield* isolate(strict).pipe(Effect.provide(RateLimiter.layerDurableObject(broken)))
      const viaSilent = yield* isolate(strict).pipe(Effect.provide(RateLimiter.layerDurableObject(silentObject)))
      for (let i = 0; i < 3; i++) {
        expect((yield* viaBroken.getSession(sid)).id).toBe(sid)
        expect((yield* viaSilent.getSession(sid)).id).toBe(sid)
      }
      expect(yield* sessionArrivals).toHaveLength(6)
    }).pipe(Effect.scoped, Effect.provide(silent)))
})

describe("the example Worker uses both bindings", () => {
  it("its first verification stores the JWKS in KV (through waitUntil), and each Clerk call asks the Durable Object", async () => {
    await reset()
    await Effect.runPromise(clearKv)
    const namespace = isolatedNamespace()
    const handler = handlerFor({
      CLERK_SECRET_KEY: clerkSecretKey,
      CLERK_API_URL: clerkUrl,
      CLERK_TIMEOUT: "4321 millis",
      CLERK_JWKS: env.CLERK_JWKS,
      CLERK_RATE_LIMITER: namespace
    })
    const { sessionIds } = await seedUser(1)
    const auth = { authorization: `Bearer ${await mintToken(sessionIds[0]!)}` }
    const ctx = createExecutionContext()
    const response = await handler(new Request(`https://worker.test/sessions/${sessionIds[0]}`, { headers: auth }), ctx)
    expect(response.status).toBe(200)
    await waitOnExecutionContext(ctx)
    const entry = await Effect.runPromise(kvEntry)
    expect(entry?.keys).toHaveLength(1)
    // GET /sessions/:id took a slot; GET /jwks (unlimited at Clerk) did not.
    expect((await requests()).map((r) => r.route)).toEqual(["getJwks", "getSession"])
    expect(namespace.calls()).toBe(1)

    // GET /fleet shows the stored set; a corrupt entry reads as none, not a 500.
    const fleet = async () => (await handler(new Request("https://worker.test/fleet", { headers: auth }))).json() as Promise<any>
    const shown = await fleet()
    expect(shown.jwksStore.stored.kids).toEqual(entry!.keys.map((k) => k.kid))
    expect(Object.keys(shown.jwksStore.stored).sort()).toEqual(["fetchedAt", "kids"])
    expect(JSON.stringify(shown)).not.toContain(clerkUrl)
    // Without a session: a 401, and nothing about the fleet.
    const anonymous = await handler(new Request("https://worker.test/fleet"))
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).not.toContain("jwks")
    const key = await Effect.runPromise(storeKey)
    await env.CLERK_JWKS.put(key, "{\"v\":1,\"fetchedAt\":")
    expect(await fleet()).toEqual({
      jwksStore: { stored: null },
      rateLimiter: "one Clerk request budget for every isolate (Durable Object)"
    })
  })
})
