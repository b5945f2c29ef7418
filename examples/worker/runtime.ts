/**
 * The per-isolate part of the example Worker: its `Env`, the layer built from it, and the
 * cache that builds one Effect runtime per isolate (per configuration) on first use.
 * Kept out of `index.ts` because a Worker's main module may export only handlers.
 */
import type * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
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
import { Access, app } from "./app.js"
import { html, queryOf, ServerRequest } from "./http.js"
import { config, configLayer, failureOf, unwrapLayer } from "./line.js"
import { DemoSignIn } from "./page.js"
import { type DemoUser, page, SCRIPT, STYLE } from "./views.js"

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
  /** Added to the 401 for a request without a token: how to get one (`npm start` sets it). */
  readonly DEMO_TOKEN_HINT?: string
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
  readonly [binding: string]: unknown
}

/** The fleet's shared state from the bindings that are there: the JWKS store and the request budget. */
const fleet = (env: Env) =>
  Layer.mergeAll(
    env.CLERK_JWKS === undefined ? Layer.empty : JwksStore.layerKv(env.CLERK_JWKS),
    env.CLERK_RATE_LIMITER === undefined ? Layer.empty : RateLimiter.layerDurableObject(env.CLERK_RATE_LIMITER)
  )

/** Only the string bindings: KV namespaces, service bindings and the like are not config. */
const stringBindings = (env: Env): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string"))

/**
 * `ClerkClient` from CLERK_SECRET_KEY / CLERK_API_URL / CLERK_API_VERSION, with a per-attempt
 * timeout from CLERK_TIMEOUT (an Effect duration such as "5 seconds"; default 5 s). Someone
 * is waiting on each request: give up sooner than a batch job would, and hand a long
 * Retry-After back to the caller (503) instead of holding the request open. `layerFetch…`
 * sends with the Worker's own `fetch`, at a fraction of the CPU an `HttpClient` costs
 * (BENCHMARKS.md): a Worker's CPU time is what it is billed and capped on.
 */
