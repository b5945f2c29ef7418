/**
 * The part of `cloudflare:test` this suite uses. The pool's own declarations lean on
 * @cloudflare/workers-types, which this project does not install.
 */
declare module "cloudflare:test" {
  /** The example Worker (`wrangler.toml`'s `main`), as a service binding. */
  export const SELF: { fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> }
  /** The Worker's bindings, as configured in vitest.workers.config.ts. */
  export const env: Record<string, string>
}
