/**
 * Cold bursts on real workerd: concurrent HTTP requests to one fresh isolate (a new Miniflare,
 * so a new workerd process), against the Clerk emulator served from this process with 40 ms
 * of latency on `GET /v1/jwks`, as a Worker meets Clerk at the start of a busy minute. Every
 * request must verify; workerd cancels a request that awaits I/O another request owns.
 * Run for each release line by wrangler-dev.test.ts and effect4-wrangler-dev.test.ts.
 */
import * as Effect from "effect/Effect"
import { build, type Plugin } from "esbuild"
import { Miniflare } from "miniflare"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClerkEmulator, Fault, type ServedEmulator } from "../../../src/testing/index.js"
import { NodeClerkEmulator } from "../../../src/testing/node/index.js"
import { lineConditions, linePlugin } from "../../../scripts/lines.mjs"
import { root } from "../support/run.js"

const SECRET_KEY = "sk_test_cold_burst"
const LATENCY_MS = 40
const BURST = 25

/** A Worker bundled for `line`, as wrangler bundles one (workerd's conditions). */
const bundle = async (line: "effect3" | "effect4", dir: string, entry = "test/runtimes/burst/worker.ts"): Promise<string> => {
  const outfile = join(dir, `${entry.replace(/\W/g, "_")}-${line}.js`)
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: [...lineConditions(line), "workerd", "worker", "browser", "import", "default"],
    mainFields: ["module", "main"],
    alias: { "effect-clerk": join(root, "src/index.ts") },
    plugins: [linePlugin(line) as Plugin],
    logLevel: "error"
  })
  return outfile
}

