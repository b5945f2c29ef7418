/**
 * Row 9: scale. What grows, and what must not, when the work gets bigger:
 *
 *   A. `Sessions.listAll({ userId })` over 10,000 and 50,000 sessions from a local server
 *      (bench/server.mjs `--pages`, its own process, pages of 100 as listAll asks by default),
 *      the Stream drained with `Stream.runForEach` counting; beside it @clerk/backend paging
 *      by hand (`getSessionList({ userId, limit: 100, offset })` until a short page or the
 *      total). Time per session (this process's CPU, and wall), interleaved round by round;
 *      peak RSS above the RSS before the walk, each walk in a fresh process (this file again,
 *      `BENCH_SCALE_MEMORY=<contender>:<size>`) after one unmeasured page, sampled every 2 ms
 *      and every page.
 *   B. verifying a token with 1, 10 and 100 keys in the JWKS, keys cached: effect-clerk's
 *      `TokenVerifier.layer` (the JWKS from an in-memory fetch, once) against jose's
 *      `jwtVerify` over `createLocalJWKSet` of the same JWKS; the signing key is the last one.
 *   C. 1,000 concurrent calls in one isolate: `verify` on a cold `TokenVerifier.layer` (the
 *      JWKS fetches counted; the fetch answers after 10 ms, a round trip), jose's
 *      `createRemoteJWKSet` the same way, and `getSession` through a `ClerkClient` with
 *      `rateLimit: { limit: 1000 }` over `RateLimiter.layerMemory` against the same client
 *      without a rate limit (a mocked fetch). Total wall time, and how many completed.
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { createClerkClient } from "@clerk/backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { createLocalJWKSet, createRemoteJWKSet, customFetch, exportJWK, generateKeyPair, type JWK, jwtVerify } from "jose"
import { spawn } from "node:child_process"
import { generateKeyPair as generateNodeKeyPair } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { ClerkClient } from "../src/ClerkClient.js"
import { RateLimiter } from "../src/RateLimiter.js"
import { Sessions } from "../src/Sessions.js"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { API_URL, jsonResponse, listSession, SECRET_KEY, SESSION_ID, SESSION_TEXT, signSessionToken, TOKEN_AZP, TOKEN_KID } from "./fixtures.js"
import { check, median, runRow } from "./harness.js"
// The line's fetch service: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { Fetch } from "#bench-line/Http"

type FetchFn = typeof globalThis.fetch

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 150)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2000)
const memoryRuns = Number(process.env.BENCH_SCALE_MEMORY_RUNS ?? 3)

const SIZES = [10_000, 50_000] as const
const PAGE = 100
/** A memory run's first walk (not measured): one page, so loading and compiling the code is not in its peak. */
const WARM = PAGE
const CALLS = 1000
const JWKS_DELAY_MS = 10
const KEY_COUNTS = [1, 10, 100] as const
const KID = TOKEN_KID
const AZP = TOKEN_AZP
/** One user per size: the server answers `user_id=user_scale_<size>` with that many sessions. */
const userOf = (size: number) => `user_scale_${size}`

const sessionsService = Effect.gen(function*() {
  return yield* Sessions
})
const verifierService = Effect.gen(function*() {
  return yield* TokenVerifier
})

// ---------------------------------------------------------------------------------------
// A: listAll, one walk. `sample` is called every page (and every 2 ms by a timer).

interface Walker {
  readonly name: string
  readonly walk: (size: number, sample: () => void) => Promise<number>
  readonly dispose: () => Promise<void>
}

const walkers = (apiUrl: string): ReadonlyArray<Walker> => {
  const rt = ManagedRuntime.make(
    Sessions.layer.pipe(Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(SECRET_KEY), apiUrl })))
  )
  const clerk = createClerkClient({ secretKey: SECRET_KEY, apiUrl })
  return [
    {
      name: "effect-clerk",
      walk: async (size, sample) => {
        const sessions = await rt.runPromise(sessionsService)
        let n = 0
        await rt.runPromise(Stream.runForEach(sessions.listAll({ userId: userOf(size) }), (session) =>
          Effect.sync(() => {
            if (session.id !== "") n++
            if (n % PAGE === 0) sample()
          })))
        return n
      },
      dispose: () => rt.dispose()
    },
    {
      name: "@clerk/backend",
      walk: async (size, sample) => {
        let n = 0
        for (let offset = 0;;) {
          const page = await clerk.sessions.getSessionList({ userId: userOf(size), limit: PAGE, offset })
          for (const session of page.data) if (session.id !== "") n++
          sample()
          offset += page.data.length
          if (page.data.length < PAGE || offset >= page.totalCount) break
        }
        return n
      },
      dispose: async () => {}
    }
  ]
}

