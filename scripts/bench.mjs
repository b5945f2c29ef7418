#!/usr/bin/env node
/**
 * `npm run bench`: effect-clerk against @clerk/backend and the raw floor, every row of
 * issue 7, and BENCHMARKS.md (and the README's summary) regenerated from the results.
 *
 *   1. CPU per getSession, in-memory transport      (bench/cpu.ts)
 *   2. CPU per 500-session list page                (bench/cpu.ts)
 *   3. verifying a session token, keys cached       (bench/verify.ts)
 *   4. loopback throughput, 200 concurrent calls    (bench/loopback.ts + bench/server.mjs)
 *   5. Worker bundle size, esbuild minified, gzip -9 (bench/workers/*.ts)
 *   6. cold start to first response, Node/Deno/Bun  (the row-5 bundles)
 *   7. Clerk round trips for 100 cold isolates        (bench/fleet.ts + bench/workers/fleet.ts,
 *      verifying one token each, JwksStore or none      in workerd through Miniflare)
 *   8. Clerk authentication on an HttpApi server,   (bench/auth.ts + bench/line/<line>/HttpApi.ts)
 *      CPU per request: `GET /me` with no middleware,
 *      behind `ClerkAuth`, and @clerk/backend's
 *      `authenticateRequest` on the same request
 *   9. scale: `listAll` over 10,000 and 50,000      (bench/scale.ts + bench/server.mjs --pages)
 *      sessions (time per session, peak RSS), a
 *      token verified with 1, 10 and 100 keys in
 *      the JWKS, 1,000 concurrent `verify` on a cold
 *      verifier and `getSession` under a rate limit
 *
 * Rows 1–4, 7, 8 and 9 run in child Node processes that print JSON; this script times rows 5–6
 * itself. Nothing is asserted: targets are reported against, never enforced.
 *
 * Both release lines, one copy of each bench body: every row 1–6 is measured for the Effect 3
 * line (effect 3 + @effect/platform; `results.row1`…`row6`) and for the Effect 4 line (effect
 * 4.1.5 from lines/effect4; `results.effect4.row1`…`row6`), in this same run, on the same Node.
 * scripts/lines.mjs is how: the same sources bundled with the line's condition (`effect4` picks
 * the library's and the bench's line modules, `#line/*` and `#bench-line/*` = bench/line/<line>/,
 * what the bench bodies spell differently) and the line's `effect`. Rows 1–4 run
 * one child process per line (each with its own @clerk/backend and floor contenders, back to
 * back); rows 5–6 build and time both lines' Workers together, interleaved; row 7 runs its
 * workerd fleet once per line (`results.row7`, `results.effect4.row7`); row 8 runs as rows 1–4
 * do, one child process per line (`results.row8`, `results.effect4.row8`), and carries its own
 * date and commit as row 7 does; so does row 9 (`results.row9`, `results.effect4.row9`), whose
 * child starts the paging server and, for each peak-RSS sample, a fresh process of itself.
 * BENCH_LINES (effect3,effect4) picks the lines of rows 1–6, 8 and 9, BENCH_FLEET_LINES
 * (effect3,effect4) row 7's.
 *
 * Options (environment): BENCH_ROUNDS (11), BENCH_BUDGET_MS (250), BENCH_WARMUP_MS (2000),
 * BENCH_LOOPBACK_TOTAL (3000), BENCH_COLD_RUNS (11), BENCH_FLEET_ISOLATES (100),
 * BENCH_FLEET_ROUNDS (3), BENCH_FLEET_DELAYED_ROUNDS (2), BENCH_FLEET_SEPARATE (5),
 * BENCH_SCALE_MEMORY_RUNS (3, fresh processes per row-9 peak-RSS cell), BENCH_ONLY (comma
 * list of cpu,verify,loopback,size,cold,fleet,auth,scale; the rows not measured keep their
 * numbers from bench/results.json), BENCH_NO_WRITE=1 (print, do not write the docs),
 * BENCH_RENDER_ONLY=1 (measure nothing; re-render the docs from bench/results.json).
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { cpus, platform, release, totalmem } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { gzipSync } from "node:zlib"
import { effectDirOf, lineConditions, linePlugin } from "./lines.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
process.chdir(root)
const out = join(root, "node_modules", ".cache", "effect-clerk-bench")
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, "workers"), { recursive: true })
mkdirSync(join(out, "cold"), { recursive: true })

const esbuild = await import("esbuild")
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined
const wants = (part) => only === undefined || only.has(part)
const LINES = (process.env.BENCH_LINES ?? "effect3,effect4").split(",")
const FLEET_LINES = (process.env.BENCH_FLEET_LINES ?? "effect3,effect4").split(",")
const env = {
  ...process.env,
  BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "11",
  BENCH_BUDGET_MS: process.env.BENCH_BUDGET_MS ?? "250",
  BENCH_WARMUP_MS: process.env.BENCH_WARMUP_MS ?? "2000",
  BENCH_LOOPBACK_TOTAL: process.env.BENCH_LOOPBACK_TOTAL ?? "3000",
  BENCH_FLEET_ISOLATES: process.env.BENCH_FLEET_ISOLATES ?? "100",
  BENCH_FLEET_ROUNDS: process.env.BENCH_FLEET_ROUNDS ?? "3",
  BENCH_FLEET_DELAYED_ROUNDS: process.env.BENCH_FLEET_DELAYED_ROUNDS ?? "2",
  BENCH_FLEET_SEPARATE: process.env.BENCH_FLEET_SEPARATE ?? "5",
  BENCH_SCALE_MEMORY_RUNS: process.env.BENCH_SCALE_MEMORY_RUNS ?? "3"
}
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11)
const started = Date.now()
const log = (line) => process.stderr.write(`${line}\n`)

// ---------------------------------------------------------------------------------------
// The machine and the versions, printed with the results.

const version = (name, dir = join(root, "node_modules", name)) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version
const tryRun = (file, args) => {
  try {
    return execFileSync(file, args, { encoding: "utf8" }).trim()
  } catch {
    return "unavailable"
  }
}
const denoBin = join(root, "node_modules", ".bin", "deno")
const bunBin = join(root, "node_modules", ".bin", "bun")
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  deno: tryRun(denoBin, ["--version"]).split("\n")[0].split(" ").slice(0, 2).join(" "),
  bun: tryRun(bunBin, ["--version"]),
  packages: Object.fromEntries(
    ["effect-clerk", "effect", "@effect/platform", "@clerk/backend", "jose", "mitata", "esbuild"].map((name) => [
      name,
      name === "effect-clerk" ? JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version : version(name)
    ])
  ),
  effect4: version("effect", effectDirOf("effect4")),
  commit: tryRun("git", ["rev-parse", "--short", "HEAD"]),
  date: new Date().toISOString().slice(0, 10)
}
log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}; node ${machine.node}, ${machine.deno}, bun ${machine.bun}`)

// ---------------------------------------------------------------------------------------
// Rows 1–4 (and 8, 9): child processes.

/** `entry` bundled for Node on `line`, packages left external (scripts/lines.mjs). */
const buildNode = async (entry, line = "effect3") => {
  const file = join(out, line, entry.replace(/^bench\//, "").replace(/\.ts$/, ".mjs"))
  await esbuild.build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    format: "esm",
    platform: "node",
    conditions: lineConditions(line),
    plugins: [linePlugin(line, { external: true })],
    target: "node20",
    logLevel: "warning"
  })
  // Bare specifiers resolve from the bundle's folder up: node_modules/.cache/… reaches node_modules
  // (the Effect 4 line's `effect` is an absolute path into lines/effect4).
  return file
}

