import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Examples and tests import the package by name, as users do; resolve it to the sources.
    alias: [
      { find: /^effect-clerk\/testing\/node$/, replacement: src("testing/node/index.ts") },
      { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-clerk$/, replacement: src("index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // test/workers runs inside workerd (vitest.workers.config.ts); test/runtimes drives other
    // runtimes from Node (vitest.runtimes.config.ts); test/consumer tests the packed tarball
    // (vitest.consumer.config.ts). scripts/test.mjs runs all three.
    exclude: ["test/workers/**", "test/runtimes/**", "test/consumer/**", "node_modules/**"],
    testTimeout: 30_000
  }
})