/** One walk with RSS sampled: the peak above the RSS before it, bytes. */
const walkMeasured = async (walker: Walker, size: number) => {
  const before = process.memoryUsage.rss()
  let peak = before
  const sample = () => {
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
  }
  const timer = setInterval(sample, 2)
  try {
    const n = await walker.walk(size, sample)
    sample()
    return { n, peakRss: peak - before, before }
  } finally {
    clearInterval(timer)
  }
}

// A fresh process for one walk (this file again): nothing of an earlier walk in its heap.
const memoryRun = process.env.BENCH_SCALE_MEMORY
if (memoryRun !== undefined) {
  const [name, size] = memoryRun.split(":")
  const walker = walkers(process.env.BENCH_SCALE_API_URL!).find((w) => w.name === name)!
  check(`${name} walked the warm-up page`, (await walker.walk(WARM, () => {})) === WARM)
  const result = await walkMeasured(walker, Number(size))
  check(`${name} walked all ${size} sessions`, result.n === Number(size))
  await walker.dispose()
  process.stdout.write(JSON.stringify(result) + "\n")
  process.exit(0)
}

const runChild = (extraEnv: Record<string, string>): Promise<{ n: number; peakRss: number; before: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1]], { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "inherit"] })
    let stdout = ""
    child.stdout!.on("data", (chunk) => (stdout += chunk))
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`memory run ${JSON.stringify(extraEnv)} exited with ${code}`))
      resolve(JSON.parse(stdout.trim().split("\n").pop()!))
    })
  })

const spread = (values: ReadonlyArray<number>) => ({ median: median(values), low: Math.min(...values), high: Math.max(...values), rounds: values })

// The server: every session of the largest size, written once for it to serve from.
const sessionsFile = join(tmpdir(), `effect-clerk-bench-scale-${process.pid}.json`)
const largest = Math.max(...SIZES)
writeFileSync(
  sessionsFile,
  JSON.stringify({
    users: Object.fromEntries([WARM, ...SIZES].map((size) => [userOf(size), size])),
    sessions: Array.from({ length: largest }, (_, i) => listSession(i))
  })
)
// Run from the repository root (scripts/bench.mjs does).
const server = spawn(process.execPath, [join(process.cwd(), "bench", "server.mjs"), sessionsFile, "--pages"], {
  stdio: ["pipe", "pipe", "inherit"]
})
const port = await new Promise<number>((resolve, reject) => {
  server.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())))
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)))
})
const apiUrl = `http://127.0.0.1:${port}`

const list = walkers(apiUrl)
for (const w of list) {
  for (const size of SIZES) check(`${w.name} walks all ${size} sessions`, (await w.walk(size, () => {})) === size)
}
// Warm-up (JIT, connections, the server's page cache), then interleaved rounds.
for (const w of list) await w.walk(SIZES[0], () => {})
const cells = list.flatMap((w) => SIZES.map((size) => ({ w, size, cpu: [] as Array<number>, wall: [] as Array<number> })))
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < cells.length; k++) {
    const cell = cells[(k + r) % cells.length]
    const since = process.cpuUsage()
    const t0 = performance.now()
    await cell.w.walk(cell.size, () => {})
    const wall = (performance.now() - t0) * 1e6
    const used = process.cpuUsage(since)
    cell.cpu.push(((used.user + used.system) * 1000) / cell.size)
    cell.wall.push(wall / cell.size)
  }
  process.stderr.write(`  listAll: round ${r + 1}/${rounds}\r`)
}
process.stderr.write("\n")
await Promise.all(list.map((w) => w.dispose()))

const rss = new Map<string, Array<number>>(cells.map((c) => [`${c.w.name}:${c.size}`, []]))
for (let run = 0; run < memoryRuns; run++) {
  for (const c of cells) {
    const key = `${c.w.name}:${c.size}`
    const result = await runChild({ BENCH_SCALE_MEMORY: key, BENCH_SCALE_API_URL: apiUrl })
    rss.get(key)!.push(result.peakRss)
  }
  process.stderr.write(`  listAll peak RSS: run ${run + 1}/${memoryRuns}\r`)
}
process.stderr.write("\n")
server.stdin!.end()
server.kill()
rmSync(sessionsFile, { force: true })

const listAll = {
  pageSize: PAGE,
  sizes: SIZES,
  memoryRuns,
  contenders: list.map((w) => ({
    name: w.name,
    bySize: Object.fromEntries(
      cells.filter((c) => c.w === w).map((c) => [c.size, {
        cpuPerSession: spread(c.cpu),
        wallPerSession: spread(c.wall),
        peakRss: spread(rss.get(`${w.name}:${c.size}`)!)
      }])
    )
  }))
}