const runJson = (file, extraEnv = {}) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [file], { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "inherit"] })
    let stdout = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`))
      resolvePromise(JSON.parse(stdout.trim().split("\n").pop()))
    })
  })

const results = { machine }
// The Effect 4 line's rows, as the Effect 3 line's are at the top level of `results`.
const effect4 = {}
/** Rows 1–4 (or 8, 9) of one script, once per line: the Effect 3 line's into `results`, the Effect 4 line's into `effect4`. */
const runLines = async (entry) => {
  for (const line of LINES) {
    log(`  ${line}`)
    Object.assign(line === "effect4" ? effect4 : results, await runJson(await buildNode(entry, line)))
  }
}
// BENCH_RENDER_ONLY=1: measure nothing, re-render the docs from bench/results.json.
const renderOnly = process.env.BENCH_RENDER_ONLY === "1"
if (renderOnly) delete results.machine
if (renderOnly) {
  // fall through to the rendering below with no new results
} else if (wants("cpu")) {
  log("rows 1–2: CPU per call, in-memory transport")
  await runLines("bench/cpu.ts")
}
if (!renderOnly && wants("verify")) {
  log("row 3: token verification, keys cached")
  await runLines("bench/verify.ts")
}
if (!renderOnly && wants("loopback")) {
  log("row 4: loopback throughput")
  await runLines("bench/loopback.ts")
}
// Row 8 carries its own date and commit, as row 7 does: a run of it alone keeps rows 1–6's machine line.
if (!renderOnly && wants("auth")) {
  log("row 8: Clerk authentication on an HttpApi server, CPU per request")
  await runLines("bench/auth.ts")
  for (const into of [results, effect4]) {
    if (into.row8) into.row8.measured = { date: machine.date, commit: machine.commit, node: machine.node }
  }
}
if (!renderOnly && wants("scale")) {
  log("row 9: scale — listAll over 10,000 / 50,000 sessions, 1–100 JWKS keys, 1,000 concurrent calls")
  await runLines("bench/scale.ts")
  for (const into of [results, effect4]) {
    if (into.row9) into.row9.measured = { date: machine.date, commit: machine.commit, node: machine.node }
  }
}

// ---------------------------------------------------------------------------------------
// Row 5: Worker bundles, the same esbuild settings for every one.

// The Effect 3 line's Workers and the peers (`results.row5`), then the Effect 4 line's builds of
// the same Effect sources (`results.effect4.row5`, file names `<id>.effect4`).
const workers = [
  { id: "empty", label: "no client (runtime only)" },
  { id: "bare-effect", label: "bare Effect + @effect/platform + Schema" },
  { id: "effect-clerk-sessions", label: "effect-clerk: Sessions" },
  { id: "effect-clerk-verifier", label: "effect-clerk: Sessions + TokenVerifier" },
  { id: "clerk-backend", label: "@clerk/backend: getSession" },
  { id: "clerk-backend-verify", label: "@clerk/backend: getSession + verifyToken" },
  ...(LINES.includes("effect4")
    ? [
      { id: "bare-effect", line: "effect4", label: "bare Effect 4 + `effect/http` + Schema" },
      { id: "effect-clerk-sessions", line: "effect4", label: "effect-clerk (Effect 4 line): Sessions" },
      { id: "effect-clerk-verifier", line: "effect4", label: "effect-clerk (Effect 4 line): Sessions + TokenVerifier" }
    ]
    : [])
].map((worker) => ({ line: "effect3", ...worker, key: worker.line === "effect4" ? `${worker.id}.effect4` : worker.id }))
const bundleOptions = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  conditions: ["workerd", "worker", "browser"],
  target: "es2022",
  metafile: true,
  logLevel: "warning"
}
const bundles = {}
if (!renderOnly && (wants("size") || wants("cold"))) {
  log("row 5: Worker bundles")
  for (const worker of workers) {
    const file = join(out, "workers", `${worker.key}.mjs`)
    const built = await esbuild.build({
      ...bundleOptions,
      conditions: [...bundleOptions.conditions, ...lineConditions(worker.line)],
      plugins: [linePlugin(worker.line)],
      entryPoints: [`bench/workers/${worker.id}.ts`],
      outfile: file
    })
    const bytes = readFileSync(file)
    const inputs = built.metafile.outputs[Object.keys(built.metafile.outputs)[0]].inputs
    const bytesFrom = (test) =>
      Object.entries(inputs).filter(([path]) => test(path)).reduce((sum, [, input]) => sum + input.bytesInOutput, 0)
    bundles[worker.key] = {
      ...worker,
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      joseBytes: bytesFrom((path) => path.includes("node_modules/jose/")),
      ownBytes: bytesFrom((path) => path.startsWith("src/"))
    }
  }
  const row5Of = (line) =>
    Object.values(bundles).filter((b) => (line === "effect4" ? b.line === "effect4" : b.line !== "effect4")).map((
      { file: _file, key: _key, line: _line, ...rest }
    ) => rest)
  results.row5 = row5Of("effect3")
  if (LINES.includes("effect4")) effect4.row5 = row5Of("effect4")
}

// ---------------------------------------------------------------------------------------
// Row 6: cold start. A local server stands in for Clerk; each run starts a fresh process
// that imports one bundle, calls its `fetch` once and prints the answer. The time is from
// spawn to that answer on stdout.

if (!renderOnly && wants("cold")) {
  log("row 6: cold start")
  const { exportSPKI, generateKeyPair, SignJWT } = await import("jose")
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048 })
  const pem = await exportSPKI(publicKey)
  const sessionId = "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S"
  const token = await new SignJWT({ sid: sessionId, azp: "https://example.com", v: 2 })
    .setProtectedHeader({ alg: "RS256", kid: "ins_bench", typ: "JWT" })
    .setSubject("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
    .setIssuer("https://clerk.example.com")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey)
  const { sessionBody } = await import(pathToFileURL(await buildNode("bench/fixtures.ts")).href)
  const body = JSON.stringify(sessionBody)
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(body))
  })
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok))
  const workerEnv = {
    CLERK_SECRET_KEY: "sk_test_bench0000000000000000000000000000000000",
    CLERK_API_URL: `http://127.0.0.1:${server.address().port}`,
    CLERK_JWT_KEY: pem
  }
  // One runner per bundle, the same text for all: import, one request, print, exit.
  for (const worker of workers) {
    writeFileSync(
      join(out, "cold", `${worker.key}.mjs`),
      `import worker from "../workers/${worker.key}.mjs"
const response = await worker.fetch(
  new Request("http://worker.local/${sessionId}", { headers: { authorization: "Bearer ${token}" } }),
  ${JSON.stringify(workerEnv)}
)
const text = await response.text()
console.log(response.status + " " + text)
`
    )
  }
  const runtimes = [
    { id: "node", command: process.execPath, args: (file) => [file] },
    {
      id: "deno",
      command: denoBin,
      args: (file) => ["run", "--no-config", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", file]
    },
    { id: "bun", command: bunBin, args: (file) => [file] }
  ].filter((runtime) => runtime.id === "node" || existsSync(runtime.command))

  const once = (runtime, worker) =>
    new Promise((resolvePromise, reject) => {
      const t0 = process.hrtime.bigint()
      const child = spawn(runtime.command, runtime.args(join(out, "cold", `${worker.key}.mjs`)), {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }
      })
      let stdout = ""
      let stderr = ""
      let elapsed
      child.stdout.on("data", (chunk) => {
        stdout += chunk
        if (elapsed === undefined && stdout.includes("\n")) elapsed = Number(process.hrtime.bigint() - t0) / 1e6
      })
      child.stderr.on("data", (chunk) => (stderr += chunk))
      child.on("exit", () => {
        const line = stdout.split("\n")[0]
        const expected = worker.id === "empty" ? "none" : sessionId
        if (elapsed === undefined || !line.startsWith("200 ") || !line.includes(expected)) {
          return reject(new Error(`${runtime.id} ${worker.key}: ${line} ${stderr.slice(0, 500)}`))
        }
        resolvePromise(elapsed)
      })
    })

  const times = {}
  for (const runtime of runtimes) {
    times[runtime.id] = {}
    for (const worker of workers) {
      times[runtime.id][worker.key] = []
      await once(runtime, worker) // warm-up: disk caches, Deno's module cache
    }
  }
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const runtime of runtimes) {
      for (let k = 0; k < workers.length; k++) {
        const worker = workers[(k + run) % workers.length]
        times[runtime.id][worker.key].push(await once(runtime, worker))
      }
    }
    process.stderr.write(`  cold start: run ${run + 1}/${COLD_RUNS}\r`)
  }
  process.stderr.write("\n")
  server.close()
  const row6Of = (line) =>
    Object.fromEntries(
      Object.entries(times).map(([runtime, byWorker]) => [
        runtime,
        Object.fromEntries(
          workers.filter((w) => (line === "effect4" ? w.line === "effect4" : w.line !== "effect4")).map((
            w
          ) => [w.id, summarize(byWorker[w.key])])
        )
      ])
    )
  results.row6 = row6Of("effect3")
  if (LINES.includes("effect4")) effect4.row6 = row6Of("effect4")
  results.coldRuns = COLD_RUNS
}

