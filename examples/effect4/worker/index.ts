/**
 * A Cloudflare Worker serving Clerk sessions over JSON and as an "Active devices" page
 * (the JSON API an HttpApi behind ClerkAuth in `api.ts`, its OpenAPI document at
 * /openapi.json; the page on HttpRouter in `page.ts`; both joined in `app.ts`), wired by the root
 * `wrangler.effect4.toml` with no compatibility flags.
 *
 * Secrets come from the Worker's `env` (`wrangler secret put CLERK_SECRET_KEY`, or a
 * `.dev.vars` file next to `wrangler.toml` for `wrangler dev`) and reach
 * `ClerkClient.layerFetchConfig` through a `ConfigProvider`. The Effect runtime (Clerk client,
 * token verifier, caches) is built once per isolate, on the first request, not per request.
 * Bound in `wrangler.toml`, a KV namespace (CLERK_JWKS) shares the JWKS across isolates, and
 * a Durable Object (CLERK_RATE_LIMITER) holds one Clerk request budget for the fleet.
 */
import { type Env, type ExecutionContextLike, handlerFor } from "./runtime.js"

// The fleet's request budget, bound as CLERK_RATE_LIMITER in wrangler.toml.
export { ClerkRateLimiterObject } from "effect-clerk"

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
    return handlerFor(env)(request, ctx)
  }
}
