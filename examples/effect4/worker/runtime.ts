/**
 * The per-isolate part of the example Worker: its `Env`, the layer built from it, and the
 * cache that builds one Effect runtime per isolate (per configuration) on first use, with the
 * app (`app.ts`, built with it) as a web handler on it (`HttpEffect.toWebHandlerWith`).
 * Kept out of `index.ts` because a Worker's main module may export only handlers.
 */
import { HttpEffect, HttpServer } from "effect/http"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  ClerkClient,
  type DurableObjectNamespaceLike,
  JwksStore,
  type KvNamespaceLike,
  RateLimiter,
  Sessions,
  TokenVerifier,
  WaitUntil
} from "effect-clerk"
import { ClerkWebhooks } from "effect-clerk/http"
import { demoAllowed, misconfiguredAnswer, parseDemoUsers, secured, stringBindings } from "../../common/web.js"
import { EndedSessions } from "./access.js"
import { app } from "./app.js"
import { DemoSignIn } from "./page.js"

/** The bindings this Worker reads. Other bindings (KV, …) may sit beside them. */
export interface Env {
  /** `sk_live_…` / `sk_test_…`: a secret, never a `[vars]` entry. */
  readonly CLERK_SECRET_KEY?: string
  /** Defaults to https://api.clerk.com; point it at the emulator for local runs. */
  readonly CLERK_API_URL?: string
  /** `v1` or a dated `Clerk-API-Version`. */
  readonly CLERK_API_VERSION?: string
  /** Per-attempt timeout of Clerk calls, e.g. "3 seconds" (default 5 s). */
  readonly CLERK_TIMEOUT?: string
  /** The instance's PEM public key: session tokens then verify with no network at all. */
  readonly CLERK_JWT_KEY?: string
  /** Comma-separated origins a token's `azp` must be one of. */
  readonly CLERK_AUTHORIZED_PARTIES?: string
  /**
   * The demo's sign-in page: a JSON array of `{ id, name, email? }` users it offers
   * (`npm start` sets it). Without it there is no demo sign-in: people sign in through Clerk.
   */
  readonly DEMO_USERS?: string
  /** "1": allow the demo sign-in although CLERK_API_URL is not a loopback address (never in production). */
  readonly DEMO_INSECURE?: string
  /**
   * Requests per 11 s the fleet may send Clerk (default: Clerk's documented limit for the
   * key, 1000 for `sk_live_…`, 100 otherwise). Only used with CLERK_RATE_LIMITER bound.
   */
  readonly CLERK_RATE_LIMIT?: string
  /** A KV namespace: the JWKS shared by every isolate (`[[kv_namespaces]]` in wrangler.toml). */
  readonly CLERK_JWKS?: KvNamespaceLike
  /** The `ClerkRateLimiterObject` namespace: one request budget for the fleet. */
  readonly CLERK_RATE_LIMITER?: DurableObjectNamespaceLike
  /**
   * The signing secret (`whsec_…`) of this Worker's webhook endpoint in the Clerk Dashboard
   * (`POST /webhooks/clerk`): a secret. Without it the Worker takes no webhooks.
   */
  readonly CLERK_WEBHOOK_SIGNING_SECRET?: string
  /** A KV namespace: the sessions Clerk's webhooks said are over, seen by every isolate (else per isolate). */
  readonly CLERK_SESSION_EVENTS?: KvNamespaceLike
  readonly [binding: string]: unknown
}

/** The fleet's shared state from the bindings that are there: the JWKS store and the request budget. */
const fleet = (env: Env) =>
  Layer.mergeAll(
    env.CLERK_JWKS === undefined ? Layer.empty : JwksStore.layerKv(env.CLERK_JWKS),
    env.CLERK_RATE_LIMITER === undefined ? Layer.empty : RateLimiter.layerDurableObject(env.CLERK_RATE_LIMITER)
  )

