/**
 * The library suite on the Effect 4 line: the same test files as ../../vitest.config.ts, run by
 * this package's vitest 5 (Node >= 22) against its effect 4.1.5. Run from the repo root:
 *
 *   runtimes/node24/node_modules/node/bin/node lines/effect4/node_modules/vitest/vitest.mjs run -c lines/effect4/vitest.config.ts
 *
 * - The `effect4` condition picks `#line/*` and `#test-line/*` (package.json "imports") for this line.
 * - `effect`, `effect/*`, `@effect/vitest` and `vitest` resolve to the copies in
 *   lines/effect4/node_modules, wherever they are imported from (src/, test/, @effect/vitest):
 *   the root node_modules holds effect 3 and vitest 3, and two copies of `effect` in one run
 *   break TestClock and service tags.
 */
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL("../../", import.meta.url))
const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))
const nested = (path: string) => fileURLToPath(new URL(`./node_modules/${path}`, import.meta.url))
// effect's and @effect/vitest's "exports" are plain strings (no conditions), so resolving them
// as this package would gives the files Node itself loads for the nested copy.
const line = createRequire(new URL("./package.json", import.meta.url))

const conditions = ["effect4", ...defaultServerConditions]

export default defineConfig({
  root,
  plugins: [
    {
      name: "effect-clerk:effect4-line",
      enforce: "pre",
      resolveId(id) {
        if (id === "vitest") return nested("vitest/dist/index.js")
        if (/^(effect|@effect\/vitest)(\/|$)/.test(id)) return line.resolve(id)
        return null
      }
    }
  ],
  resolve: {
    conditions,
    // Examples and tests import the package by name, as users do; resolve it to the sources.
    alias: [
      { find: /^effect-clerk\/testing\/node$/, replacement: src("testing/node/index.ts") },
      { find: /^effect-clerk\/http$/, replacement: src("http/index.ts") },
      { find: /^effect-clerk\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-clerk$/, replacement: src("index.ts") }
    ]
  },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // As in ../../vitest.config.ts: these directories run under their own configs.
    exclude: ["test/workers/**", "test/runtimes/**", "test/consumer/**", "test/browser/**", "node_modules/**", "lines/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
