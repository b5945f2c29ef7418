/**
 * Row 7: Clerk round trips for a fleet of cold isolates verifying one token each, in real
 * workerd (Miniflare) with its real KV and Cache API. bench/workers/fleet.ts is bundled with
 * esbuild and run by one Miniflare; each request to it plays one cold isolate (a fresh
 * verifier instance, nothing cached in memory) — "a fresh verifier instance per simulated cold
 * isolate, in one workerd". The Clerk emulator is served from this process on 127.0.0.1, and
 * the JWKS requests counted are the ones in its request log.
 *
 * Phases, each contender in turn (order rotated every round), the stores emptied before each:
 *   - sequential: `isolates` cold isolates one after another (rounds × over plain loopback,
 *     then rounds × with the emulator delaying `GET /v1/jwks` by 50 ms);
 *   - burst: `isolates` cold isolates all at once (loopback, one round);
 *   - separate: `separate` genuinely separate Miniflare instances (each its own workerd) one
 *     after another, sharing one persisted KV / cache directory, one cold isolate each.
 *
 * BENCH_LINE (effect3, effect4) picks the release line the Worker is bundled for (scripts/lines.mjs);
 * the emulator in this process is the Effect 3 line's either way (it only answers HTTP).
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import * as esbuild from "esbuild"
import { Miniflare } from "miniflare"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Readable } from "node:stream"
import * as Effect from "effect/Effect"
import { ClerkEmulator, Fault } from "../src/testing/index.js"
import { NodeClerkEmulator } from "../src/testing/node/index.js"
import { check } from "./harness.js"
import { lineConditions, linePlugin } from "../scripts/lines.mjs"

const ISOLATES = Number(process.env.BENCH_FLEET_ISOLATES ?? 100)
const ROUNDS = Number(process.env.BENCH_FLEET_ROUNDS ?? 3)
const DELAYED_ROUNDS = Number(process.env.BENCH_FLEET_DELAYED_ROUNDS ?? 2)
const SEPARATE = Number(process.env.BENCH_FLEET_SEPARATE ?? 5)
const DELAY_MS = 50
const SECRET_KEY = "sk_test_bench_fleet"
const COMPATIBILITY_DATE = "2026-03-01"

const log = (line: string) => process.stderr.write(`${line}\n`)
const started = Date.now()

type Contender = "none" | "kv" | "cache" | "backend" | "jose"
const CONTENDERS: ReadonlyArray<Contender> = ["none", "kv", "cache", "backend", "jose"]
const STORES: ReadonlyArray<"kv" | "cache"> = ["kv", "cache"]

// ---------------------------------------------------------------------------------------
// The emulator on 127.0.0.1, one user with one session, one token for every isolate.

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)
const emulator = await ClerkEmulator.start({ secretKey: SECRET_KEY, sessionTokenLifetime: "1 hour" })
const user = await run(emulator.seedUser({}))
const session = await run(emulator.seedSession({ userId: user.id }))
const token = await run(emulator.mintToken(session.id))
const server = await NodeClerkEmulator.serve(emulator)
const jwksRequests = async () => (await run(emulator.requests)).filter((r) => r.route === "getJwks")

// ---------------------------------------------------------------------------------------
// The Worker, bundled as row 5's are (ESM, workerd conditions), not minified.

const LINE = process.env.BENCH_LINE ?? "effect3"
const bundle = join(process.cwd(), "node_modules", ".cache", "effect-clerk-bench", "workers", `fleet.${LINE}.mjs`)
await esbuild.build({
  entryPoints: ["bench/workers/fleet.ts"],
  outfile: bundle,
  bundle: true,
  format: "esm",
  platform: "browser",
  conditions: ["workerd", "worker", "browser", ...lineConditions(LINE)],
  plugins: [linePlugin(LINE)],
  target: "es2022",
  logLevel: "warning"
})
const script = readFileSync(bundle, "utf8")

const workerdOutput: Array<string> = []
const miniflare = (persist?: string) =>
  new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: server.url },
    kvNamespaces: { JWKS: "bench-fleet-jwks" },
    ...(persist === undefined ? {} : { kvPersist: join(persist, "kv"), cachePersist: join(persist, "cache") }),
    // workerd's own output is kept out of this script's stdout (the JSON line).
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on("data", (chunk: Buffer) => workerdOutput.push(String(chunk)))
      stderr.on("data", (chunk: Buffer) => workerdOutput.push(String(chunk)))
    }
  })

interface Answer {
  readonly ms: number
  readonly sid: string
  /** The JWKS requests the isolate sent itself (effect-clerk only). */
  readonly jwks: number | undefined
  /** Request round trip as this process saw it (Miniflare's hop into workerd included). */
  readonly rtt: number
}

