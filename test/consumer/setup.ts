/**
 * globalSetup of the consumer suite: `npm run pack` once for the lines of this run
 * (CONSUMER_LINE, default both), then one app folder per line and entry of APPS under
 * os.tmpdir() (outside this checkout, so nothing resolves to the sources), each with the
 * line's tarball installed by a plain `npm install` next to that line's effect (and, on
 * effect 3, @effect/platform). The Effect 4 app gets the same consumer code with only
 * Effect's own imports rewritten (support.ts `toEffect4`) and the Effect 4 toolchain's test
 * tools (lines/effect4: vitest 5, @effect/vitest 4, @types/node 24). The tests share these
 * installs. KEEP_CONSUMER_APPS=1 keeps the folders for a look.
 */
import type { TestProject } from "vitest/node"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { APPS, type AppName, CONSUMER_FILES, type ConsumerApp, consumerSource, describeRun, type Line, run, runOk, selectedLines, toEffect4 } from "./support.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
/** The Effect 4 line's toolchain: the test tools (and @types/node) its consumer app pins. */
const effect4Pkg = JSON.parse(readFileSync(join(root, "lines/effect4/package.json"), "utf8"))
const INSTALL_TIMEOUT = 240_000

/** The oldest effect 3 versions the peer ranges allow (`^3.22.0`, `^0.97.0`). */
const OLDEST = { effect: "3.22.0", platform: "0.97.0" }
/**
 * The oldest effect 4 the peer range allows (`^4.1.0`), with the newest @effect/vitest that
 * accepts it (4.1.5 wants effect ^4.1.5; 4.0.5 wants ^4.0.5).
 */
const OLDEST_EFFECT4 = { effect: "4.1.0", effectVitest: "4.0.5" }
/** The newest of each line the registry serves, within the tarball's peer range. */
const LATEST = { effect3: { effect: "effect@^3.22.0", platform: "@effect/platform@^0.97.0" }, effect4: { effect: "effect@^4.1.0" } }

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
const sources = { include: ["program.ts", "quickstart.ts", "app.test.ts", "node_modules/effect-clerk/dist/**/*.d.ts"], exclude: [] }

/** The app's dependencies: the tarball and the line's peers, and the test tools of the line's toolchain. */
const manifest = (line: Line, tarball: string, effect: string, platform: string | undefined) => {
  const tools = line === "effect3"
    ? pkg.devDependencies
    : effect === OLDEST_EFFECT4.effect
    ? { ...effect4Pkg.devDependencies, "@effect/vitest": OLDEST_EFFECT4.effectVitest }
    : effect4Pkg.devDependencies
  return {
    name: "effect-clerk-consumer",
    private: true,
    type: "module",
    dependencies: {
      "effect-clerk": `file:${tarball}`,
      effect,
      ...(platform === undefined ? {} : { "@effect/platform": platform })
    },
    devDependencies: {
      "typescript": pkg.devDependencies.typescript,
      "@types/node": tools["@types/node"],
      "vitest": tools.vitest,
      "@effect/vitest": tools["@effect/vitest"]
    },
    allowScripts: { "esbuild": true, "msgpackr-extract": false }
  }
}

const writeApp = (line: Line, dir: string, tarball: string, effect: string, platform: string | undefined) => {
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest(line, tarball, effect, platform), null, 2))
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
  for (const [file, from] of Object.entries(CONSUMER_FILES)) {
    const { path, rewritten } = consumerSource(from, line)
    const source = readFileSync(join(root, path), "utf8")
    writeFileSync(join(dir, file), rewritten ? toEffect4(source) : source)
  }
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

const installed = (dir: string, name: string): string | undefined =>
  existsSync(join(dir, "node_modules", name, "package.json"))
    ? JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version
    : undefined

export default async function setup(project: TestProject) {
  const lines = selectedLines()
  await runOk("npm run pack", process.execPath, [join(root, "scripts/pack.mjs"), ...lines], { cwd: root, timeout: 300_000 })
  const tarballs = Object.fromEntries(lines.map((line) => [line, join(root, `pack/effect-clerk-${line}.tgz`)])) as Record<Line, string>

  const dirs: Array<string> = []
  const make = async (line: Line, name: AppName): Promise<ConsumerApp> => {
    const dir = mkdtempSync(join(tmpdir(), `effect-clerk-consumer-${line}-${name}-`))
    dirs.push(dir)
    const [effect, platform] = line === "effect3"
      ? name === "oldest"
        ? [OLDEST.effect, OLDEST.platform]
        : await Promise.all([newest(LATEST.effect3.effect, dir), newest(LATEST.effect3.platform, dir)])
      : [name === "oldest" ? OLDEST_EFFECT4.effect : await newest(LATEST.effect4.effect, dir), undefined]
    writeApp(line, dir, tarballs[line], effect, platform)
    await install(dir)
    return { line, name, dir, effect: installed(dir, "effect")!, platform: installed(dir, "@effect/platform") }
  }
  const teardown = () => {
    if (process.env.KEEP_CONSUMER_APPS === "1") console.log(`consumer apps kept: ${dirs.join(" ")}`)
    else for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  // allSettled: a failed install must not remove a folder the other npm is still writing to.
  const settled = await Promise.allSettled(lines.flatMap((line) => APPS[line].map((name) => make(line, name))))
  const failure = settled.find((s) => s.status === "rejected")
  if (failure !== undefined) {
    teardown()
    throw failure.reason
  }
  const apps = settled.map((s) => (s as PromiseFulfilledResult<ConsumerApp>).value)
  project.provide("consumer", { tarballs, apps })
  return teardown
}
