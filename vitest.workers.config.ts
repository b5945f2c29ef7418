/**
 * The workerd suite (`test/workers/`): tests run inside workerd through
 * @cloudflare/vitest-pool-workers, with the line's example Worker (examples/effect3/worker,
 * wired by `wrangler.toml`; examples/effect4/worker by `wrangler.effect4.toml`) as `SELF`.
 * globalSetup serves the Clerk emulator on 127.0.0.1 from Node and provides its URL; the
 * Worker's CLERK_API_URL points at it.
 *
 * The pool turns on `nodejs_compat_v2` for the test Worker by itself, so this suite does not
 * prove the Worker runs without Node compatibility; the `wrangler dev` smoke tests do.
 *
 * This file is the Effect 3 line (`effect3-workerd`); vitest.workers.effect4.config.ts runs the
 * same test files on the Effect 4 line (`effect4-workerd`) through `workersConfig("effect4")`.
 */
import { defineWorkersConfig, type WorkerPoolOptionsContext } from "@cloudflare/vitest-pool-workers/config"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Plugin } from "vite"
import { effectDirOf } from "./scripts/lines.mjs"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

/**
 * The Effect 4 line inside the same pool: every `effect` / `effect/*` import (from src/, the
 * tests, the example Worker) resolves to the Effect 4 line's effect (where scripts/lines.mjs
 * says it is installed) as Node would load it there (its "exports" are plain strings). Two
 * copies of `effect` in one run would break service tags.
 */
const effect4Line = (): Plugin => {
  const effect = createRequire(join(effectDirOf("effect4"), "package.json"))
  return {
    name: "effect-clerk:workers-effect4-line",
    enforce: "pre",
    resolveId(id) {
      return /^effect(\/|$)/.test(id) ? effect.resolve(id) : null
    }
  }
}

/** Each line's Worker: its own wrangler config, whose `main` is that line's examples/<line>/worker/index.ts. */
const wranglerConfig = { effect3: "./wrangler.toml", effect4: "./wrangler.effect4.toml" } as const
const exampleWorker = { effect3: "./examples/effect3/worker/index.ts", effect4: "./examples/effect4/worker/index.ts" } as const

export const workersConfig = (effectLine: "effect3" | "effect4") =>
  defineWorkersConfig({
    plugins: effectLine === "effect4" ? [effect4Line()] : [],
    resolve: {
      // `effect4` picks src/line/effect4 and test/line/effect4 (package.json "imports"); the
      // pool adds workerd's own conditions after it.
      conditions: effectLine === "effect4" ? ["effect4"] : [],
      alias: [
        { find: /^effect-clerk\/http$/, replacement: src("http/index.ts") },
        { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
        { find: /^effect-clerk$/, replacement: src("index.ts") }
      ]
    },
    // The same for the Node side (globalSetup's emulator), so one run loads one `effect`.
    ssr: { resolve: { conditions: effectLine === "effect4" ? ["effect4", "node", "import", "default"] : [] } },
    test: {
      // And the HTTP middleware suites, as they run in Node (plain vitest, the in-process
      // emulator): ClerkAuth on each line's HttpApi and ClerkMiddleware on its HttpApp, in workerd.
      include: ["test/workers/**/*.test.ts", "test/http/ClerkAuth.test.ts", "test/http/ClerkMiddleware.test.ts"],
      globalSetup: ["test/workers/globalSetup.ts"],
      // Generous: a test's own bounds say what must hold; these only stop a stuck run, and a busy
      // 2-core machine can take several times an idle one's time (hooks included: vitest's default is 10 s).
      testTimeout: 60_000,
      hookTimeout: 60_000,
      poolOptions: {
        workers: ({ inject }: WorkerPoolOptionsContext) => ({
          singleWorker: true,
          wrangler: { configPath: wranglerConfig[effectLine] },
          // wrangler.effect4.toml's own `main` is the bundle its [build] step makes; the pool
          // compiles the source itself (one module graph with the tests, so one `effect`).
          main: exampleWorker[effectLine],
          miniflare: {
            bindings: {
              CLERK_SECRET_KEY: inject("clerkSecretKey"),
              CLERK_API_URL: inject("clerkUrl"),
              // The example Worker's webhook endpoint, fed by test/workers/webhooks.test.ts.
              CLERK_WEBHOOK_SIGNING_SECRET: inject("webhookSigningSecret")
            }
          }
        })
      }
    }
  })

export default workersConfig("effect3")
