/**
 * A Worker for the cold-burst suite (burst.ts): one `TokenVerifier` per isolate, built on the
 * first request, as a production Worker builds its runtime. `GET /verify?store=kv|none` verifies
 * the request's bearer token. Bundled per release line; only APIs both lines spell alike.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { ClerkClient, JwksStore, type KvNamespaceLike, TokenVerifier, WaitUntil } from "effect-clerk"

interface Env {
  readonly CLERK_SECRET_KEY: string
  readonly CLERK_API_URL: string
  readonly CLERK_JWKS: KvNamespaceLike
  /** The verifier's TTL and kid cooldown, in milliseconds (a test shortens them). */
  readonly JWKS_TTL_MS?: string
  readonly KID_COOLDOWN_MS?: string
}

const runtimes = new Map<string, ManagedRuntime.ManagedRuntime<TokenVerifier, never>>()

const runtimeFor = (env: Env, store: string) => {
  let runtime = runtimes.get(store)
  if (runtime === undefined) {
    const client = ClerkClient.layerFetch({ secretKey: Redacted.make(env.CLERK_SECRET_KEY), apiUrl: env.CLERK_API_URL })
    const verifier = TokenVerifier.layer({
      jwksCacheTtl: Duration.millis(Number(env.JWKS_TTL_MS ?? 300_000)),
      kidRefetchCooldown: Duration.millis(Number(env.KID_COOLDOWN_MS ?? 30_000))
    }).pipe(
      Layer.provide(client),
      Layer.provide(store === "kv" ? JwksStore.layerKv(env.CLERK_JWKS) : Layer.empty)
    ) as Layer.Layer<TokenVerifier>
    runtimes.set(store, runtime = ManagedRuntime.make(verifier))
  }
  return runtime
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname !== "/verify") return new Response("not found", { status: 404 })
    const store = url.searchParams.get("store") ?? "none"
    const verify = Effect.flatMap(TokenVerifier, (verifier) => verifier.authenticateRequest(request)).pipe(
      Effect.match({
        onSuccess: (claims) => ({ status: 200, body: { sid: claims.sid } as Record<string, unknown> }),
        onFailure: (error) => ({ status: 401, body: { error: error._tag, reason: "reason" in error ? error.reason : undefined } })
      }),
      Effect.provideService(WaitUntil, ctx)
    )
    const { body, status } = await runtimeFor(env, store).runPromise(verify)
    return Response.json(body, { status })
  }
}