// ---------------------------------------------------------------------------------------
// Row 7: a fleet of cold isolates in workerd (Miniflare), the emulator's request log counting
// the JWKS requests. A child process like rows 1–4; its own date and commit go with it.

if (!renderOnly && wants("fleet")) {
  log("row 7: Clerk round trips for cold isolates (workerd through Miniflare)")
  for (const line of FLEET_LINES) {
    log(`  ${line}`)
    const into = line === "effect4" ? effect4 : results
    Object.assign(into, await runJson(await buildNode("bench/fleet.ts"), { BENCH_LINE: line }))
    into.row7.measured = { date: machine.date, commit: machine.commit, node: machine.node }
  }
}

function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]
  return { median, p25: q(0.25), p75: q(0.75), low: sorted[0], high: sorted[sorted.length - 1], runs: values }
}

if (!renderOnly) {
  if (Object.keys(effect4).length > 0) results.effect4 = effect4
  results.minutes = (Date.now() - started) / 60_000
  writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2))
  log(`results: ${join(out, "results.json")} (${results.minutes.toFixed(1)} min)`)
}

// ---------------------------------------------------------------------------------------
// Row 7's rendering (rows 1–6 are bench/report.mjs's).

const FLEET_NAMES = {
  none: "effect-clerk `TokenVerifier.layer()`, no store (each isolate's memory only)",
  kv: "effect-clerk + `JwksStore.layerKv` (Workers KV)",
  cache: "effect-clerk + `JwksStore.layerCache()` (Cache API, `caches.default`)",
  backend: "@clerk/backend `verifyToken({ secretKey, apiUrl })`, its JWKS cache empty",
  jose: "floor: jose `createRemoteJWKSet` + `jwtVerify`"
}
// workerd's clock moves in whole milliseconds: a median is a whole or a half.
const fleetMs = (value) => `${Number.isInteger(value) ? value : value.toFixed(1)} ms`
const fleetRatio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–")
const sum = (values) => values.reduce((a, b) => a + b, 0)

