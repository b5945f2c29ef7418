/**
 * test/runtimes: tests run by Node that drive another runtime (the examples under Deno, Bun
 * and Node 24, Deno's two module resolutions, the Worker under `wrangler dev`). Each file is
 * named after the runtime it counts toward in `npm test`'s summary.
 */
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^effect-clerk\/testing\/node$/, replacement: src("testing/node/index.ts") },
      { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-clerk$/, replacement: src("index.ts") }
    ]
  },
  test: {
    include: ["test/runtimes/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file starts its own processes; running them one at a time keeps a 2-core machine responsive.
    fileParallelism: false
  }
})
