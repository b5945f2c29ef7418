import { ConfigProvider, Effect, Layer, ManagedRuntime } from "effect"
import {
  ClerkClient,
  type DurableObjectNamespaceLike,
  JwksStore,
  type KvNamespaceLike,
  RateLimiter,
  Sessions,
  TokenVerifier
} from "effect-clerk"
// The Durable Object class, exported from your main module (bound in wrangler.toml).
export { ClerkRateLimiterObject } from "effect-clerk"

interface Env {
  readonly CLERK_JWKS: KvNamespaceLike
  readonly CLERK_RATE_LIMITER: DurableObjectNamespaceLike
  readonly [variable: string]: unknown
}

const live = (env: Env) =>
  Layer.mergeAll(Sessions.layer, TokenVerifier.layerConfig()).pipe(
    // CLERK_SECRET_KEY, CLERK_API_URL, CLERK_AUTHORIZED_PARTIES from the Worker's env (see below).
    Layer.provideMerge(ClerkClient.layerFetchConfig({ rateLimit: { window: "11 seconds", maxWait: "2 seconds" } })),
    Layer.provide(JwksStore.layerKv(env.CLERK_JWKS)), // or JwksStore.layerCache()
    Layer.provide(RateLimiter.layerDurableObject(env.CLERK_RATE_LIMITER))
  )

// One runtime per isolate, built on its first request: every later request reuses its caches.
// Worker variables and secrets arrive in `env`, not process.env: config is read from them.
const makeRuntime = (env: Env) => {
  const variables = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === "string"))
  return ManagedRuntime.make(live(env).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson(variables)))))
}
let runtime: ReturnType<typeof makeRuntime> | undefined
const runtimeFor = (env: Env) => (runtime ??= makeRuntime(env))

// The signed-in caller's session, fetched from Clerk (rate-limited fleet-wide); 401 without a valid token.
const handle = (request: Request) =>
  Effect.gen(function*() {
    const claims = yield* Effect.flatMap(TokenVerifier, (verifier) => verifier.authenticateRequest(request))
    const session = yield* Effect.flatMap(Sessions, (sessions) => sessions.getSession(claims.sid))
    return Response.json({ sessionId: session.id, status: session.status })
  }).pipe(
    Effect.catchTags({
      ClerkTokenMissing: () => Effect.succeed(Response.json({ error: "sign in" }, { status: 401 })),
      ClerkTokenInvalid: (e) => Effect.succeed(Response.json({ error: e.reason }, { status: 401 }))
    }),
    Effect.catchAll(() => Effect.succeed(Response.json({ error: "Clerk is unavailable" }, { status: 503 })))
  )

export default {
  // Per request: background work (a JWKS refresh, a store write) goes to ctx.waitUntil.
  fetch: (request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) =>
    runtimeFor(env).runPromise(handle(request).pipe(JwksStore.withExecutionContext(ctx)))
}
