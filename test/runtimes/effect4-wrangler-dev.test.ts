/**
 * The Effect 4 line's example Worker under `wrangler dev` (wrangler.effect4.toml:
 * examples/effect4/worker, bundled by scripts/worker.mjs with effect 4 from lines/effect4 and the
 * library's effect4 facades, as scripts/lines.mjs picks them), no compatibility flags, against the Clerk emulator
 * served from this process: the same checks as wrangler-dev.test.ts (support/wranglerDev.ts);
 * then `npm run start:effect4` (support/demo.ts) and the cold bursts (burst/suite.ts).
 *
 * `startDemoWorker` runs `<cwd>/node_modules/.bin/wrangler dev` on `<cwd>/wrangler.toml`; the
 * cwd here is a scratch directory whose wrangler.toml is wrangler.effect4.toml with its paths
 * made absolute, and whose node_modules is the checkout's.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { root } from "./support/run.js"
import { wranglerDevSuite } from "./support/wranglerDev.js"
import { demoSuite } from "./support/demo.js"
import { deployDryRunSuite } from "./support/deploy.js"
import { coldBurstSuite } from "./burst/suite.js"

const CONFIG = "wrangler.effect4.toml"
const MAIN = ".wrangler/effect4-worker/index.js"
const BUILD = "scripts/worker.mjs"
const WATCHED = ["examples/effect4/worker", "examples/common", "src"]
const tomlList = (items: ReadonlyArray<string>) => `[${items.map((item) => JSON.stringify(item)).join(", ")}]`

let scratch: string | undefined
const cwd = () => {
  scratch = mkdtempSync(join(tmpdir(), "effect-clerk-effect4-worker-"))
  const toml = readFileSync(join(root, CONFIG), "utf8")
    .replace(`main = "${MAIN}"`, `main = ${JSON.stringify(join(root, MAIN))}`)
    .replace(`command = "node ${BUILD}"`, `command = ${JSON.stringify(`node ${join(root, BUILD)}`)}`)
    .replace(`watch_dir = ${tomlList(WATCHED)}`, `watch_dir = ${tomlList(WATCHED.map((dir) => join(root, dir)))}`)
  if (!toml.includes(join(root, MAIN)) || !toml.includes(join(root, BUILD)) || !toml.includes(join(root, WATCHED[0]))) {
    throw new Error(`${CONFIG} no longer has the main / build lines this test rewrites`)
  }
  writeFileSync(join(scratch, "wrangler.toml"), toml)
  symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"))
  return scratch
}
afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
})

wranglerDevSuite({ config: CONFIG, main: /^main = "\.wrangler\/effect4-worker\/index\.js"$/m, cwd })

describe("the bundle wrangler dev served", () => {
  it("is the Effect 4 line: effect 4's HTTP client, none of effect 3's or @effect/platform's", () => {
    const bundle = readFileSync(join(root, MAIN), "utf8")
    // FetchHttpClient.Fetch's key, which the library looks the service up by, on each line.
    expect(bundle).toContain(`"effect/http/FetchHttpClient/Fetch"`)
    expect(bundle).not.toContain(`"@effect/platform/FetchHttpClient/Fetch"`)
  })
})

demoSuite("effect4")

deployDryRunSuite("wrangler.effect4.toml")

coldBurstSuite("effect4")
