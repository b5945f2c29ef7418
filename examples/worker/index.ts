/**
 * A Cloudflare Worker serving Clerk sessions over JSON (routes in `app.ts`) and as an
 * "Active devices" page (`page.ts`), wired by the root `wrangler.toml` with no compatibility
 * flags.
 *
 * Secrets come from the Worker's `env` (`wrangler secret put CLERK_SECRET_KEY`, or a
 * `.dev.vars` file next to `wrangler.toml` for `wrangler dev`) and reach
 * `ClerkClient.layerFetchConfig` through a `ConfigProvider`. The Effect runtime (Clerk client,
 * token verifier, caches) is built once per isolate, on the first request, not per request.
 */
import { type Env, handlerFor } from "./runtime.js"

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return handlerFor(env)(request)
  }
}
