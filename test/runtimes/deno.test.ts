/**
 * Deno, both ways a Deno user gets packages: from node_modules (after `npm ci`), and from
 * npm: specifiers through deno.json's import map with Deno's own npm client and cache
 * (`--node-modules-dir=none`), fed by a local registry so no test touches the internet.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bundleExample } from "./support/nodeExample.js"
import { startNpmRegistry, type LocalRegistry } from "./support/npmRegistry.js"
import { bin, expectedExampleOutput, root, run } from "./support/run.js"

const deno = bin("deno")
const permissions = ["--allow-net=127.0.0.1", "--allow-env", "--allow-read"]
const denoEnv = { DENO_NO_UPDATE_CHECK: "1" }

const expectExampleRan = (result: { code: number | null; lines: ReadonlyArray<string>; stderr: string }) => {
  expect(result.stderr).not.toMatch(/error|warning/i)
  expect(result.code).toBe(0)
  expect(result.lines).toHaveLength(expectedExampleOutput.length)
  const ids = result.lines.map((line, i) => {
    expect(line).toMatch(expectedExampleOutput[i])
    return expectedExampleOutput[i].exec(line)?.[1]
  })
  // list, get and revoke talk about the same session.
  expect(new Set(ids.filter(Boolean)).size).toBe(1)
}

const resolutions = (lines: ReadonlyArray<string>) =>
  Object.fromEntries(lines.map((line) => line.split(" -> ") as [string, string]))

describe("Deno with packages from node_modules", () => {
  it("runs examples/effect3/deno.ts against its emulator", async () => {
    expectExampleRan(await run(deno, ["run", ...permissions, "examples/effect3/deno.ts"], { env: denoEnv }))
  })

  it("runs examples/effect4/deno.ts (the Effect 4 line, bundled with effect 4) against its emulator", async () => {
    const bundle = await bundleExample("deno-effect4", { line: "effect4", runtime: "deno" })
    expectExampleRan(await run(deno, ["run", ...permissions, bundle], { env: denoEnv }))
  })

  it("resolves the npm packages to node_modules and effect-clerk to src/", async () => {
    const result = await run(deno, ["run", ...permissions, "test/runtimes/deno-resolve.ts"], { env: denoEnv })
    expect(result.code).toBe(0)
    const resolved = resolutions(result.lines)
    expect(resolved["effect"]).toMatch(new RegExp(`^file://${root}node_modules/effect/`))
    expect(resolved["@effect/platform/HttpClient"]).toMatch(
      new RegExp(`^file://${root}node_modules/@effect/platform/.*HttpClient\\.js$`)
    )
    expect(resolved["jose"]).toMatch(new RegExp(`^file://${root}node_modules/jose/`))
    expect(resolved["effect-clerk"]).toBe(`file://${root}src/index.ts`)
  })

  it("type-checks examples/effect3/deno.ts against Deno's own types", async () => {
    const result = await run(deno, ["check", "examples/effect3/deno.ts"], { env: denoEnv })
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.code).toBe(0)
  })
})

describe("Deno with npm: specifiers (deno.json import map, Deno's npm cache, no node_modules)", () => {
  let registry: LocalRegistry
  let denoDir: string
  const npmEnv = () => ({ ...denoEnv, NPM_CONFIG_REGISTRY: `${registry.url}/`, DENO_DIR: denoDir })

  beforeAll(async () => {
    registry = await startNpmRegistry(root.replace(/\/$/, ""), ["effect", "@effect/platform", "jose"], join(root, ".tmp/npm-registry"))
    denoDir = mkdtempSync(join(tmpdir(), "effect-clerk-deno-"))
  })
  afterAll(async () => {
    await registry?.close()
    if (denoDir) rmSync(denoDir, { recursive: true, force: true })
  })

  it("runs examples/effect3/deno.ts, fetching the pinned versions through Deno's npm client", async () => {
    const result = await run(deno, ["run", "--node-modules-dir=none", ...permissions, "examples/effect3/deno.ts"], {
      env: npmEnv(),
      timeoutMs: 120_000
    })
    expectExampleRan(result)
    expect(registry.requested).toContain("/effect")
    expect(registry.requested).toContain("/@effect/platform")
    expect(registry.requested).toContain("/-/tarballs/effect-3.22.4.tgz")
  })

  it("resolves the npm packages to Deno's cache, not node_modules", async () => {
    const result = await run(deno, ["run", "--node-modules-dir=none", ...permissions, "test/runtimes/deno-resolve.ts"], {
      env: npmEnv()
    })
    expect(result.code).toBe(0)
    const resolved = resolutions(result.lines)
    // Deno keeps a registry's packages under DENO_DIR/npm/<a folder named after the registry>/.
    const cache = `file://${denoDir}/npm/[^/]*${new URL(registry.url).port}`
    expect(resolved["effect"]).toMatch(new RegExp(`^${cache}/effect/3\\.22\\.4/`))
    expect(resolved["@effect/platform/HttpClient"]).toMatch(new RegExp(`^${cache}/@effect/platform/0\\.97\\.2/`))
    expect(resolved["jose"]).toMatch(new RegExp(`^${cache}/jose/`))
    expect(resolved["effect-clerk"]).toBe(`file://${root}src/index.ts`)
  })

  it("deno.json's import map pins exactly the versions package.json installs", () => {
    const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"))
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    const pins = { ...pkg.devDependencies, ...pkg.dependencies }
    for (const name of ["effect", "@effect/platform", "jose"]) {
      expect(denoJson.imports[name]).toBe(`npm:${name}@${pins[name]}`)
    }
    expect(denoJson.imports["effect/"]).toBe(`npm:/effect@${pins.effect}/`)
    expect(denoJson.imports["@effect/platform/"]).toBe(`npm:/@effect/platform@${pins["@effect/platform"]}/`)
  })
})
