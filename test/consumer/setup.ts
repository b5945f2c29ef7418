/**
 * globalSetup of the consumer suite: `npm run pack` once, then one app folder per entry of
 * APPS under os.tmpdir() (outside this checkout, so nothing resolves to the sources), each
 * with the tarball installed by a plain `npm install` next to its effect and @effect/platform.
 * The tests share these installs. KEEP_CONSUMER_APPS=1 keeps the folders for a look.
 */
import type { TestProject } from "vitest/node"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { APPS, type AppName, type ConsumerApp, describeRun, run, runOk } from "./support.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const INSTALL_TIMEOUT = 240_000

/** The oldest versions the peer ranges allow (`^3.22.0`, `^0.97.0`). */
const OLDEST = { effect: "3.22.0", platform: "0.97.0" }

/** The newest version of `spec` the registry serves (`npm view`), or `spec` itself if npm cannot say. */
const newest = async (spec: string, dir: string): Promise<string> => {
  const result = await run("npm", ["view", spec, "version", "--json"], { cwd: dir, timeout: 60_000 })
  try {
    const versions: Array<string> = [JSON.parse(result.stdout)].flat()
    // npm lists matching versions in publication order, not semver order.
    const key = (v: string) => v.split(/[.-]/).slice(0, 3).map((n) => n.padStart(6, "0")).join(".")
    return versions.sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0).at(-1)!
  } catch {
    return spec.slice(spec.lastIndexOf("@") + 1)
  }
}

const compilerOptions = {
  strict: true,
  skipLibCheck: false,
  target: "ES2022",
  lib: ["ES2022", "DOM", "DOM.Iterable"],
  types: ["node"]
}
/** Every .d.ts the package ships is part of the program, not only those the app reaches. */
const sources = { include: ["program.ts", "app.test.ts", "node_modules/effect-clerk/dist/**/*.d.ts"], exclude: [] }

const writeApp = (dir: string, tarball: string, effect: string, platform: string) => {
  const dev = pkg.devDependencies
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "effect-clerk-consumer",
        private: true,
        type: "module",
        dependencies: { "effect-clerk": `file:${tarball}`, effect, "@effect/platform": platform },
        devDependencies: {
          "typescript": dev.typescript,
          "@types/node": dev["@types/node"],
          "vitest": dev.vitest,
          "@effect/vitest": dev["@effect/vitest"]
        },
        allowScripts: { "esbuild": true, "msgpackr-extract": false }
      },
      null,
      2
    )
  )
  writeFileSync(
    join(dir, "tsconfig.nodenext.json"),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out", noEmitOnError: true },
      ...sources
    })
  )
  writeFileSync(
    join(dir, "tsconfig.bundler.json"),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler", noEmit: true },
      ...sources
    })
  )
  // effect-clerk and effect-clerk/testing need no Node types (Workers, Deno, Bun); only /testing/node does.
  writeFileSync(
    join(dir, "tsconfig.portable.json"),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, types: [], module: "ESNext", moduleResolution: "Bundler", noEmit: true },
      include: ["portable.ts", ...["", "internal/", "testing/", "testing/internal/"].map((d) => `node_modules/effect-clerk/dist/${d}*.d.ts`)],
      exclude: []
    })
  )
  writeFileSync(join(dir, "vitest.config.mjs"), `export default { test: { include: ["app.test.ts"] } }\n`)
  for (const file of ["program.ts", "app.test.ts", "portable.ts"]) copyFileSync(join(root, "test/consumer/app", file), join(dir, file))
}

/** A failure worth one more try: the network or the registry, not a resolution conflict. */
const transient = (text: string) => /ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ECONNREFUSED|socket hang up|E50\d|E429/.test(text)

const install = async (dir: string) => {
  const args = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-update-notifier"]
  for (let attempt = 1;; attempt++) {
    const result = await run("npm", args, { cwd: dir, timeout: INSTALL_TIMEOUT })
    if (result.code === 0) return
    if (attempt === 2 || !(result.timedOut || transient(result.stderr))) {
      throw new Error(describeRun(`npm ${args.join(" ")} (attempt ${attempt})`, dir, result))
    }
    rmSync(join(dir, "node_modules"), { recursive: true, force: true })
    rmSync(join(dir, "package-lock.json"), { force: true })
  }
}

const installed = (dir: string, name: string): string =>
  JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version

export default async function setup(project: TestProject) {
  await runOk("npm run pack", process.execPath, [join(root, "scripts/pack.mjs"), "effect3"], { cwd: root, timeout: 300_000 })
  const tarball = join(root, "pack/effect-clerk-effect3.tgz")

  const dirs: Array<string> = []
  const make = async (name: AppName): Promise<ConsumerApp> => {
    const dir = mkdtempSync(join(tmpdir(), `effect-clerk-consumer-${name}-`))
    dirs.push(dir)
    const [effect, platform] = name === "oldest"
      ? [OLDEST.effect, OLDEST.platform]
      : await Promise.all([newest("effect@^3.22.0", dir), newest("@effect/platform@^0.97.0", dir)])
    writeApp(dir, tarball, effect, platform)
    await install(dir)
    return { name, dir, effect: installed(dir, "effect"), platform: installed(dir, "@effect/platform") }
  }
  const teardown = () => {
    if (process.env.KEEP_CONSUMER_APPS === "1") console.log(`consumer apps kept: ${dirs.join(" ")}`)
    else for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  // allSettled: a failed install must not remove a folder the other npm is still writing to.
  const settled = await Promise.allSettled(APPS.map(make))
  const failure = settled.find((s) => s.status === "rejected")
  if (failure !== undefined) {
    teardown()
    throw failure.reason
  }
  const apps = settled.map((s) => (s as PromiseFulfilledResult<ConsumerApp>).value)
  project.provide("consumer", {
    tarball,
    apps: Object.fromEntries(apps.map((app) => [app.name, app])) as Record<AppName, ConsumerApp>
  })
  return teardown
}
