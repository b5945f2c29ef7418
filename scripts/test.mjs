#!/usr/bin/env node
// `npm test`: type-check both release lines, then every suite on every runtime of each line,
// one summary line per line and runtime ("effect3-node20: N passed, M failed") and a last line
// over all of them, then the name of every test that failed (and of files that did not load,
// runs that crashed). Exits non-zero on any failure.
//
//   effect3-node20    the library suite (vitest.config.ts: vitest 3, effect 3.22) on this Node
//   effect3-node24    the same suite on Node 24 (the `node` npm package in runtimes/node24)
//   effect3-deno, effect3-bun   the same suite, vitest run by Deno and by Bun
//   effect3-workerd   test/workers inside workerd (@cloudflare/vitest-pool-workers)
//   effect4-node24    the same test files on the Effect 4 line (lines/effect4: vitest 5,
//                     effect 4; vitest 5 needs Node >= 22, so Node 24 from runtimes/node24)
//   effect4-deno, effect4-bun   the Effect 4 line's suite, vitest 5 run by Deno and by Bun
//   effect4-workerd   test/workers inside workerd on the Effect 4 line (vitest.workers.effect4.config.ts)
//   effect3-wrangler-dev, effect4-wrangler-dev   the example Worker under `wrangler dev`, no
//                     compatibility flags, built for each line
//   effect3-browser   the example Worker's page in headless Chromium (test/browser)
//   consumer-effect3  the Effect 3 tarball (npm run pack) installed into fresh apps outside the
//                     checkout, with the newest and the oldest effect 3 the peer ranges allow
//   consumer-effect4  the Effect 4 tarball the same way, with the newest effect 4 and 4.1.0 (the same
//                     consumer code but for Effect's own imports; its vitest 5 on Node 24)
// test/runtimes/<runtime>.test.ts (the examples on each runtime, Deno's two resolutions, the
// wrangler dev smoke test) run on this Node and count toward the runtime in their name
// (node20.test.ts → effect3-node20, effect4-node24.test.ts → effect4-node24).
//
// TEST_ONLY=effect3-node20,effect4-deno runs only those lines; TEST_ONLY=effect4 every line of
// one release line (the type-check always runs).
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import { basename, join } from "node:path"
import { failureLines, readReport } from "./report.mjs"

const root = new URL("..", import.meta.url).pathname
const out = join(root, ".test-results")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const RUNTIMES = [
  "effect3-node20",
  "effect3-node24",
  "effect3-deno",
  "effect3-bun",
  "effect3-workerd",
  "effect4-node24",
  "effect4-deno",
  "effect4-bun",
  "effect4-workerd",
  "effect3-wrangler-dev",
  "effect4-wrangler-dev",
  "effect3-browser"
]
const CONSUMERS = ["consumer-effect3", "consumer-effect4"]
const only = process.env.TEST_ONLY ? process.env.TEST_ONLY.split(",") : undefined
const wanted = (name) => only === undefined || only.some((w) => w === name || name.startsWith(`${w}-`))

/** name → { passed, failed, seconds } */
const results = new Map()
const count = (name, passed, failed, seconds = 0) => {
  const r = results.get(name) ?? { passed: 0, failed: 0, seconds: 0 }
  results.set(name, { passed: r.passed + passed, failed: r.failed + failed, seconds: r.seconds + seconds })
}
/** name → what failed (test names, files that did not load, crashed runs), listed after the summary. */
const failures = new Map()
const failed = (name, ...what) => failures.set(name, [...(failures.get(name) ?? []), ...what])

/**
 * Run a command in its own process group, output inherited; on timeout kill the whole group
 * (vitest pools, workerd and wrangler leave children otherwise). Resolves to the exit code.
 */
const run = (cmd, args, { env = {}, timeout = 480_000 } = {}) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env }, detached: true })
    const timer = setTimeout(() => {
      console.error(`\n${basename(cmd)} ${args.join(" ")}: still running after ${timeout / 1000} s, killing it`)
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }, timeout)
    child.on("error", (error) => {
      console.error(`${cmd}: ${error.message}`)
      clearTimeout(timer)
      resolve(1)
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? (signal ? 1 : 0))
    })
  })

const vitestMjs = join(root, "node_modules/vitest/vitest.mjs")

/**
 * Run vitest (under some runtime) with a JSON report. Counts and failed names go to `name`,
 * or, with `byFile`, to the runtime a test file is named after (a crash of the whole run to `owner`).
 */