/** Row 7's lines, added to the summary table (rows 1–6 and 8 come from bench/report.mjs), before row 8's. */
function withFleetSummary(summary, r) {
  const f = r.row7
  if (!f) return summary
  const c = Object.fromEntries(f.contenders.map((x) => [x.id, x]))
  const perRound = (id) => sum(c[id].loopback.jwksRequests) / c[id].loopback.jwksRequests.length
  const warm = (id, net) => c[id][net].ms.median
  const lines = [
    `| 7. \`GET /v1/jwks\` for ${f.isolates} cold isolates verifying one token each (workerd), KV / Cache API store | ${
      perRound("kv")
    } / ${perRound("cache")} (${perRound("none")} without a store) | ${perRound("backend")} | ${perRound("jose")} (jose \`createRemoteJWKSet\`) | ${
      fleetRatio(perRound("kv"), perRound("backend"))
    } / ${fleetRatio(perRound("cache"), perRound("backend"))} | no target |`,
    `| 7. first verification in a cold isolate, Clerk ${f.delayMs} ms away: warm KV / Cache API store | ${
      fleetMs(warm("kv", "delayed"))
    } / ${fleetMs(warm("cache", "delayed"))} (${fleetMs(warm("none", "delayed"))} without a store) | ${
      fleetMs(warm("backend", "delayed"))
    } | ${fleetMs(warm("jose", "delayed"))} (jose) | ${fleetRatio(warm("kv", "delayed"), warm("backend", "delayed"))} / ${
      fleetRatio(warm("cache", "delayed"), warm("backend", "delayed"))
    } | no target |`
  ]
  const cut = summary.indexOf("\n\n")
  const table = (cut === -1 ? summary : summary.slice(0, cut)).split("\n")
  const rest = cut === -1 ? "" : summary.slice(cut)
  const row8 = table.findIndex((line) => line.startsWith("| 8. "))
  table.splice(row8 === -1 ? table.length : row8, 0, ...lines)
  return `${table.join("\n")}${rest}`
}

