/**
 * The workerd suite (`test/workers/`): tests run inside workerd through
 * @cloudflare/vitest-pool-workers, with the example Worker (`wrangler.toml`) as `SELF`.
 * globalSetup serves the Clerk emulator on 127.0.0.1 from Node and provides its URL; the
 * Worker's CLERK_API_URL points at it.
 *
 * The pool turns on `nodejs_compat_v2` for the test Worker by itself, so this suite does not
 * prove the Worker runs without Node compatibility; the `wrangler dev` smoke test does.
 */
import { defineWorkersConfig, type WorkerPoolOptionsContext } from "@cloudflare/vitest-pool-workers/config"
import { fileURLToPath } from "node:url"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineWorkersConfig({
  resolve: {
    alias: [
      { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-clerk$/, replacement: src("index.ts") }
    ]
  },
  test: {
    include: ["test/workers/**/*.test.ts"],
    globalSetup: ["test/workers/globalSetup.ts"],
    // Generous: a test's own bounds say what must hold; these only stop a stuck run, and a busy
    // 2-core machine can take several times an idle one's time (hooks included: vitest's default is 10 s).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    poolOptions: {
      workers: ({ inject }: WorkerPoolOptionsContext) => ({
        singleWorker: true,
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            CLERK_SECRET_KEY: inject("clerkSecretKey"),
            CLERK_API_URL: inject("clerkUrl")
          }
        }
      })
    }
  }
})