const vitest = async (name, cmd, args, { env, timeout, byFile = false, owner = name, extra = [] } = {}) => {
  const file = join(out, `${name}.json`)
  const started = Date.now()
  console.log(`\n=== ${name}: ${basename(cmd)} ${[...args, "run", ...extra].join(" ")}\n`)
  const status = await run(
    cmd,
    [...args, "run", ...extra, "--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
    { env, timeout }
  )
  const seconds = (Date.now() - started) / 1000
  let report
  try {
    report = JSON.parse(readFileSync(file, "utf8"))
  } catch {}
  const read = readReport(report, { name, status, root, owner, runtimeOf: byFile ? runtimeOf : undefined })
  for (const [runtime, t] of read.tally) count(runtime, t.passed, t.failed, byFile ? 0 : seconds)
  for (const [runtime, names] of read.failures) failed(runtime, ...names)
  if (byFile) count(name, 0, 0, seconds)
}

/**
 * test/runtimes/deno.test.ts → "effect3-deno" (a bare runtime name is the Effect 3 line's),
 * effect4-node24.test.ts → "effect4-node24"; files not named after a runtime count as effect3-node20.
 */
const runtimeOf = (path) => {
  const stem = basename(path).replace(/\.test\.ts$/, "")
  if (RUNTIMES.includes(stem)) return stem
  return RUNTIMES.includes(`effect3-${stem}`) ? `effect3-${stem}` : "effect3-node20"
}
/** The test/runtimes file of a runtime line, if there is one. */
const runtimeFile = (name) =>
  [`test/runtimes/${name}.test.ts`, `test/runtimes/${name.replace(/^effect3-/, "")}.test.ts`].find((f) => existsSync(join(root, f)))

/** Node 24 from runtimes/node24 (its own package and lock, so it never becomes the `node` of npm scripts). */
const node24 = () => {
  const dir = join(root, "runtimes/node24")
  const bin = join(dir, "node_modules/node/bin/node")
  const want = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).dependencies.node
  const version = () => existsSync(bin) ? spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() : undefined
  if (version() !== `v${want}`) {
    console.log(`\n=== node24: npm ci --prefix runtimes/node24 (node@${want})\n`)
    spawnSync("npm", ["ci", "--prefix", dir, "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" })
  }
  return version() === `v${want}` ? bin : undefined
}

/**
 * The Effect 4 line's toolchain (lines/effect4: effect 4, vitest 5, @effect/vitest 4), an npm
 * workspace of the root package: the root `npm ci` installs it into lines/effect4/node_modules.
 * Missing or at other versions than lines/effect4/package.json pins: say how to install it.
 */
const effect4Line = () => {
  const dir = join(root, "lines/effect4")
  const pins = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).devDependencies
  const installed = (name) => {
    const file = join(dir, "node_modules", name, "package.json")
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : undefined
  }
  const stale = Object.entries(pins).filter(([name, version]) => installed(name) !== version)
  for (const [name, version] of stale) {
    console.error(`effect4: lines/effect4/node_modules/${name} is ${installed(name) ?? "missing"}, lines/effect4/package.json pins ${version}: run \`npm ci\` in the repository root (lines/effect4 is one of its workspaces)`)
  }
  return stale.length === 0
}

const bin = (name) => join(root, "node_modules/.bin", name)
const started = Date.now()
const effect4Ready = effect4Line()
if (!effect4Ready) {
  count("typecheck", 0, 1)
  failed("typecheck", "the Effect 4 toolchain in lines/effect4 is not installed: run `npm ci` in the repository root")
}
const effect4Vitest = join(root, "lines/effect4/node_modules/vitest/vitest.mjs")
const effect4Config = ["-c", "lines/effect4/vitest.config.ts"]

// 1. Type-check: the library, tests and examples on each line; then the workerd suite (its own types);
//    then the JSDoc examples on both lines.
for (const project of [
  "tsconfig.json",
  "tsconfig.effect4.json",
  "tsconfig.effect4.test.json",
  "test/workers/tsconfig.json",
  "test/workers/tsconfig.effect4.json"
]) {
  if (!existsSync(join(root, project))) continue
  const status = await run(bin("tsc"), ["-p", project, "--noEmit"])
  count("typecheck", 0, status === 0 ? 0 : 1)
  if (status !== 0) failed("typecheck", `tsc -p ${project} (errors above)`)
}
// The public exports' JSDoc: tags present and every @example compiling on both lines.
{
  const status = await run(process.execPath, [join(root, "scripts/docs.mjs")])
  count("typecheck", 0, status === 0 ? 0 : 1)
  if (status !== 0) failed("typecheck", "node scripts/docs.mjs: JSDoc tags or @example type errors (above)")
}