/** Row 7's section of the details. */
function renderFleetDetails(r) {
  const f = r.row7
  if (!f) return ""
  const c = Object.fromEntries(f.contenders.map((x) => [x.id, x]))
  const counts = (values) => (values.every((v) => v === values[0]) ? String(values[0]) : values.join(", "))
  const lines = [
    `### 7. Clerk round trips for ${f.isolates} cold isolates verifying one token each (workerd, Miniflare ${f.versions.miniflare})`,
    "",
    `A fresh verifier instance per simulated cold isolate, in one workerd: each request to the Worker (\`bench/workers/fleet.ts\`) builds what a cold isolate builds before its first verification — a new \`TokenVerifier.layer()\` (its own in-memory JWKS cache) over a new \`ClerkClient.layerFetch\` and the store, @clerk/backend with its JWKS cache skipped, a new jose \`createRemoteJWKSet\` — and verifies one token. KV and the Cache API are workerd's, as Miniflare runs them (local, not Cloudflare's latency). The Clerk emulator is served from Node on 127.0.0.1; the JWKS requests counted are the ones in its request log. Store writes go to the request's \`waitUntil\`, as in the example Worker. Measured ${f.measured?.date ?? "?"}, commit ${f.measured?.commit ?? "?"}, workerd ${f.versions.workerd}; the row took ${f.seconds.toFixed(0)} s.`,
    "",
    `| contender | \`GET /v1/jwks\` received, ${f.isolates} isolates one after another (per round) | the same, Clerk ${f.delayMs} ms away | ${f.isolates} isolates all at once | one after another ÷ @clerk/backend |`,
    "|---|---|---|---|---|"
  ]
  const theirs = sum(c.backend.loopback.jwksRequests)
  for (const x of f.contenders) {
    lines.push(
      `| ${FLEET_NAMES[x.id]} | ${counts(x.loopback.jwksRequests)} | ${counts(x.delayed.jwksRequests)} | ${x.burst} | ${
        fleetRatio(sum(x.loopback.jwksRequests), theirs)
      } |`
    )
  }
  const separate = Object.entries(f.separate ?? {})
  if (separate.length > 0) {
    const requests = (n) => `${n} JWKS request${n === 1 ? "" : "s"}`
    const instances = separate[0][1].instances
    lines.push(
      "",
      `Genuinely separate isolates: ${instances} Miniflare instances, each its own workerd process, started one after another (each stopped once its store write had landed) and sharing one persisted store directory, one cold isolate each: ${
        separate.map(([store, s]) =>
          `${store === "kv" ? "KV (`JwksStore.layerKv`)" : "Cache API (`JwksStore.layerCache()`)"}: ${requests(s.jwksRequests)}`
        ).join("; ")
      }.`
    )
  }
  const plain = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1))
  const cell = (x, net) => {
    const s = x[net].ms
    return `${fleetMs(s.median)} (${plain(s.p25)}–${plain(s.p75)})`
  }
  lines.push(
    "",
    `First verification in a cold isolate, from the Worker's first line to the verified claims, on workerd's clock (whole milliseconds): median over the isolates of all rounds (${f.rounds} over loopback, ${f.delayedRounds} with \`GET /v1/jwks\` delayed ${f.delayMs} ms by the emulator, standing in for a real round trip to Clerk), p25–p75. For a store, only the isolates that found it warm (sent no JWKS request) are counted. The round trip is the same request seen from Node, Miniflare's hop into workerd included.`,
    "",
    `| contender | loopback | ÷ no store | ÷ @clerk/backend | Clerk ${f.delayMs} ms away | ÷ no store | ÷ @clerk/backend | round trip from Node, loopback / ${f.delayMs} ms | isolates timed |`,
    "|---|---|---|---|---|---|---|---|---|"
  )
  for (const x of f.contenders) {
    const ratioTo = (id, net) => fleetRatio(x[net].ms.median, c[id][net].ms.median)
    lines.push(
      `| ${FLEET_NAMES[x.id]} | ${cell(x, "loopback")} | ${ratioTo("none", "loopback")} | ${ratioTo("backend", "loopback")} | ${
        cell(x, "delayed")
      } | ${ratioTo("none", "delayed")} | ${ratioTo("backend", "delayed")} | ${x.loopback.rtt.median.toFixed(1)} / ${
        x.delayed.rtt.median.toFixed(1)
      } ms | ${x.loopback.ms.count} / ${x.delayed.ms.count} |`
    )
  }
  return `\n${lines.join("\n")}\n`
}