const verifyOnce = async (mf: Miniflare, contender: Contender): Promise<Answer> => {
  const t0 = performance.now()
  const response = await mf.dispatchFetch(`http://fleet.local/verify?contender=${contender}`, {
    headers: { authorization: `Bearer ${token}` }
  })
  const text = await response.text()
  const rtt = performance.now() - t0
  if (response.status !== 200) throw new Error(`${contender}: ${response.status} ${text}`)
  const body = JSON.parse(text) as Omit<Answer, "rtt">
  check(`${contender} verified the token (sid ${body.sid})`, body.sid === session.id)
  return { ...body, rtt }
}

const post = async (mf: Miniflare, path: string) => {
  const response = await mf.dispatchFetch(`http://fleet.local${path}`, { method: "POST" })
  check(`${path} answered ${response.status}`, response.status === 200)
  await response.arrayBuffer()
}

const stored = async (mf: Miniflare): Promise<{ kv: boolean; cache: boolean }> =>
  (await mf.dispatchFetch("http://fleet.local/stored")).json() as Promise<{ kv: boolean; cache: boolean }>

/** Wait (at most 2 s) until `store` holds the entry: the last isolate's write ran in its waitUntil. */
const settled = async (mf: Miniflare, store: "kv" | "cache") => {
  for (let i = 0; i < 40; i++) {
    if ((await stored(mf))[store]) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** A fresh start for one contender: both stores empty, the request log empty. */
const clean = async (mf: Miniflare) => {
  await post(mf, "/reset")
  const left = await stored(mf)
  check("the stores are empty after /reset", !left.kv && !left.cache)
  await run(emulator.clearRequests)
}

interface Phase {
  /** JWKS requests the emulator received, per round. */
  readonly jwksRequests: Array<number>
  /** Per isolate, all rounds: workerd's time, the round trip, the isolate's own JWKS requests. */
  readonly samples: Array<{ ms: number; rtt: number; jwks: number | undefined }>
}

const sequential = async (mf: Miniflare, rounds: number, label: string) => {
  const phases = Object.fromEntries(CONTENDERS.map((c) => [c, { jwksRequests: [], samples: [] } as Phase]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < CONTENDERS.length; k++) {
      const contender = CONTENDERS[(k + round) % CONTENDERS.length]
      await clean(mf)
      for (let i = 0; i < ISOLATES; i++) {
        const { ms, rtt, jwks } = await verifyOnce(mf, contender)
        phases[contender].samples.push({ ms, rtt, jwks })
      }
      if (contender === "kv" || contender === "cache") check(`${contender} holds the JWKS`, await settled(mf, contender))
      const received = (await jwksRequests()).length
      if (contender === "none" || contender === "kv" || contender === "cache") {
        // The isolates' own count must agree with the emulator's log (no request lost or unseen).
        const sent = phases[contender].samples.slice(-ISOLATES).reduce((sum, s) => sum + (s.jwks ?? 0), 0)
        check(`${contender}: the isolates sent ${sent} JWKS requests, the emulator logged ${received}`, sent === received)
      }
      phases[contender].jwksRequests.push(received)
      process.stderr.write(`  ${label}: round ${round + 1}/${rounds}, ${contender}      \r`)
    }
  }
  process.stderr.write("\n")
  return phases
}

const burst = async (mf: Miniflare) => {
  const counts: Partial<Record<Contender, number>> = {}
  for (const contender of CONTENDERS) {
    await clean(mf)
    await Promise.all(Array.from({ length: ISOLATES }, () => verifyOnce(mf, contender)))
    if (contender === "kv" || contender === "cache") await settled(mf, contender)
    counts[contender] = (await jwksRequests()).length
  }
  return counts
}

// ---------------------------------------------------------------------------------------

const mf = miniflare()
await mf.ready
// One unmeasured isolate of each kind: workerd compiles the script, undici opens its pool.
for (const contender of CONTENDERS) await verifyOnce(mf, contender)

log(`row 7: ${ISOLATES} cold isolates one after another, ${ROUNDS} round(s), loopback`)
const loopback = await sequential(mf, ROUNDS, "loopback")

log(`row 7: the same with GET /v1/jwks delayed ${DELAY_MS} ms, ${DELAYED_ROUNDS} round(s)`)
await run(emulator.injectFault(Fault.delay(`${DELAY_MS} millis`), { route: "getJwks", times: Infinity }))
const delayed = await sequential(mf, DELAYED_ROUNDS, `+${DELAY_MS} ms`)
const delayedSeen = (await run(emulator.requests)).filter((r) => r.route === "getJwks")
check("the delay fault was applied", delayedSeen.length > 0 && delayedSeen.every((r) => r.fault === "Delay"))
await run(emulator.clearFaults)

log(`row 7: ${ISOLATES} cold isolates at once`)
const burstCounts = await burst(mf)
await mf.dispose()

log(`row 7: ${SEPARATE} separate Miniflare instances sharing one persisted KV / cache directory`)
const separate: Record<string, { instances: number; jwksRequests: number; startMs: Array<number> }> = {}
for (const store of STORES) {
  const dir = mkdtempSync(join(tmpdir(), "effect-clerk-bench-fleet-"))
  await run(emulator.clearRequests)
  const startMs: Array<number> = []
  try {
    for (let j = 0; j < SEPARATE; j++) {
      const t0 = performance.now()
      const instance = miniflare(dir)
      await instance.ready
      startMs.push(performance.now() - t0)
      try {
        await verifyOnce(instance, store)
        // The isolate's write runs in its waitUntil; the instance is stopped once it has landed.
        check(`separate instance ${j + 1} holds the JWKS in ${store}`, await settled(instance, store))
      } finally {
        await instance.dispose()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  separate[store] = { instances: SEPARATE, jwksRequests: (await jwksRequests()).length, startMs }
}
await server.stop()
if (workerdOutput.length > 0) log(`workerd said:\n${workerdOutput.join("").split("\n").slice(0, 20).join("\n")}`)

const summarize = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]
  return {
    median: sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    p25: q(0.25),
    p75: q(0.75),
    count: sorted.length
  }
}

/** The phase's times: for a store, only the isolates that found it warm (sent no JWKS request). */
const timesOf = (contender: Contender, phase: Phase) => {
  const samples = contender === "kv" || contender === "cache" ? phase.samples.filter((s) => s.jwks === 0) : phase.samples
  return {
    jwksRequests: phase.jwksRequests,
    // Client-side, effect-clerk only: the isolates that asked Clerk themselves.
    isolatesThatFetched: contender === "backend" || contender === "jose"
      ? undefined
      : phase.samples.filter((s) => (s.jwks ?? 0) > 0).length,
    ms: summarize(samples.map((s) => s.ms)),
    rtt: summarize(samples.map((s) => s.rtt))
  }
}

const pkg = (name: string) => JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8")).version as string

console.log(JSON.stringify({
  row7: {
    isolates: ISOLATES,
    rounds: ROUNDS,
    delayedRounds: DELAYED_ROUNDS,
    delayMs: DELAY_MS,
    contenders: CONTENDERS.map((id) => ({
      id,
      loopback: timesOf(id, loopback[id]),
      delayed: timesOf(id, delayed[id]),
      burst: burstCounts[id]
    })),
    separate,
    versions: { miniflare: pkg("miniflare"), workerd: pkg("workerd") },
    seconds: (Date.now() - started) / 1000
  }
}))
