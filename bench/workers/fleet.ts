/**
 * Row 7's Worker (bench/fleet.ts runs it in workerd through Miniflare): every request plays
 * one cold isolate. It builds everything a cold isolate builds before its first verification
 * (a fresh `TokenVerifier.layer()` with its own in-memory JWKS cache, its own `ClerkClient`;
 * @clerk/backend with an empty JWKS cache; a fresh jose `createRemoteJWKSet`), verifies the
 * request's bearer token once and answers with the time that took (workerd's clock, whole
 * milliseconds) and how many `GET /v1/jwks` it sent itself. The emulator's request log, not
 * this count, is what row 7 reports; the count only tells a warm-store isolate from one
 * that had to ask Clerk.
 *
 *   GET /verify?contender=none|kv|cache|backend|jose   one cold isolate verifying the bearer token
 *   GET /stored                                          whether KV / the Cache API hold the JWKS entry
 *   POST /reset                                          delete that entry from both
 *
 * Only the shared stores (KV, the Cache API) outlive a request, as in a real fleet.
 */
import { verifyToken } from "@clerk/backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { createRemoteJWKSet, jwtVerify } from "jose"
import { ClerkClient, JwksStore, type KvNamespaceLike, TokenVerifier } from "../../src/index.js"
// The line's HTTP client: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { Fetch } from "#bench-line/Http"
import { bearerOf } from "./shared.js"

interface Env {
  readonly CLERK_SECRET_KEY: string
  readonly CLERK_API_URL: string
  readonly JWKS: KvNamespaceLike & { delete(key: string): Promise<void> }
}

interface Ctx {
  waitUntil(promise: Promise<unknown>): void
}

interface WorkersCaches {
  readonly default: {
    match(request: Request): Promise<Response | undefined>
    delete(request: Request): Promise<boolean>
  }
}

const cachesOf = () => (globalThis as unknown as { caches: WorkersCaches }).caches

const clientOptions = (env: Env) => ({ secretKey: Redacted.make(env.CLERK_SECRET_KEY), apiUrl: env.CLERK_API_URL })

/** Where `TokenVerifier.layer` keeps the entry (as test/workers/fleet.test.ts finds it). */
const storeKey = (env: Env) =>
  Effect.runPromise(
    Effect.provide(Effect.flatMap(ClerkClient, (client) => client.instanceKey), ClerkClient.layerFetch(clientOptions(env)))
  ).then(JwksStore.keyOf)
const cacheRequest = (key: string) => new Request(`https://jwks.effect-clerk.invalid/${encodeURIComponent(key)}`)

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

/** `fetch` that counts the JWKS requests this isolate sends (so a warm-store isolate is told apart). */
const countingFetch = () => {
  const counter = {
    jwks: 0,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
      if (url.endsWith("/jwks")) counter.jwks++
      return globalThis.fetch(input, init)
    }) as typeof globalThis.fetch
  }
  return counter
}

const effectClerk = async (env: Env, ctx: Ctx, token: string, contender: "none" | "kv" | "cache") => {
  const counter = countingFetch()
  const store = contender === "kv"
    ? JwksStore.layerKv(env.JWKS)
    : contender === "cache"
    ? JwksStore.layerCache()
    : Layer.empty
  // The isolate's runtime: a fresh verifier (its own in-memory JWKS cache) over a fresh client.
  const runtime = ManagedRuntime.make(
    TokenVerifier.layer().pipe(
      Layer.provide(ClerkClient.layerFetch(clientOptions(env)).pipe(Layer.provide(Layer.succeed(Fetch, counter.fetch)))),
      Layer.provide(store)
    )
  )
  // As the example Worker does: store writes go to the request's waitUntil.
  const handed: Array<Promise<unknown>> = []
  const tracking: Ctx = {
    waitUntil: (promise) => {
      handed.push(promise)
      ctx.waitUntil(promise)
    }
  }
  const claims = await runtime.runPromise(
    Effect.flatMap(TokenVerifier, (verifier) => verifier.verify(token)).pipe(JwksStore.withExecutionContext(tracking))
  )
  // The isolate would live on; this one is let go once its background work is done.
  ctx.waitUntil(Promise.allSettled(handed).then(() => runtime.dispose()))
  return { sid: claims.sid, jwks: counter.jwks }
}

const clerkBackend = async (env: Env, token: string) => {
  // A cold isolate's module-level JWKS cache is empty: skipJwksCache makes this one act so.
  const claims = await verifyToken(token, {
    secretKey: env.CLERK_SECRET_KEY,
    apiUrl: env.CLERK_API_URL,
    skipJwksCache: true
  })
  return { sid: claims.sid as string, jwks: undefined }
}

const joseFloor = async (env: Env, token: string) => {
  const jwks = createRemoteJWKSet(new URL(`${env.CLERK_API_URL}/v1/jwks`), {
    headers: { authorization: `Bearer ${env.CLERK_SECRET_KEY}` }
  })
  const { payload } = await jwtVerify(token, jwks, { algorithms: ["RS256"] })
  return { sid: payload.sid as string, jwks: undefined }
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const url = new URL(request.url)
    try {
      if (url.pathname === "/verify") {
        const contender = url.searchParams.get("contender")
        const token = bearerOf(request)
        const t0 = performance.now()
        const result = contender === "none" || contender === "kv" || contender === "cache"
          ? await effectClerk(env, ctx, token, contender)
          : contender === "backend"
          ? await clerkBackend(env, token)
          : contender === "jose"
          ? await joseFloor(env, token)
          : undefined
        const ms = performance.now() - t0
        if (result === undefined) return json({ error: `unknown contender ${contender}` }, 400)
        return json({ ms, ...result })
      }
      if (url.pathname === "/stored") {
        const key = await storeKey(env)
        const kv = (await env.JWKS.get(key)) !== null
        const cached = await cachesOf().default.match(cacheRequest(key))
        return json({ kv, cache: cached !== undefined && cached !== null })
      }
      if (url.pathname === "/reset" && request.method === "POST") {
        const key = await storeKey(env)
        await env.JWKS.delete(key)
        await cachesOf().default.delete(cacheRequest(key))
        return json({ ok: true })
      }
      return json({ error: "not found" }, 404)
    } catch (error) {
      return json({ error: String(error), stack: error instanceof Error ? error.stack : undefined }, 500)
    }
  }
}