// ---------------------------------------------------------------------------------------
// B: 1, 10, 100 keys in the JWKS. The 99 other keys are real RSA-2048 public keys, generated
// once per machine and kept (generating them takes most of a minute on a shared 2-core box).

const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true })
const signingJwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: "RS256", use: "sig" }
const decoysFile = join(process.cwd(), "node_modules", ".cache", "effect-clerk-bench-keys", "decoys-99.json")
const decoys: Array<JWK> = existsSync(decoysFile) ? JSON.parse(readFileSync(decoysFile, "utf8")) : []
if (decoys.length < 99) {
  process.stderr.write("  generating 99 RSA-2048 keys for the JWKS (once per machine)\n")
  const generate = promisify(generateNodeKeyPair)
  const fresh = await Promise.all(Array.from({ length: 99 - decoys.length }, () => generate("rsa", { modulusLength: 2048 })))
  for (const [i, pair] of fresh.entries()) {
    decoys.push({ ...(pair.publicKey.export({ format: "jwk" }) as JWK), kid: `ins_decoy_${decoys.length + i}`, alg: "RS256", use: "sig" })
  }
  mkdirSync(join(decoysFile, ".."), { recursive: true })
  writeFileSync(decoysFile, JSON.stringify(decoys))
}
/** A JWKS of `count` keys, the token's own the last. */
const jwksOf = (count: number) => ({ keys: [...decoys.slice(0, count - 1), signingJwk] })

const token = await signSessionToken(privateKey)
const SID = "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S"

/** A `fetch` answering every call with the JWKS text (after `delayMs`), counting the calls. */
const jwksFetch = (text: string, delayMs = 0) => {
  const counter = { calls: 0 }
  const fetch = (async () => {
    counter.calls++
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    return jsonResponse(text)
  }) as FetchFn
  return { fetch, counter }
}

/** effect-clerk's verifier over `TokenVerifier.layer`, its JWKS from `fetch`. */
const verifierRuntime = (fetch: FetchFn) =>
  ManagedRuntime.make(
    TokenVerifier.layer({ authorizedParties: [AZP] }).pipe(
      Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(SECRET_KEY), apiUrl: API_URL })),
      Layer.provide(Layer.succeed(Fetch, fetch))
    )
  )

const keyed = await Promise.all(KEY_COUNTS.map(async (count) => {
  const jwks = jwksOf(count)
  const served = jwksFetch(JSON.stringify(jwks))
  const rt = verifierRuntime(served.fetch)
  const verifier = await rt.runPromise(verifierService)
  const local = createLocalJWKSet(jwks)
  return { count, rt, verifier, local, served }
}))
for (const k of keyed) {
  check(`effect-clerk verifies with ${k.count} keys`, (await k.rt.runPromise(k.verifier.verify(token))).sid === SID)
  check(`jose verifies with ${k.count} keys`, (await jwtVerify(token, k.local, { algorithms: ["RS256"] })).payload.sid === SID)
}
const keysRow = await runRow("verify, 1/10/100 keys", [
  ...keyed.map((k) => ({ name: `effect-clerk/${k.count}`, fn: () => k.rt.runPromise(k.verifier.verify(token)) })),
  ...keyed.map((k) => ({ name: `jose/${k.count}`, fn: () => jwtVerify(token, k.local, { algorithms: ["RS256"] }) }))
], { rounds, budgetMs, warmupMs })
for (const k of keyed) check(`the ${k.count}-key JWKS was fetched once`, k.served.counter.calls === 1)
await Promise.all(keyed.map((k) => k.rt.dispose()))

// ---------------------------------------------------------------------------------------
// C: 1,000 concurrent calls in one isolate, each round on fresh instances.

interface Burst {
  readonly name: string
  /** Builds what the round needs (not timed), then returns the burst (timed) and the fetches it made. */
  readonly prepare: () => Promise<{ run: () => Promise<number>; fetches: () => number; dispose: () => Promise<void> }>
}

