// Reading vitest's JSON report for `npm test` (scripts/test.mjs): pass/fail counts per runtime
// and the names of what failed, so a failure on a busy machine is never only a number.
// Tested by test/scripts/report.test.ts against fabricated reports.
import { relative } from "node:path"

/**
 * Tally one vitest run. `report` is the parsed JSON report (or undefined when there is none),
 * `status` vitest's exit code, `runtimeOf(file)` the runtime a test file counts toward, `owner`
 * the runtime a failure of the whole run counts toward (default `name`, the run's label).
 * Returns `{ tally, failures }`: runtime → { passed, failed }, and runtime → failed names
 * ("test/Foo.test.ts > describe > test"), one per counted failure.
 */
export const readReport = (report, { name, status, root, owner = name, runtimeOf = () => owner }) => {
  const tally = new Map()
  const failures = new Map()
  const fail = (runtime, what) => {
    const t = tally.get(runtime) ?? { passed: 0, failed: 0 }
    tally.set(runtime, { ...t, failed: t.failed + 1 })
    failures.set(runtime, [...(failures.get(runtime) ?? []), what])
  }
  if (report === undefined || !Array.isArray(report.testResults)) {
    fail(owner, `${name}: no JSON report (vitest exited with code ${status}; see its output above)`)
    return { tally, failures }
  }
  for (const suite of report.testResults) {
    const file = relative(root, suite.name)
    const runtime = runtimeOf(suite.name)
    const t = tally.get(runtime) ?? { passed: 0, failed: 0 }
    tally.set(runtime, t)
    const assertions = suite.assertionResults ?? []
    t.passed += assertions.filter((a) => a.status === "passed").length
    for (const a of assertions.filter((a) => a.status === "failed")) {
      fail(runtime, [file, ...(a.ancestorTitles ?? []), a.title].join(" > "))
    }
    // A file that failed to load counts as a failure even when no test in it ran.
    if (suite.status === "failed" && assertions.every((a) => a.status !== "failed")) {
      fail(runtime, `${file}: failed to load or crashed${firstLine(suite.message)}`)
    }
  }
  if (tally.size === 0) fail(owner, `${name}: the report lists no test file (vitest exited with code ${status})`)
  // vitest failed without a failing test (an unhandled error, a crashed worker): still a failure.
  else if (status !== 0 && [...tally.values()].every((t) => t.failed === 0)) {
    fail(tally.keys().next().value, `${name}: vitest exited with code ${status} without a failing test (an unhandled error or a crashed worker; see its output above)`)
  }
  return { tally, failures }
}

const firstLine = (message) => {
  const line = typeof message === "string" ? message.trim().split("\n")[0] : ""
  return line === "" ? "" : `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`
}

/** The lines `npm test` prints after its summary: nothing when nothing failed. */
export const failureLines = (failures, order) => {
  const names = [...new Set([...order, ...failures.keys()])].filter((n) => (failures.get(n) ?? []).length > 0)
  if (names.length === 0) return []
  return ["", "failed:", ...names.flatMap((n) => failures.get(n).map((what) => `  ${n}: ${what}`))]
}
