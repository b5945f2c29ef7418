/**
 * test/browser: the example Worker's page in a real headless Chromium (playwright-core
 * driving Debian's `chromium`), served by `wrangler dev` against the Clerk emulator.
 * `npm test` runs it as its own summary line ("browser: …").
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
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 150_000,
    fileParallelism: false
  }
})
