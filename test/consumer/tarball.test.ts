/**
 * What each line's tarball (pack/effect-clerk-<line>.tgz) holds: a package named effect-clerk
 * with the line's version and peers, its LICENSE and README, dist/ (that line's facades only,
 * no `#` import specifiers left) and the sources its maps point at, and nothing repo-only
 * (tests, examples, the `npm start` demo, the other line's facades, the repo's "imports",
 * scripts and devDependencies). publint and @arethetypeswrong/cli (ESM only: node16 from ESM,
 * bundler) must find nothing.
 */
import { readFileSync } from "node:fs"
import { join, posix } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, inject, it } from "vitest"
import { describeRun, type Line, LINES, run } from "./support.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const { tarballs, apps } = inject("consumer")
const bin = (name: string) => join(root, "node_modules/.bin", name)

/** The package.json each line publishes: the root's package, with the line's version and peers. */
const EXPECTED: Record<Line, { readonly version: string; readonly peerDependencies: Record<string, string> }> = {
  effect3: { version: pkg.version, peerDependencies: { "effect": "^3.22.0", "@effect/platform": "^0.97.0" } },
  // The next major (scripts/pack.mjs): 0.x → 1.0.0.
  effect4: { version: `${Number(pkg.version.split(".")[0]) + 1}.0.0`, peerDependencies: { effect: "^4.1.0" } }
}

describe.each(LINES.filter((line) => tarballs[line] !== undefined))("pack/effect-clerk-%s.tgz", (line) => {
  const tarball = tarballs[line]!
  const other = LINES.filter((l) => l !== line)
  /** The unpacked tarball, as npm installed it in the line's app. */
  const installed = join(apps.find((app) => app.line === line && app.name === "latest")!.dir, "node_modules/effect-clerk")

  const entries = async () => {
    const result = await run("tar", ["-tzf", tarball], { cwd: root })
    expect(result.code, describeRun("tar -tzf", root, result)).toBe(0)
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, "")).sort()
  }

  it("is effect-clerk at the line's version with the line's peers, the root's exports and bin, and no repo-only fields", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))
    expect(manifest).toMatchObject({
      name: "effect-clerk",
      version: EXPECTED[line].version,
      type: "module",
      sideEffects: false,
      license: "MIT",
      exports: pkg.exports,
      bin: pkg.bin,
      engines: pkg.engines,
      dependencies: pkg.dependencies,
      keywords: pkg.keywords,
      repository: pkg.repository,
      homepage: pkg.homepage,
      bugs: pkg.bugs
    })
    expect(manifest.keywords).toContain("effect")
    expect(manifest.repository.url).toMatch(/^git\+https:\/\//)
    expect(manifest.peerDependencies).toEqual(EXPECTED[line].peerDependencies)
    for (const field of ["imports", "scripts", "devDependencies", "allowScripts", "workspaces"]) expect(manifest[field], field).toBeUndefined()
    for (const o of other) {
      expect(manifest.files).toContain(`!dist/line/${o}`)
      expect(manifest.files).toContain(`!src/line/${o}`)
    }
  })

  it("holds LICENSE, README.md, package.json, dist/ and src/ of its own line, and nothing repo-only", async () => {
    const files = await entries()
    expect([...new Set(files.map((f) => f.split("/")[0]))].sort()).toEqual(["LICENSE", "README.md", "dist", "package.json", "src"])
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/testing/index.js", "dist/testing/node/index.js", "dist/testing/node/bin/emulator.js", "dist/testing/node/bin/demoData.js"]) {
      expect(files).toContain(file)
    }
    // The `npm start` demo needs wrangler and a checkout: it stays out, in both dist/ and src/.
    expect(files.filter((f) => /\/bin\/demo(Worker)?\.|\.test\.|(^|\/)(test|examples|demo|bench|scripts|runtimes)\//.test(f))).toEqual([])
    expect(files.filter((f) => /tsbuildinfo|\.DS_Store|\.env|\.dev\.vars/.test(f))).toEqual([])
    // This line's facades, in dist/ and src/, and not the other line's.
    for (const dir of ["dist", "src"]) {
      expect(files.filter((f) => f.startsWith(`${dir}/line/${line}/`)).length, `${dir}/line/${line}`).toBeGreaterThan(5)
      for (const o of other) expect(files.filter((f) => f.startsWith(`${dir}/line/${o}/`)), `${dir}/line/${o}`).toEqual([])
    }
  })

  it("ships a README for users of this line: its install command and its own quick start, none of the repository's contributor material", () => {
    const readme = readFileSync(join(installed, "README.md"), "utf8")
    const quickstart = readFileSync(join(root, "examples", line, "quickstart.ts"), "utf8")
    expect(readme).toContain("```ts\n" + quickstart + "```")
    expect(readme).toContain(line === "effect4" ? "npm i effect-clerk@^1 effect@^4.1.0\n" : "npm i effect-clerk@^0 effect@^3.22.0 @effect/platform@^0.97.0\n")
    expect(readme).toContain(`This is the **${line === "effect4" ? "Effect 4" : "Effect 3"} line** of effect-clerk (effect-clerk@${EXPECTED[line].version}).`)
    // The quick start in this line's spelling only.
    expect(readme.includes('from "@effect/platform"')).toBe(line === "effect3")
    expect(readme.includes('from "effect/http"')).toBe(line === "effect4")
    for (const repoOnly of ["npm ci", "npm start", "npm test", "npm run pack", "Contributing", "lines/effect4", "{{"]) {
      expect(readme, repoOnly).not.toContain(repoOnly)
    }
    expect(readme).toContain(pkg.homepage)
    expect(readme).toContain(pkg.bugs.url)
  })

  it("documents every export `@since` the line's own version (the Effect 4 tarball says 1.0.0, not 0.1.0)", async () => {
    const typings = (await entries()).filter((f) => /^(dist\/.*\.d\.ts|src\/.*\.ts)$/.test(f))
    const since = typings.flatMap((f) => [...readFileSync(join(installed, f), "utf8").matchAll(/@since (\S+)/g)].map((m) => m[1]))
    // Every public export carries one (scripts/docs.mjs checks the sources); the declarations
    // repeat them, so well over a hundred.
    expect(since.length).toBeGreaterThan(200)
    expect([...new Set(since)]).toEqual([EXPECTED[line].version])
    const index = readFileSync(join(installed, "dist/Sessions.d.ts"), "utf8")
    expect(index).toContain(`@since ${EXPECTED[line].version}`)
  })

  it("needs no package.json imports: no `#` specifier is left in any shipped .js or .d.ts", async () => {
    const code = (await entries()).filter((f) => /^dist\/.*\.(js|d\.ts)$/.test(f))
    expect(code.length).toBeGreaterThan(40)
    const hashed = code.filter((f) => /(\bfrom\s*|\bimport\s*\(\s*)["']#/.test(readFileSync(join(installed, f), "utf8")))
    expect(hashed).toEqual([])
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
    expect(analysis.packageName).toBe("effect-clerk")
    expect(analysis.packageVersion).toBe(EXPECTED[line].version)
    expect(Object.keys(analysis.entrypoints).sort()).toEqual([".", "./http", "./package.json", "./testing", "./testing/node"])
    for (const [entry, { resolutions }] of Object.entries<any>(analysis.entrypoints)) {
      for (const kind of ["node16-esm", "bundler"]) {
        expect(resolutions[kind].resolution?.fileName, `${entry} ${kind}`).toMatch(/\.(d\.ts|json)$/)
        expect(resolutions[kind].visibleProblems ?? [], `${entry} ${kind}`).toEqual([])
      }
    }
  })
})
