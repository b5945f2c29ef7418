/**
 * The example Worker of the Effect 3 line (examples/effect3/worker) under `wrangler dev`, exactly
 * as wrangler.toml wires it: no compatibility flags (so no Node.js compatibility), against the Clerk emulator
 * served from this process (the checks in support/wranglerDev.ts, shared with
 * effect4-wrangler-dev.test.ts); then the `npm start` demo, which serves the same Worker
 * (support/demo.ts), and the Worker under cold bursts (burst/suite.ts).
 */
import { root } from "./support/run.js"
import { wranglerDevSuite } from "./support/wranglerDev.js"
import { demoSuite } from "./support/demo.js"
import { deployDryRunSuite } from "./support/deploy.js"
import { coldBurstSuite } from "./burst/suite.js"

wranglerDevSuite({ config: "wrangler.toml", main: /^main = "examples\/effect3\/worker\/index\.ts"$/m, cwd: () => root })

demoSuite("effect3")

deployDryRunSuite("wrangler.toml")

coldBurstSuite("effect3")
