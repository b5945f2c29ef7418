/**
 * Row 4: throughput over loopback. A local node:http server (its own process, bench/server.mjs)
 * answers every request with the same session body; each contender runs 200 getSession
 * calls at a time until `total` are done, through the same global `fetch`. Contenders are
 * interleaved round by round; the number is the median requests per second.
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ClerkClient } from "../src/ClerkClient.js"
import { Sessions } from "../src/Sessions.js"
import { SECRET_KEY, SESSION_ID, SESSION_TEXT } from "./fixtures.js"
import { check, median } from "./harness.js"
// The line's HTTP client: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { fetchHttpClientLayer, HttpClient } from "#bench-line/Http"

const CONCURRENCY = 200
const total = Number(process.env.BENCH_LOOPBACK_TOTAL ?? 4000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)

const bodyFile = join(tmpdir(), `effect-clerk-bench-session-${process.pid}.json`)
writeFileSync(bodyFile, SESSION_TEXT)
// Run from the repository root (scripts/bench.mjs does).
const server = spawn(process.execPath, [join(process.cwd(), "bench", "server.mjs"), bodyFile], {
  stdio: ["pipe", "pipe", "inherit"]
})
const port = await new Promise<number>((resolve, reject) => {
  server.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())))
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)))
})
const apiUrl = `http://127.0.0.1:${port}`

const { createClerkClient } = await import("@clerk/backend")
const clerk = createClerkClient({ secretKey: SECRET_KEY, apiUrl })
const options = { secretKey: Redacted.make(SECRET_KEY), apiUrl }
// effect-clerk as a Worker runs it (`layerFetch`), and through the line's HttpClient.
const sessionsService = Effect.gen(function*() {
  return yield* Sessions
})
const rt = ManagedRuntime.make(Sessions.layer.pipe(Layer.provide(ClerkClient.layerFetch(options))))
const sessions = await rt.runPromise(sessionsService)
const rtHttp = ManagedRuntime.make(
  Sessions.layer.pipe(Layer.provide(ClerkClient.layer(options)), Layer.provide(fetchHttpClientLayer))
)
const sessionsHttp = await rtHttp.runPromise(sessionsService)
const url = `${apiUrl}/v1/sessions/${SESSION_ID}`
// What any Effect program pays for the same GET through its line's fetch client.
const platformRt = ManagedRuntime.make(fetchHttpClientLayer)
const platformGet = Effect.flatMap(HttpClient, (client) =>
  Effect.flatMap(client.get(url), (response) => Effect.map(response.text, (text) => JSON.parse(text))))

const contenders: ReadonlyArray<{ name: string; call: () => Promise<{ id: string }> }> = [
  { name: "effect-clerk", call: () => rt.runPromise(sessions.getSession(SESSION_ID)) },
  { name: "effect-clerk (HttpClient)", call: () => rtHttp.runPromise(sessionsHttp.getSession(SESSION_ID)) },
  { name: "@clerk/backend", call: () => clerk.sessions.getSession(SESSION_ID) },
  { name: "floor", call: async () => JSON.parse(await (await fetch(url)).text()) },
  // The same with what bounds a request (an AbortSignal and a timer), which effect-clerk
  // sends on every attempt and @clerk/backend does not.
  {
    name: "floor (bounded)",
    call: async () => {
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), 10_000)
      try {
        return JSON.parse(await (await fetch(url, { signal: controller.signal })).text())
      } finally {
        clearTimeout(timer)
      }
    }
  },
  { name: "platform", call: () => platformRt.runPromise(platformGet) }
]

/** `total` calls, `CONCURRENCY` in flight at a time; requests per second. */
const pool = async (call: () => Promise<{ id: string }>, n: number): Promise<number> => {
  let next = 0
  let ok = 0
  const started = performance.now()
  const worker = async () => {
    while (next < n) {
      next++
      if ((await call()).id === SESSION_ID) ok++
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const seconds = (performance.now() - started) / 1000
  check("every loopback call returned the session", ok === n)
  return n / seconds
}

const results = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
for (const c of contenders) await pool(c.call, total) // warm-up: connections open, JIT settled
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(k + r) % contenders.length]
    results.get(c.name)!.push(await pool(c.call, total))
  }
  process.stderr.write(`  loopback: round ${r + 1}/${rounds}\r`)
}
process.stderr.write("\n")

await Promise.all([rt.dispose(), rtHttp.dispose(), platformRt.dispose()])
server.stdin!.end()
server.kill()
const row4 = contenders.map((c) => {
  const values = results.get(c.name)!
  return { name: c.name, median: median(values), low: Math.min(...values), high: Math.max(...values), rounds: values }
})
process.stdout.write(JSON.stringify({ row4, total, concurrency: CONCURRENCY }) + "\n")
