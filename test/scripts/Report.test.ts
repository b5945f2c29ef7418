/**
 * scripts/report.mjs: how `npm test` reads vitest's JSON report into the summary counts and the
 * list of failed names printed after the summary, checked on fabricated reports.
 */
import { describe, expect, it } from "vitest"
import { failureLines, type JsonReport, readReport } from "../../scripts/report.mjs"

const root = "/repo"
const passed = (ancestorTitles: Array<string>, title: string) => ({ ancestorTitles, title, status: "passed" })
const failed = (ancestorTitles: Array<string>, title: string) => ({ ancestorTitles, title, status: "failed" })

const report: JsonReport = {
  testResults: [
    {
      name: "/repo/test/reliability/Soak.test.ts",
      status: "failed",
      message: "",
      assertionResults: [passed(["soak"], "warm-up"), failed(["soak", "under load"], "2000 calls end in time")]
    },
    { name: "/repo/test/Sessions.test.ts", status: "passed", message: "", assertionResults: [passed([], "a"), passed([], "b")] },
    {
      name: "/repo/test/Broken.test.ts",
      status: "failed",
      message: "Failed to load url ./missing.js (resolved id: ./missing.js)\n    at loadAndTransform",
      assertionResults: []
    }
  ]
}

describe("readReport", () => {
  it("counts passes and failures, and names each failed test by file and full title", () => {
    const { failures, tally } = readReport(report, { name: "node20", status: 1, root })
    expect([...tally]).toEqual([["node20", { passed: 3, failed: 2 }]])
    expect(failures.get("node20")).toEqual([
      "test/reliability/Soak.test.ts > soak > under load > 2000 calls end in time",
      "test/Broken.test.ts: failed to load or crashed: Failed to load url ./missing.js (resolved id: ./missing.js)"
    ])
  })

  it("by file: each failure goes to the runtime its file is named after", () => {
    const byFile: JsonReport = {
      testResults: [
        { name: "/repo/test/runtimes/deno.test.ts", status: "failed", assertionResults: [failed(["deno"], "examples/deno.ts runs")] },
        { name: "/repo/test/runtimes/bun.test.ts", status: "passed", assertionResults: [passed(["bun"], "examples/bun.ts runs")] }
      ]
    }
    const { failures, tally } = readReport(byFile, {
      name: "runtimes",
      status: 1,
      root,
      runtimeOf: (file) => file.replace(/^.*\/(\w+)\.test\.ts$/, "$1")
    })
    expect(Object.fromEntries(tally)).toEqual({ deno: { passed: 0, failed: 1 }, bun: { passed: 1, failed: 0 } })
    expect(Object.fromEntries(failures)).toEqual({ deno: ["test/runtimes/deno.test.ts > deno > examples/deno.ts runs"] })
  })

  it("a run that exited non-zero with every test passing (an unhandled error, a crashed worker) is one failure, named", () => {
    const clean: JsonReport = { testResults: [report.testResults[1]] }
    const { failures, tally } = readReport(clean, { name: "bun", status: 1, root })
    expect(tally.get("bun")).toEqual({ passed: 2, failed: 1 })
    expect(failures.get("bun")).toEqual([
      "bun: vitest exited with code 1 without a failing test (an unhandled error or a crashed worker; see its output above)"
    ])
    // Exit code 0 and all passed: nothing to list.
    expect(readReport(clean, { name: "bun", status: 0, root }).failures.size).toBe(0)
  })

  it("no report at all (vitest killed, or it never started) is a failure of the owner, with the exit code", () => {
    const { failures, tally } = readReport(undefined, { name: "runtimes", owner: "wrangler-dev", status: 137, root })
    expect(tally.get("wrangler-dev")).toEqual({ passed: 0, failed: 1 })
    expect(failures.get("wrangler-dev")).toEqual(["runtimes: no JSON report (vitest exited with code 137; see its output above)"])
    expect(readReport({ testResults: [] }, { name: "deno", status: 1, root }).failures.get("deno")).toEqual([
      "deno: the report lists no test file (vitest exited with code 1)"
    ])
  })
})

describe("failureLines", () => {
  it("lists nothing when nothing failed, else every failure under its runtime in summary order", () => {
    expect(failureLines(new Map(), ["node20"])).toEqual([])
    expect(failureLines(new Map([["node20", []]]), ["node20"])).toEqual([])
    const lines = failureLines(
      new Map([["deno", ["test/A.test.ts > a"]], ["node20", ["test/B.test.ts > b", "test/C.test.ts > c"]]]),
      ["typecheck", "node20", "deno"]
    )
    expect(lines).toEqual(["", "failed:", "  node20: test/B.test.ts > b", "  node20: test/C.test.ts > c", "  deno: test/A.test.ts > a"])
  })
})