export const coldBurstSuite = (line: "effect3" | "effect4") =>
  describe(`cold bursts on workerd (${line}): ${BURST} concurrent requests to one fresh isolate, Clerk at ${LATENCY_MS} ms`, () => {
    let emulator: ClerkEmulator.Service
    let served: ServedEmulator
    let dir: string
    let script: string
    const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "effect-clerk-burst-"))
      script = await bundle(line, dir)
      emulator = await ClerkEmulator.start({ secretKey: SECRET_KEY })
      served = await NodeClerkEmulator.serve(emulator)
    }, 60_000)
    afterAll(async () => {
      await served?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    /** A fresh isolate: a new workerd, its KV kept in `kv` (shared by isolates given the same folder). */
    const isolate = async (kv: string, bindings: Record<string, string> = {}) => {
      const mf = new Miniflare({
        modules: true,
        scriptPath: script,
        modulesRoot: dir,
        compatibilityDate: "2026-03-01",
        kvNamespaces: ["CLERK_JWKS"],
        kvPersist: kv,
        bindings: { CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: served.url, ...bindings }
      })
      await mf.ready
      return mf
    }

    const freshToken = async () => {
      const user = await run(emulator.seedUser({}))
      const session = await run(emulator.seedSession({ userId: user.id }))
      return { sid: session.id, jwt: await run(emulator.mintToken(session.id)) }
    }

    /** A clean log, Clerk's latency on /v1/jwks, and a fresh session's token. */
    const freshStart = async () => {
      await run(Effect.andThen(emulator.clearFaults, emulator.clearRequests))
      await latency()
      return freshToken()
    }

    const latency = () => run(emulator.injectFault(Fault.delay(LATENCY_MS), { route: "getJwks", times: 10_000 }))
    const jwksFetches = async () => (await run(emulator.requests)).filter((r) => r.route === "getJwks").length

    /** `count` requests sent together; their statuses and bodies. */
    const burst = (mf: Miniflare, store: string, jwts: ReadonlyArray<string>) =>
      Promise.all(jwts.map(async (jwt) => {
        const response = await mf.dispatchFetch(`http://burst.test/verify?store=${store}`, {
          headers: { authorization: `Bearer ${jwt}` }
        })
        const text = await response.text()
        // workerd's own answer to a canceled request is plain text ("Error: The Workers runtime canceled…").
        const body = response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : { text: text.slice(0, 120) }
        return { status: response.status, body: body as Record<string, unknown> }
      }))

    const expectAllVerified = (results: ReadonlyArray<{ status: number; body: Record<string, unknown> }>, sid: string) =>
      expect(results).toEqual(Array.from({ length: results.length }, () => ({ status: 200, body: { sid } })))

    for (const store of ["none", "kv"] as const) {
      it(`store ${store}: every request of the burst verifies, with one JWKS fetch for the isolate`, async () => {
        const { jwt, sid } = await freshStart()
        const mf = await isolate(mkdtempSync(join(dir, "kv-")))
        try {
          expectAllVerified(await burst(mf, store, Array(BURST).fill(jwt)), sid)
          expect(await jwksFetches()).toBe(1)
        } finally {
          await mf.dispose()
        }
      }, 60_000)
    }

    it("a second cold isolate reads the JWKS the first stored in KV: the whole burst verifies with no fetch", async () => {
      const { jwt, sid } = await freshStart()
      const kv = mkdtempSync(join(dir, "kv-"))
      const first = await isolate(kv)
      try {
        expectAllVerified(await burst(first, "kv", [jwt]), sid)
        // The store write runs in the request's waitUntil, after the response.
        const namespace = await first.getKVNamespace("CLERK_JWKS") as unknown as {
          list(): Promise<{ keys: Array<{ name: string }> }>
        }
        for (let i = 0; i < 200 && (await namespace.list()).keys.length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
        expect((await namespace.list()).keys.map((k) => k.name)).toEqual([expect.stringMatching(/^effect-clerk\/jwks\/v2\//)])
      } finally {
        await first.dispose()
      }
      expect(await jwksFetches()).toBe(1)
      const second = await isolate(kv)
      try {
        expectAllVerified(await burst(second, "kv", Array(BURST).fill(jwt)), sid)
        expect(await jwksFetches()).toBe(1)
      } finally {
        await second.dispose()
      }
    }, 60_000)

    for (const store of ["none", "kv"] as const) {
      it(`store ${store}: on a warm isolate after a key rotation, a burst of tokens with the new kid all verify`, async () => {
        const before = await freshStart()
        // No kid cooldown: the rotation's first token may refetch at once.
        const mf = await isolate(mkdtempSync(join(dir, "kv-")), { KID_COOLDOWN_MS: "0" })
        try {
          expectAllVerified(await burst(mf, store, [before.jwt]), before.sid)
          await run(emulator.rotateKey({ keepPrevious: false }))
          const after = await freshToken()
          expectAllVerified(await burst(mf, store, Array(BURST).fill(after.jwt)), after.sid)
          expect(await jwksFetches()).toBe(2)
        } finally {
          await mf.dispose()
        }
      }, 60_000)
    }

    if (line === "effect3") {
      it("the README's fleet Worker (examples/effect3/fleet/worker.ts, KV and the Durable Object): a cold burst all answers 200", async () => {
        const { jwt, sid } = await freshStart()
        const fleetScript = await bundle(line, dir, "examples/effect3/fleet/worker.ts")
        const mf = new Miniflare({
          modules: true,
          scriptPath: fleetScript,
          modulesRoot: dir,
          compatibilityDate: "2026-03-01",
          kvNamespaces: ["CLERK_JWKS"],
          durableObjects: { CLERK_RATE_LIMITER: { className: "ClerkRateLimiterObject", useSQLite: true } },
          bindings: { CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: served.url }
        })
        try {
          await mf.ready
          const results = await Promise.all(Array.from({ length: BURST }, async () => {
            const response = await mf.dispatchFetch("http://fleet.test/", { headers: { authorization: `Bearer ${jwt}` } })
            return { status: response.status, body: await response.text() }
          }))
          expect(results).toEqual(Array(BURST).fill({ status: 200, body: JSON.stringify({ sessionId: sid, status: "active" }) }))
          const anonymous = await mf.dispatchFetch("http://fleet.test/")
          expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: "sign in" }])
          expect(await jwksFetches()).toBe(1)
        } finally {
          await mf.dispose()
        }
      }, 60_000)
    }

    it("store kv: when the keys expire, a burst is served while one refresh runs in a request's waitUntil", async () => {
      const { jwt, sid } = await freshStart()
      const mf = await isolate(mkdtempSync(join(dir, "kv-")), { JWKS_TTL_MS: "300" })
      try {
        expectAllVerified(await burst(mf, "kv", [jwt]), sid)
        await new Promise((resolve) => setTimeout(resolve, 400))
        // Two bursts back to back: the first starts the background refresh, the second arrives while it runs.
        const [a, b] = await Promise.all([burst(mf, "kv", Array(BURST).fill(jwt)), burst(mf, "kv", Array(BURST).fill(jwt))])
        expectAllVerified([...a, ...b], sid)
        expect(await jwksFetches()).toBeGreaterThanOrEqual(2)
      } finally {
        await mf.dispose()
      }
    }, 60_000)
  })
