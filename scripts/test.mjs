#!/usr/bin/env node
// `npm test`: type-check, then every suite on every runtime, one summary line per runtime
// ("node20: N passed, M failed") and a last line over all of them. Exits non-zero on any failure.
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const out = join(root, ".test-results")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const run = (cmd, args, opts = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...opts.env }, timeout: opts.timeout ?? 600_000 })

const results = []

const tsc = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--noEmit"])
results.push({ name: "typecheck", passed: 0, failed: tsc.status === 0 ? 0 : 1 })

/** Run vitest (under some runtime) with a JSON report and count its tests. */
const vitest = (name, cmd, args, opts) => {
  const file = join(out, `${name}.json`)
  const res = run(cmd, [...args, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`], opts)
  let passed = 0
  let failed = 0
  try {
    const report = JSON.parse(readFileSync(file, "utf8"))
    passed = report.numPassedTests
    failed = report.numFailedTests + (report.numTotalTestSuites > 0 && report.numTotalTests === 0 ? 1 : 0)
    // A suite that failed to load counts as a failure even when no test in it ran.
    failed += report.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length
  } catch {
    failed = 1
  }
  if (res.status !== 0 && failed === 0) failed = 1
  results.push({ name, passed, failed })
}

vitest("node20", process.execPath, [join(root, "node_modules/vitest/vitest.mjs")])

console.log("")
let passed = 0
let failed = 0
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed`)
  passed += r.passed
  failed += r.failed
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && passed > 0 ? 0 : 1)