// 2. The library suite on each runtime, Effect 3 line.
// Bun's fetch allows 256 requests in flight by default; the interruption test holds 1,000 open.
const bunEnv = { BUN_CONFIG_MAX_HTTP_REQUESTS: "1024" }
const withNode24 = async (name, run) => {
  const node = node24()
  if (node) return run(node)
  count(name, 0, 1)
  failed(name, `${name}: runtimes/node24 could not be installed`)
}
if (wanted("effect3-node20")) await vitest("effect3-node20", process.execPath, [vitestMjs])
if (wanted("effect3-node24")) await withNode24("effect3-node24", (node) => vitest("effect3-node24", node, [vitestMjs]))
if (wanted("effect3-deno")) await vitest("effect3-deno", bin("deno"), ["run", "-A", vitestMjs])
if (wanted("effect3-bun")) await vitest("effect3-bun", bin("bun"), ["--bun", vitestMjs], { env: bunEnv })

// 3. Inside workerd.
if (wanted("effect3-workerd")) {
  await vitest("effect3-workerd", process.execPath, [vitestMjs], { extra: ["--config", "vitest.workers.config.ts"] })
}

// 4. The same test files on the Effect 4 line (vitest 5 from lines/effect4).
if (effect4Ready) {
  if (wanted("effect4-node24")) {
    await withNode24("effect4-node24", (node) => vitest("effect4-node24", node, [effect4Vitest], { extra: effect4Config }))
  }
  if (wanted("effect4-deno")) await vitest("effect4-deno", bin("deno"), ["run", "-A", effect4Vitest], { extra: effect4Config })
  if (wanted("effect4-bun")) await vitest("effect4-bun", bin("bun"), ["--bun", effect4Vitest], { env: bunEnv, extra: effect4Config })
  // Inside workerd: the root's vitest 3 + pool-workers (no pool-workers runs vitest 5), effect 4 by resolution.
  if (wanted("effect4-workerd")) {
    await vitest("effect4-workerd", process.execPath, [vitestMjs], { extra: ["--config", "vitest.workers.effect4.config.ts"] })
  }
}

// 5. Runtime-specific tests driven from Node: examples per runtime, Deno's two resolutions,
//    the wrangler dev smoke test.
{
  const files = RUNTIMES.filter(wanted).map(runtimeFile).filter((f) => f !== undefined)
  if (files.length > 0) {
    await vitest("runtimes", process.execPath, [vitestMjs], {
      byFile: true,
      // A run that crashed before reporting counts toward a runtime that is printed.
      owner: runtimeOf(files[0]),
      extra: ["--config", "vitest.runtimes.config.ts", ...files]
    })
  }
}

// 6. The example Worker's Active devices page in headless Chromium (playwright-core driving
//    Debian's chromium, installed from Debian's repository when missing; CI runs as root).
if (wanted("effect3-browser")) {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
  if (!existsSync(chromium)) {
    console.log("\n=== browser: apt-get install chromium\n")
    spawnSync("sh", ["-c", "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"], {
      stdio: "inherit"
    })
  }
  if (existsSync(chromium)) {
    await vitest("effect3-browser", process.execPath, [vitestMjs], { extra: ["--config", "vitest.browser.config.ts"] })
  } else {
    console.error(`browser: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`)
    count("effect3-browser", 0, 1)
  }
}

// 7. The packed tarballs as an application installs them (test/consumer, vitest.consumer.config.ts),
//    one run per line (CONSUMER_LINE): its tarball, apps and counts. The Effect 4 app's vitest 5
//    and its program run on Node 24 too (CONSUMER_NODE24).
const consumer = (line, env = {}) =>
  vitest(`consumer-${line}`, process.execPath, [vitestMjs], {
    env: { CONSUMER_LINE: line, ...env },
    extra: ["--config", "vitest.consumer.config.ts"],
    timeout: 900_000
  })
if (wanted("consumer-effect3")) await withNode24("consumer-effect3", (node) => consumer("effect3", { CONSUMER_NODE24: node }))
if (wanted("consumer-effect4")) await withNode24("consumer-effect4", (node) => consumer("effect4", { CONSUMER_NODE24: node }))

const timing = [...results].filter(([, r]) => r.seconds > 0).map(([n, r]) => `${n} ${r.seconds.toFixed(0)} s`)
console.log(`\n(${timing.join(", ")}; total ${((Date.now() - started) / 1000).toFixed(0)} s)\n`)
let passed = 0
let failedCount = 0
for (const name of ["typecheck", ...RUNTIMES, ...CONSUMERS]) {
  const r = results.get(name)
  if (r === undefined) continue
  // The type-check is not a test count: say whether it held (a failure still fails the run).
  console.log(name === "typecheck" ? `typecheck: ${r.failed === 0 ? "ok" : `FAILED (${r.failed} project(s))`}` : `${name}: ${r.passed} passed, ${r.failed} failed`)
  passed += r.passed
  failedCount += r.failed
}
console.log(`${passed} passed, ${failedCount} failed`)
// After the summary: the name of everything that failed, per runtime.
for (const line of failureLines(failures, ["typecheck", ...RUNTIMES, ...CONSUMERS])) console.log(line)
process.exit(failedCount === 0 && passed > 0 ? 0 : 1)
