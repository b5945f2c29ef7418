/** examples/effect3/node.ts on Node 24 (runtimes/node24; `npm test` installs it with npm ci --prefix). */
import { describe, expect, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { bundleExample, bundleNodeExample } from "./support/nodeExample.js"
import { expectedExampleOutput, root, run } from "./support/run.js"

const node24 = join(root, "runtimes/node24/node_modules/node/bin/node")

describe("Node 24", () => {
  it("is installed in runtimes/node24", async () => {
    expect(existsSync(node24), "run: npm ci --prefix runtimes/node24").toBe(true)
    expect((await run(node24, ["--version"])).stdout.trim()).toMatch(/^v24\./)
  })

  it("runs examples/effect3/node.ts against its emulator (node:http)", async () => {
    const result = await run(node24, [await bundleNodeExample("node24")])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })

  it("runs examples/effect4/node.ts (the Effect 4 line, effect 4 and effect/http) against its emulator", async () => {
    const result = await run(node24, [await bundleExample("node24-effect4", { line: "effect4" })])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })
})
