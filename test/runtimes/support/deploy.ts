/**
 * `wrangler deploy --dry-run` on a line's wrangler config: what `wrangler deploy` would upload
 * after the README's deploy steps, built offline (the bundle and its bindings, nothing sent).
 * The README says the config deploys as it stands; this is as far as that can be checked here.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin, run } from "./run.js"

export const deployDryRunSuite = (config: string) =>
  describe(`wrangler deploy --dry-run -c ${config}`, () => {
    it("builds the Worker with its KV namespace and Durable Object bound, and no compatibility flags", async () => {
      const scratch = mkdtempSync(join(tmpdir(), "effect-clerk-deploy-"))
      try {
        const result = await run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", join(scratch, "out"), "-c", config], {
          env: {
            CI: "true",
            WRANGLER_SEND_METRICS: "false",
            WRANGLER_SEND_ERROR_REPORTS: "false",
            XDG_CONFIG_HOME: join(scratch, "config"),
            NO_COLOR: "1"
          }
        })
        const output = `${result.stdout}\n${result.stderr}`
        expect(result.code, output).toBe(0)
        expect(output).toMatch(/env\.CLERK_RATE_LIMITER \(ClerkRateLimiterObject\)\s+Durable Object/)
        expect(output).toMatch(/env\.CLERK_JWKS \(effect-clerk-example-jwks\)\s+KV Namespace/)
        expect(output).toContain("--dry-run: exiting now.")
        expect(output).not.toMatch(/nodejs_compat|compatibility flag/i)
        expect(readdirSync(join(scratch, "out")).filter((f) => f.endsWith(".js"))).not.toEqual([])
      } finally {
        rmSync(scratch, { recursive: true, force: true })
      }
    }, 120_000)
  })