/**
 * `ClerkClient` from CLERK_SECRET_KEY / CLERK_API_URL / CLERK_API_VERSION, with a per-attempt
 * timeout from CLERK_TIMEOUT (an Effect duration such as "5 seconds"; default 5 s). Someone
 * is waiting on each request: give up sooner than a batch job would, and hand a long
 * Retry-After back to the caller (503) instead of holding the request open. `layerFetch…`
 * sends with the Worker's own `fetch`, at a fraction of the CPU an `HttpClient` costs
 * (BENCHMARKS.md): a Worker's CPU time is what it is billed and capped on.
 */
const clerkClient = (rateLimited: boolean) =>
  Layer.unwrap(
    Effect.map(
      Config.all([
        Config.Duration("CLERK_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
        Config.option(Config.Int("CLERK_RATE_LIMIT"))
      ]),
      ([timeout, limit]) =>
        ClerkClient.layerFetchConfig({
          timeout,
          retry: { times: 2, maxRetryAfter: Duration.seconds(2), deadline: Duration.seconds(8) },
          // With the fleet's budget bound: wait up to 2 s for a slot, then answer "rate limited".
          rateLimit: rateLimited && { limit: Option.getOrUndefined(limit), maxWait: Duration.seconds(2) }
        })
    )
  )

/**
 * Session tokens verified locally: with CLERK_JWT_KEY (a PEM) no network at all, otherwise
 * with Clerk's JWKS fetched through the same `ClerkClient` and cached for the isolate.
 * CLERK_AUTHORIZED_PARTIES (comma-separated origins), when set, must contain the token's `azp`.
 */
const tokenVerifier = Layer.unwrap(
  Effect.map(
    Config.String("CLERK_AUTHORIZED_PARTIES").pipe(Config.withDefault("")),
    (parties) =>
      TokenVerifier.layerConfig({ authorizedParties: parties.split(",").map((p) => p.trim()).filter((p) => p !== "") })
  )
)

/**
 * Clerk's webhooks, verified with CLERK_WEBHOOK_SIGNING_SECRET when it is set (a malformed one
 * is a configuration error naming it); without it `POST /webhooks/clerk` answers 404.
 */
const webhooks = Layer.unwrap(
  Effect.map(Config.option(Config.String("CLERK_WEBHOOK_SIGNING_SECRET")), (secret) =>
    Option.isSome(secret) ? ClerkWebhooks.layerConfig() : Layer.empty)
)

/** Where the sessions Clerk's webhooks ended are kept: CLERK_SESSION_EVENTS when bound, else this isolate's memory. */
const endedSessions = (env: Env) =>
  Layer.sync(EndedSessions, () =>
    env.CLERK_SESSION_EVENTS === undefined ? EndedSessions.memory() : EndedSessions.kv(env.CLERK_SESSION_EVENTS))

/** DEMO_USERS, when set, turns on the demo's sign-in; a malformed value is a configuration error naming it. */
const demoSignIn = Layer.effect(
  DemoSignIn,
  Effect.map(
    Config.option(
      Config.schema(
        // The filter's own message only: Schema's default one would quote the value.
        Schema.String.check(Schema.makeFilter((raw: string) =>
          parseDemoUsers(raw) === undefined ? "DEMO_USERS must be a JSON array of { id, name, email? }" : undefined
        )),
        "DEMO_USERS"
      ).pipe(Config.map((raw) => parseDemoUsers(raw)!))
    ),
    (users) => DemoSignIn.of({ users: Option.getOrUndefined(users) })
  )
)

/** The configuration: the Worker's string bindings, without DEMO_USERS where the demo sign-in is not allowed. */
const configFrom = (env: Env) => {
  const { DEMO_USERS, ...rest } = stringBindings(env)
  const bindings = demoAllowed(env) && DEMO_USERS !== undefined ? { ...rest, DEMO_USERS } : rest
  return ConfigProvider.layer(ConfigProvider.fromUnknown(bindings))
}

/**
 * Everything the routes need, configured from `env` (a Worker's bindings reach Effect's
 * `Config` through a `ConfigProvider`, not `process.env`): the JWKS store and the rate
 * limiter from the KV and Durable Object bindings when they are there.
 */
export const layer = (env: Env) =>
  Layer.mergeAll(Sessions.layer, demoSignIn, tokenVerifier, webhooks, endedSessions(env)).pipe(
    Layer.provideMerge(clerkClient(env.CLERK_RATE_LIMITER !== undefined)),
    Layer.provideMerge(fleet(env)),
    Layer.provide(configFrom(env))
  )

/** The routed app, built once with the runtime: the router lives as long as the runtime's scope. */
type RoutedApp = Effect.Success<typeof app>
class App extends Context.Service<App, RoutedApp>()("example/App") {}

/** The services and the app of one configuration. */
const runtimeLayer = (env: Env) =>
  Layer.effect(App, app).pipe(Layer.provideMerge(layer(env)), Layer.provide(HttpServer.layerServices))

/** What the Worker uses of a request's `ExecutionContext`. */
export type ExecutionContextLike = typeof WaitUntil.Service

/**
 * A Worker's `fetch`, minus the env. With the request's `ctx`, background work (a JWKS
 * refresh, a store write) goes to `ctx.waitUntil`.
 */
export type Handler = (request: Request, ctx?: ExecutionContextLike) => Promise<Response>

/** How many runtimes this isolate has built (one per distinct configuration; tests read it). */
export let runtimesBuilt = 0

const byEnv = new WeakMap<object, Handler>()
const byConfig = new Map<string, Handler>()

/**
 * The handler for this `env`, built on first use and then reused for every request the
 * isolate serves. workerd may hand each request a fresh `env` object with the same
 * bindings, so the cache is keyed by the string bindings' values, with the object as a
 * fast path.
 */
export const handlerFor = (env: Env): Handler => {
  let handler = byEnv.get(env)
  if (handler === undefined) {
    const bindings = stringBindings(env)
    const key = JSON.stringify(Object.entries(bindings).sort(([a], [b]) => (a < b ? -1 : 1)))
    handler = byConfig.get(key)
    if (handler === undefined) {
      handler = makeHandler({ ...env, ...bindings })
      byConfig.set(key, handler)
    }
    byEnv.set(env, handler)
  }
  return handler
}

const makeHandler = (env: Env): Handler => {
  runtimesBuilt++
  const runtime = ManagedRuntime.make(runtimeLayer(env))
  // The runtime is built on the first request; a configuration that fails answers every request with a 500.
  let ready: Promise<Handler> | undefined
  return (request, ctx) => {
    ready ??= Effect.runPromiseExit(runtime.contextEffect).then((exit) =>
      Exit.isSuccess(exit)
        ? serve(HttpEffect.toWebHandlerWith<Layer.Success<ReturnType<typeof runtimeLayer>>, Effect.Services<RoutedApp>>(exit.value)(Context.get(exit.value, App)))
        : misconfigured(exit.cause)
    )
    return ready.then((handle) => handle(request, ctx))
  }
}

/** Each request: the app, with the request's `ctx` as `WaitUntil`; every answer `secured`. */
const serve = (handler: (request: Request, context?: Context.Context<never>) => Promise<Response>): Handler =>
(request, ctx) =>
  handler(request, ctx === undefined ? undefined : Context.make(WaitUntil, ctx) as Context.Context<never>).then(secured)

/**
 * The runtime could not be built (a missing CLERK_SECRET_KEY, say): the reason goes to the
 * log, every visitor gets a generic 500 (a configuration error names variables and values
 * that are nobody else's business).
 */
const misconfigured = (cause: Cause.Cause<unknown>): Handler => {
  const reason = Option.match(Cause.findErrorOption(cause), {
    onNone: () => "the Clerk client could not be built",
    // One line: effect 4 renders a ConfigError's path on a line of its own.
    onSome: (error) => String(error).replace(/\s+/g, " ")
  })
  console.error(`effect-clerk example Worker is misconfigured: ${reason}`)
  return (request) => secured(misconfiguredAnswer((request.headers.get("accept") ?? "").includes("text/html")))
}
