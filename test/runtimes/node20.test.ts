/** examples/node.ts, bundled as its header says, on this Node (20). */
import { describe, expect, it } from "@effect/vitest"
import { bundleNodeExample } from "./support/nodeExample.js"
import { expectedExampleOutput, run } from "./support/run.js"

describe("Node 20", () => {
  it("runs examples/node.ts against its emulator (node:http)", async () => {
    const result = await run(process.execPath, [await bundleNodeExample("node20")])
    expect(process.version).toMatch(/^v20\./)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })
})
