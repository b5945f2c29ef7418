/**
 * The part of `cloudflare:test` this suite uses. The pool's own declarations lean on
 * @cloudflare/workers-types, which this project does not install.
 */
declare module "cloudflare:test" {
  /** The example Worker (`wrangler.toml`'s `main`), as a service binding. */
  export const SELF: { fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> }
  /**
   * The Worker's bindings, as configured in vitest.workers.config.ts and wrangler.toml: the
   * strings, a real KV namespace and the rate limiter's real Durable Object namespace.
   */
  export const env: {
    readonly CLERK_JWKS: import("../../src/index.js").KvNamespaceLike & {
      delete(key: string): Promise<void>
      get(key: string): Promise<string | null>
    }
    readonly CLERK_RATE_LIMITER: import("../../src/index.js").DurableObjectNamespaceLike
    /** The sessions the example Worker's webhook endpoint recorded as over. */
    readonly CLERK_SESSION_EVENTS: import("../../src/index.js").KvNamespaceLike
    readonly [binding: string]: any
  }
  /** A request's `ExecutionContext`, for a handler called directly. */
  export function createExecutionContext(): { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void }
  /** Waits for every promise handed to the context's `waitUntil`. */
  export function waitOnExecutionContext(ctx: unknown): Promise<void>
}