// ---------------------------------------------------------------------------------------
// BENCHMARKS.md and the README summary: only the text between the markers is replaced,
// so the hand-written findings around them stay.

const { renderAuthDetails, renderDetails, renderLinesDetails, renderScaleDetails, renderSummary } = await import(pathToFileURL(join(root, "bench", "report.mjs")).href)
const previous = existsSync(join(root, "bench", "results.json"))
  ? JSON.parse(readFileSync(join(root, "bench", "results.json"), "utf8"))
  : {}
const merged = { ...previous, ...results }
// A partial run (BENCH_ONLY) keeps the Effect 4 line's rows it did not measure, as it keeps the Effect 3 line's.
if (previous.effect4 !== undefined || results.effect4 !== undefined) merged.effect4 = { ...previous.effect4, ...results.effect4 }
// A run of rows 7, 8 and 9 alone leaves rows 1–6 as they were measured: their machine line (date,
// commit) and the full run's minutes stay; rows 7, 8 and 9 carry their own date and commit.
const rowsOneToSix = ["cpu", "verify", "loopback", "size", "cold"]
if (!renderOnly && only !== undefined && !rowsOneToSix.some(wants) && previous.machine !== undefined) {
  merged.machine = previous.machine
  merged.minutes = previous.minutes
}
const details = renderDetails(merged) + renderFleetDetails(merged) + renderAuthDetails(merged) + renderScaleDetails(merged) +
  renderLinesDetails(merged)
const summary = withFleetSummary(renderSummary(merged), merged)
process.stdout.write(`${summary}\n`)
if (process.env.BENCH_NO_WRITE !== "1") {
  writeFileSync(join(root, "bench", "results.json"), JSON.stringify(merged, null, 2) + "\n")
  const replaceBetween = (file, name, text) => {
    const path = join(root, file)
    if (!existsSync(path)) return false
    const doc = readFileSync(path, "utf8")
    const start = `<!-- bench:${name}:start -->`
    const end = `<!-- bench:${name}:end -->`
    const i = doc.indexOf(start)
    const j = doc.indexOf(end)
    if (i === -1 || j === -1) return false
    writeFileSync(path, doc.slice(0, i + start.length) + "\n" + text + "\n" + doc.slice(j))
    return true
  }
  const wrote = [
    replaceBetween("BENCHMARKS.md", "summary", summary) && "BENCHMARKS.md summary",
    replaceBetween("BENCHMARKS.md", "details", details) && "BENCHMARKS.md details",
    replaceBetween("README.md", "summary", summary) && "README.md summary"
  ].filter(Boolean)
  log(`wrote: ${wrote.join(", ") || "nothing (markers missing)"}`)
}
