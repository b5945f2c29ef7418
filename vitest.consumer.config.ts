/**
 * test/consumer: the packed tarball (`npm run pack`) as an application installs it. The
 * globalSetup packs once and installs the tarball into fresh app folders under os.tmpdir()
 * (the newest and the oldest effect / @effect/platform the peer ranges allow); the tests
 * type-check, run and test consumer code there. No aliases: nothing here resolves to src/.
 * `npm test` counts it as `consumer-effect3`.
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/consumer/*.test.ts"],
    globalSetup: ["test/consumer/setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // Each test starts tsc, node or vitest in an app folder; one file at a time keeps a 2-core machine usable.
    fileParallelism: false
  }
})