const clerkClient = (rateLimited: boolean) =>
  unwrapLayer(
    Effect.map(
      Config.all([
        config.duration("CLERK_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
        Config.option(config.integer("CLERK_RATE_LIMIT"))
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
const tokenVerifier = unwrapLayer(
  Effect.map(
    config.string("CLERK_AUTHORIZED_PARTIES").pipe(Config.withDefault("")),
    (parties) =>
      TokenVerifier.layerConfig({ authorizedParties: parties.split(",").map((p) => p.trim()).filter((p) => p !== "") })
  )
)

/** Session tokens required on every route; DEMO_TOKEN_HINT, when set, goes into the 401 without one. */
const access = unwrapLayer(
  Effect.map(
    Config.option(config.string("DEMO_TOKEN_HINT")),
    (hint) => Access.sessionToken({ tokenHint: Option.getOrUndefined(hint) })
  )
).pipe(Layer.provide(tokenVerifier))

/** DEMO_USERS as JSON: an array of `{ id, name, email? }` (id and name non-empty), else `undefined`. */
const demoUsers = (raw: string): ReadonlyArray<DemoUser> | undefined => {
  let users: unknown
  try {
    users = JSON.parse(raw)
  } catch {
    return undefined
  }
  const nonEmpty = (u: unknown) => typeof u === "string" && u !== ""
  const valid = Array.isArray(users) && users.every((u) =>
    typeof u === "object" && u !== null && !Array.isArray(u) && nonEmpty(u.id) && nonEmpty(u.name) &&
    (u.email === undefined || typeof u.email === "string")
  )
  return valid ? (users as Array<DemoUser>).map(({ id, name, email }) => (email === undefined ? { id, name } : { id, name, email })) : undefined
}

/** DEMO_USERS, when set, turns on the demo's sign-in; a malformed value is a configuration error naming it. */
const demoSignIn = Layer.effect(
  DemoSignIn,
  Effect.map(
    Config.option(config.parsed("DEMO_USERS", demoUsers, "DEMO_USERS must be a JSON array of { id, name, email? }")),
    (users) => DemoSignIn.of({ users: Option.getOrUndefined(users) })
  )
)

/**
 * The demo sign-in hands out a session for any listed user without a password: only against
 * the emulator on this machine (CLERK_API_URL on a loopback address), or with DEMO_INSECURE=1
 * said out loud. A staging deploy with DEMO_USERS left in has no demo sign-in.
 */
const demoAllowed = (env: Env): boolean => {
  if (env.DEMO_INSECURE === "1") return true
  try {
    const { hostname } = new URL(env.CLERK_API_URL ?? "https://api.clerk.com")
    return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  } catch {
    return false
  }
}

/**
 * Everything the routes need, configured from `env` (STYLE.md gotcha 8): the JWKS store and
 * the rate limiter from the KV and Durable Object bindings when they are there.
 */
export const layer = (env: Env) =>
  Layer.mergeAll(Sessions.layer, access, demoSignIn, tokenVerifier).pipe(
    Layer.provideMerge(clerkClient(env.CLERK_RATE_LIMITER !== undefined)),
    Layer.provideMerge(fleet(env)),
    Layer.provide(configLayer(demoAllowed(env) ? stringBindings(env) : withoutDemo(stringBindings(env))))
  )

const withoutDemo = (bindings: Record<string, string>): Record<string, string> => {
  const { DEMO_USERS: _dropped, ...rest } = bindings
  return rest
}

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
      handler = makeHandler(env, bindings)
      byConfig.set(key, handler)
    }
    byEnv.set(env, handler)
  }
  return handler
}

const makeHandler = (env: Env, bindings: Record<string, string>): Handler => {
  runtimesBuilt++
  const runtime = ManagedRuntime.make(layer({ ...env, ...bindings }))
  // The runtime is built on the first request; a configuration that fails answers every request with a 500.
  let ready: Promise<Handler> | undefined
  return (request, ctx) => {
    ready ??= runtime.runPromiseExit(Effect.void).then((exit) =>
      Exit.isSuccess(exit) ? serve(runtime) : misconfigured(exit.cause)
    )
    return ready.then((handle) => handle(request, ctx))
  }
}

/** Each request: `app` with the request and, with the request's `ctx`, `WaitUntil`. */
const serve = <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>): Handler => (request, ctx) => {
  const url = new URL(request.url)
  const answer = Effect.provideService(app, ServerRequest, {
    request,
    url,
    params: {},
    query: queryOf(url),
    cookie: { value: undefined }
  })
  return runtime.runPromise(
    (ctx === undefined ? answer : Effect.provideService(answer, WaitUntil, ctx)) as Effect.Effect<Response, never, R>
  ).then(secured)
}

/**
 * The runtime could not be built (a missing CLERK_SECRET_KEY, say): the reason goes to the
 * log, every visitor gets a generic 500 (a configuration error names variables and values
 * that are nobody else's business).
 */
const misconfigured = (cause: Cause.Cause<unknown>): Handler => {
  const reason = Option.match(failureOf(cause), {
    onNone: () => "the Clerk client could not be built",
    // One line: effect 4 renders a ConfigError's path on a line of its own.
    onSome: (error) => String(error).replace(/\s+/g, " ")
  })
  console.error(`effect-clerk example Worker is misconfigured: ${reason}`)
  return async (request) =>
    secured(
      (request.headers.get("accept") ?? "").includes("text/html")
        ? html(page("Something went wrong", `<h1>Something went wrong</h1><p>This app cannot answer right now.</p>`), 500)
        : Response.json({ error: { code: "internal_error", message: "Internal error" } }, { status: 500 })
    )
}

const sha256 = async (text: string) =>
  `'sha256-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))))}'`

/** The pages' Content-Security-Policy: nothing but their own inline style and script (by hash). */
let pageCsp: Promise<string> | undefined
const contentSecurityPolicy = () =>
  pageCsp ??= Promise.all([sha256(STYLE), sha256(SCRIPT)]).then(([style, script]) =>
    `default-src 'none'; style-src ${style}; script-src ${script}; connect-src 'self'; img-src 'self' data:; ` +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
  )

/**
 * Every answer: not cached (they are per user), never sniffed as another type, no Referer
 * sent on; HTML pages also with their Content-Security-Policy.
 */
export const secured = async (response: Response): Promise<Response> => {
  const headers = new Headers(response.headers)
  headers.set("cache-control", "no-store")
  headers.set("x-content-type-options", "nosniff")
  headers.set("referrer-policy", "no-referrer")
  if ((headers.get("content-type") ?? "").startsWith("text/html")) {
    headers.set("content-security-policy", await contentSecurityPolicy())
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
