import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { VERSION } from "../src/internal/version.js"
import { findCycles } from "../scripts/cycles.mjs"

const root = fileURLToPath(new URL("../", import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

describe("package", () => {
  it("is an ESM, side-effect-free package with . and ./testing entry points", () => {
    expect(pkg.name).toBe("effect-clerk")
    expect(pkg.type).toBe("module")
    expect(pkg.sideEffects).toBe(false)
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" })
    expect(pkg.exports["./testing"]).toEqual({ types: "./dist/testing/index.d.ts", import: "./dist/testing/index.js" })
  })

  it("has effect and @effect/platform as peer ranges (^3.22.0, ^0.97.0) and every dev dependency pinned exactly", () => {
    expect(pkg.peerDependencies).toEqual({ "effect": "^3.22.0", "@effect/platform": "^0.97.0" })
    expect(pkg.dependencies.effect).toBeUndefined()
    expect(pkg.dependencies["@effect/schema"]).toBeUndefined()
    expect(pkg.devDependencies["@effect/schema"]).toBeUndefined()
    // The versions this repo develops and tests against, inside the ranges users get.
    expect(pkg.devDependencies.effect).toMatch(/^3\.(2[2-9]|[3-9]\d)\.\d+$/)
    expect(pkg.devDependencies["@effect/platform"]).toMatch(/^0\.97\.\d+$/)
    const loose = Object.entries<string>(pkg.devDependencies).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v))
    expect(loose).toEqual([])
  })


  it("is self-contained: no source, test, bench or script names a path outside the repository", () => {
    // A clone has nothing beside it: every relative specifier (import, new URL, a read) must
    // resolve inside the checkout.
    const files = ["src", "test", "bench", "scripts", "examples", "demo", "runtimes", ".ci"]
      .flatMap((dir) => walk(join(root, dir)))
      .filter((path) => !path.includes("node_modules") && /\.(ts|tsx|mts|mjs|js|json|toml)$|\/run$/.test(path))
    const outside: Array<string> = []
    for (const file of files) {
      const text = readFileSync(file, "utf8")
      for (const match of text.matchAll(/["'`]((?:\.\.\/)+[^"'`\s]*)["'`]/g)) {
        const target = join(file, "..", match[1])
        if (relative(root, target).startsWith("..")) outside.push(`${relative(root, file)}: ${match[1]}`)
      }
    }
    expect(outside).toEqual([])
  })

  it("has no import cycle in src/ on either line, type-only imports included (scripts/cycles.mjs)", () => {
    for (const line of ["effect3", "effect4"] as const) {
      const { cycles, modules } = findCycles(line)
      expect(modules).toBeGreaterThan(50)
      expect(cycles.map((cycle) => cycle.join(" → ")), line).toEqual([])
    }
  })

  it("sends its own version in the User-Agent", () => {
    expect(VERSION).toBe(pkg.version)
  })

  it("keeps src/ portable: no node: or Node built-in imports outside the Node adapters", () => {
    const offenders = walk(join(root, "src"))
      .filter((file) => /\.ts$/.test(file))
      .map((file) => relative(root, file))
      .filter((file) => !file.startsWith("src/testing/node/"))
      .filter((file) =>
        /from\s+["'](node:|fs|path|crypto|http|https|net|os|buffer|child_process|util)["'/]/.test(
          readFileSync(join(root, file), "utf8")
        )
      )
    expect(offenders).toEqual([])
  })
})
