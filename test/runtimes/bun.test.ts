/** examples/effect3/bun.ts on Bun, straight from TypeScript (Bun reads tsconfig's paths). */
import { describe, expect, it } from "@effect/vitest"
import { bundleExample } from "./support/nodeExample.js"
import { bin, expectedExampleOutput, run } from "./support/run.js"

describe("Bun", () => {
  it("runs examples/effect3/bun.ts against its emulator (Bun.serve)", async () => {
    const result = await run(bin("bun"), ["run", "examples/effect3/bun.ts"])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })

  it("runs examples/effect4/bun.ts (the Effect 4 line) against its emulator (Bun.serve)", async () => {
    const result = await run(bin("bun"), ["run", await bundleExample("bun-effect4", { line: "effect4", runtime: "bun" })])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })
})
