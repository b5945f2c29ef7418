/**
 * test/consumer: the packed tarballs (`npm run pack`) as an application installs them. The
 * globalSetup packs once and installs each line's tarball into fresh app folders under
 * os.tmpdir() (effect 3: the newest and the oldest effect / @effect/platform the peer ranges
 * allow; effect 4: the newest effect 4); the tests type-check, run and test consumer code there.
 * No aliases: nothing here resolves to src/. CONSUMER_LINE=effect3 or effect4 runs one line
 * (unset: both); `npm test` runs one per line and counts them as `consumer-effect3` and
 * `consumer-effect4`. The Effect 4 app's vitest needs Node 24 (runtimes/node24, or CONSUMER_NODE24).
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
