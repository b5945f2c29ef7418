import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Examples and tests import the package by name, as users do; resolve it to the sources.
    alias: [
      { find: /^effect-clerk\/testing\/node$/, replacement: src("testing/node/index.ts") },
      { find: /^effect-clerk\/http$/, replacement: src("http/index.ts") },
      { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-clerk$/, replacement: src("index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // test/workers runs inside workerd (vitest.workers.config.ts); test/runtimes drives other
    // runtimes from Node (vitest.runtimes.config.ts); test/consumer tests the packed tarball
    // (vitest.consumer.config.ts); test/browser drives Chromium (vitest.browser.config.ts).
    // scripts/test.mjs runs them all.
    exclude: ["test/workers/**", "test/runtimes/**", "test/consumer/**", "test/browser/**", "node_modules/**"],
    // Generous: a test's own bounds say what must hold; these only stop a stuck run, and a busy
    // 2-core machine can take several times an idle one's time (hooks included: vitest's default is 10 s).
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
