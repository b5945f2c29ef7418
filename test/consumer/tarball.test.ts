/**
 * What pack/effect-clerk-effect3.tgz holds: the package, its LICENSE and README, dist/ and the
 * sources its maps point at, and nothing repo-only (tests, examples, the `npm start` demo).
 * publint and @arethetypeswrong/cli (ESM only: node16 from ESM, bundler) must find nothing.
 */
import { readFileSync } from "node:fs"
import { join, posix } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, inject, it } from "vitest"
import { describeRun, run } from "./support.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const { tarball, apps } = inject("consumer")
/** The unpacked tarball, as npm installed it in an app. */
const installed = join(apps.latest.dir, "node_modules/effect-clerk")
const bin = (name: string) => join(root, "node_modules/.bin", name)

const entries = async () => {
  const result = await run("tar", ["-tzf", tarball], { cwd: root })
  expect(result.code, describeRun("tar -tzf", root, result)).toBe(0)
  return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, "")).sort()
}

describe("pack/effect-clerk-effect3.tgz", () => {
  it("holds LICENSE, README.md, package.json, dist/ and src/, and nothing repo-only", async () => {
    const files = await entries()
    expect([...new Set(files.map((f) => f.split("/")[0]))].sort()).toEqual(["LICENSE", "README.md", "dist", "package.json", "src"])
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/testing/index.js", "dist/testing/node/index.js", "dist/testing/node/bin/emulator.js", "dist/testing/node/bin/demoData.js"]) {
      expect(files).toContain(file)
    }
    // The `npm start` demo needs wrangler and a checkout: it stays out, in both dist/ and src/.
    expect(files.filter((f) => /\/bin\/demo(Worker)?\.|\.test\.|(^|\/)(test|examples|bench|scripts|runtimes)\//.test(f))).toEqual([])
    expect(files.filter((f) => /tsbuildinfo|\.DS_Store|\.env|\.dev\.vars/.test(f))).toEqual([])
  })

  it("ships the MIT LICENSE that package.json names", () => {
    const license = readFileSync(join(installed, "LICENSE"), "utf8")
    expect(license.split("\n")[0]).toBe("MIT License")
    expect(license).toContain("Copyright (c) 2026 effect-clerk contributors")
    expect(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).license).toBe("MIT")
  })

  it("ships exactly the sources its source and declaration maps point at (go to definition lands in src/)", async () => {
    const files = new Set(await entries())
    const maps = [...files].filter((f) => f.endsWith(".map"))
    expect(maps.length).toBeGreaterThan(40)
    const referenced = new Set<string>()
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), "utf8")) as { sources: Array<string> }
      for (const source of sources) {
        const path = posix.normalize(posix.join(posix.dirname(map), source))
        expect(files.has(path), `${map} → ${source}`).toBe(true)
        referenced.add(path)
      }
    }
    expect([...files].filter((f) => f.startsWith("src/") && !referenced.has(f))).toEqual([])
  })

  it("is clean under publint (suggestions included)", async () => {
    const result = await run(bin("publint"), ["run", tarball, "--level", "suggestion", "--strict"], { cwd: root, timeout: 60_000 })
    expect(result.code, describeRun("publint", root, result)).toBe(0)
    expect(result.stdout).toContain("All good!")
  })

  it("is clean under @arethetypeswrong/cli for ESM consumers (node16 from ESM, bundler)", async () => {
    const result = await run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "json"], { cwd: root, timeout: 60_000 })
    expect(result.code, describeRun("attw", root, result)).toBe(0)
    const { analysis } = JSON.parse(result.stdout)
    expect(Object.keys(analysis.entrypoints).sort()).toEqual([".", "./package.json", "./testing", "./testing/node"])
    for (const [entry, { resolutions }] of Object.entries<any>(analysis.entrypoints)) {
      for (const kind of ["node16-esm", "bundler"]) {
        expect(resolutions[kind].resolution?.fileName, `${entry} ${kind}`).toMatch(/\.(d\.ts|json)$/)
        expect(resolutions[kind].visibleProblems ?? [], `${entry} ${kind}`).toEqual([])
      }
    }
  })
})