const jwksText = JSON.stringify(jwksOf(1))
const all = async (call: () => Promise<boolean>) => (await Promise.all(Array.from({ length: CALLS }, call))).filter(Boolean).length
const sessionClient = (rateLimited: boolean) => {
  const served = { calls: 0 }
  const fetch = (async () => {
    served.calls++
    return jsonResponse(SESSION_TEXT)
  }) as FetchFn
  const options = { secretKey: Redacted.make(SECRET_KEY), apiUrl: API_URL, ...(rateLimited ? { rateLimit: { limit: CALLS } } : {}) }
  const client = ClerkClient.layerFetch(options).pipe(Layer.provide(Layer.succeed(Fetch, fetch)))
  const rt = ManagedRuntime.make(
    Sessions.layer.pipe(Layer.provide(rateLimited ? client.pipe(Layer.provide(RateLimiter.layerMemory)) : client))
  )
  return { rt, served }
}
const bursts: ReadonlyArray<Burst> = [
  {
    name: "effect-clerk verify, cold TokenVerifier.layer",
    prepare: async () => {
      const served = jwksFetch(jwksText, JWKS_DELAY_MS)
      const rt = verifierRuntime(served.fetch)
      const verifier = await rt.runPromise(verifierService)
      return {
        run: () => all(() => rt.runPromise(verifier.verify(token)).then((claims) => claims.sid === SID)),
        fetches: () => served.counter.calls,
        dispose: () => rt.dispose()
      }
    }
  },
  {
    name: "jose verify, cold createRemoteJWKSet",
    prepare: async () => {
      const served = jwksFetch(jwksText, JWKS_DELAY_MS)
      const remote = createRemoteJWKSet(new URL(`${API_URL}/v1/jwks`), { [customFetch]: served.fetch })
      return {
        run: () => all(() => jwtVerify(token, remote, { algorithms: ["RS256"] }).then((result) => result.payload.sid === SID)),
        fetches: () => served.counter.calls,
        dispose: async () => {}
      }
    }
  },
  ...[true, false].map((rateLimited): Burst => ({
    name: rateLimited ? "effect-clerk getSession, rateLimit over RateLimiter.layerMemory" : "effect-clerk getSession, no rate limit",
    prepare: async () => {
      const { rt, served } = sessionClient(rateLimited)
      const sessions = await rt.runPromise(sessionsService)
      return {
        run: () => all(() => rt.runPromise(sessions.getSession(SESSION_ID)).then((session) => session.id === SESSION_ID)),
        fetches: () => served.calls,
        dispose: () => rt.dispose()
      }
    }
  }))
]

// The limiter is in the path: with the budget spent and `onLimit: "fail"`, call 1,001 is refused before it is sent.
{
  const served = { calls: 0 }
  const fetch = (async () => {
    served.calls++
    return jsonResponse(SESSION_TEXT)
  }) as FetchFn
  const rt = ManagedRuntime.make(
    Sessions.layer.pipe(
      Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(SECRET_KEY), apiUrl: API_URL, rateLimit: { limit: CALLS, onLimit: "fail" } })),
      Layer.provide(RateLimiter.layerMemory),
      Layer.provide(Layer.succeed(Fetch, fetch))
    )
  )
  const sessions = await rt.runPromise(sessionsService)
  const exits = await Promise.all(Array.from({ length: CALLS + 1 }, () => rt.runPromiseExit(sessions.getSession(SESSION_ID))))
  check("the rate limit grants 1,000 of 1,001 and sends only those", exits.filter((e) => e._tag === "Success").length === CALLS && served.calls === CALLS)
  await rt.dispose()
}

const burstRuns = new Map(bursts.map((b) => [b.name, { ms: [] as Array<number>, completed: [] as Array<number>, fetches: [] as Array<number> }]))
for (let r = -1; r < rounds; r++) {
  // Round -1 is the warm-up: JIT, nothing recorded.
  for (let k = 0; k < bursts.length; k++) {
    const b = bursts[(k + Math.max(r, 0)) % bursts.length]
    const prepared = await b.prepare()
    const t0 = performance.now()
    const completed = await prepared.run()
    const elapsed = performance.now() - t0
    await prepared.dispose()
    if (r < 0) continue
    const into = burstRuns.get(b.name)!
    into.ms.push(elapsed)
    into.completed.push(completed)
    into.fetches.push(prepared.fetches())
  }
  if (r >= 0) process.stderr.write(`  1,000 concurrent: round ${r + 1}/${rounds}\r`)
}
process.stderr.write("\n")
const concurrent = {
  calls: CALLS,
  jwksDelayMs: JWKS_DELAY_MS,
  contenders: bursts.map((b) => {
    const runs = burstRuns.get(b.name)!
    return { name: b.name, ms: spread(runs.ms), completed: runs.completed, fetches: runs.fetches }
  })
}

process.stdout.write(
  JSON.stringify({ row9: { listAll, keys: { counts: KEY_COUNTS, contenders: keysRow }, concurrent, rounds, budgetMs, warmupMs } }) + "\n"
)
