/**
 * Soak over a real socket: many calls across every Sessions method and TokenVerifier.verify
 * at concurrency 100, with 20% of the requests the emulator receives answered by a random
 * fault (429s, 5xx, an HTML page, truncated or wrong-shape bodies, hangs, dropped
 * connections, slow answers). Every call must end in a success or a documented typed
 * error: no defect, no interruption, no hang (each call has an outer bound that counts as
 * a hang). createSession and refreshSession are sent exactly once per call. Heap before and
 * after and the outcomes per tag are printed.
 *
 * CI runs 2,000 calls; SOAK_FULL=1 runs 10,000 (SOAK_CALLS=n for any other count).
 */
import * as Kernel from "#line/Kernel"
import { isSingleFailure, runCollect } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, type EmulatorRequest, Fault } from "../../src/testing/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"
import { countingFetch, heapUsedMb, runtimeName, serveHere, trackTimers } from "./support.js"

const CALLS = Number(process.env.SOAK_CALLS ?? (process.env.SOAK_FULL === "1" ? 10_000 : 2_000))
const CONCURRENCY = 100
const FAULT_RATE = 0.2
// Client and server share this process's CPU: at concurrency 100 an answer can queue for
// hundreds of milliseconds, so the per-attempt timeout leaves room for that.
const TIMEOUT = Duration.seconds(2)
const RETRY = { times: 2, baseDelay: "10 millis", maxDelay: "100 millis", maxRetryAfter: "2 seconds" } as const
/** A call still running after this is a hang: 3 attempts × 2 s + 2 waits of ≤ 2 s is 10 s at most. */
const HANG_BOUND = Duration.seconds(30)
const SEED = Number(process.env.SOAK_SEED ?? 20260512)
const ORIGIN = "http://localhost:3000"

/** A small seeded PRNG (mulberry32), so a run's plan can be replayed with SOAK_SEED. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** The faults drawn from, each equally likely within the 20%. */
const FAULTS: ReadonlyArray<Fault> = [
  Fault.rateLimited({ retryAfter: 1 }),
  Fault.rateLimited({ retryAfter: 120 }),
  Fault.rateLimited(),
  Fault.status(500),
  Fault.html(502),
  Fault.status(503),
  Fault.status(504),
  Fault.truncatedJson(),
  Fault.wrongShape({ unexpected: true }),
  Fault.hang(),
  Fault.dropConnection(),
  Fault.delay("50 millis")
]

/** Every tag a call may end in: the documented errors of these methods, or success. */
const DOCUMENTED = new Set([
  "success",
  "ClerkBadRequest",
  "ClerkUnauthorized",
  "ClerkNotFound",
  "ClerkUnprocessableEntity",
  "ClerkRateLimited",
  "ClerkServerError",
  "ClerkUnexpectedStatus",
  "ClerkTransportError",
  "ClerkTimeout",
  "ClerkDecodeError",
  "ClerkTokenInvalid(JwkFailedToResolve)"
])

const METHODS = [
  "getSessionList",
  "listAll",
  "getSession",
  "revokeSession",
  "verifySession",
  "createSessionToken",
  "createSessionTokenFromTemplate",
  "createSession",
  "refreshSession",
  "TokenVerifier.verify"
] as const
type Method = (typeof METHODS)[number]

interface Live {
  readonly userId: string
  readonly sessionId: string
  readonly refreshToken: string
  readonly token: string
}


describe("soak", () => {
  it.live(`${CALLS} calls at concurrency ${CONCURRENCY} with ${FAULT_RATE * 100}% random faults`, () =>
    Effect.gen(function*() {
      const random = prng(SEED)
      const emulator = yield* Effect.promise(() =>
        ClerkEmulator.start({ verifyEndpoint: "legacy", sessionTokenLifetime: "1 hour" })
      )
      const server = yield* Effect.acquireRelease(Effect.promise(() => serveHere(emulator)), (s) =>
        Effect.promise(() => s.stop()))

      // 200 sessions of 50 users that stay live (reads, tokens, refresh, verify), and 500
      // more that revokeSession may end.
      const live: Array<Live> = []
      for (let i = 0; i < 200; i++) {
        const session = yield* emulator.seedSession({ id: `sess_live_${i}`, userId: `user_${i % 50}` })
        live.push({
          userId: session.userId,
          sessionId: session.id,
          refreshToken: session.refreshToken,
          token: yield* emulator.mintToken(session.id)
        })
      }
      for (let i = 0; i < 500; i++) yield* emulator.seedSession({ id: `sess_rev_${i}`, userId: `user_rev_${i % 50}` })
      yield* emulator.seedTemplate({ name: "soak", claims: { soak: true } })

      // 20% of requests, drawn once per request from the seeded generator (SOAK_SEED), get one of FAULTS.
      const draw = new WeakMap<EmulatorRequest, number>()
      const bucket = (request: EmulatorRequest) => {
        let value = draw.get(request)
        if (value === undefined) draw.set(request, value = random())
        return value < FAULT_RATE ? Math.floor((value / FAULT_RATE) * FAULTS.length) : -1
      }
      for (const [index, fault] of FAULTS.entries()) {
        yield* emulator.injectFault(fault, { times: Infinity, match: (request) => bucket(request) === index })
      }

      const http = countingFetch()
      const client = ClerkClient.layer({
        secretKey: emulator.secretKey,
        apiUrl: server.url,
        timeout: TIMEOUT,
        retry: RETRY
      }).pipe(Layer.provide(http.layer))
      // The JWKS is refetched every second and a failed fetch retried after 100 ms, so the
      // verifier's fetches meet the faults all through the run, and one unlucky first fetch
      // (its 3 attempts faulted or timed out on a busy machine) cannot fail every verify for
      // the default 30 s failure cooldown, longer than the run.
      const verifierLayer = TokenVerifier.layer({
        authorizedParties: [ORIGIN],
        jwksCacheTtl: "1 second",
        jwksFailureCooldown: "100 millis"
      })
      const services = Layer.mergeAll(Sessions.layer, verifierLayer).pipe(
        Layer.provide(client)
      )

      const plan = Array.from({ length: CALLS }, () => ({
        method: METHODS[Math.floor(random() * METHODS.length)],
        live: live[Math.floor(random() * live.length)],
        revoke: `sess_rev_${Math.floor(random() * 500)}`
      }))
      const callOf = (
        s: Sessions.Service,
        verifier: TokenVerifier.Service,
        step: (typeof plan)[number]
      ): Effect.Effect<unknown, { readonly _tag: string }> => {
        const { live: l } = step
        switch (step.method) {
          case "getSessionList":
            return s.getSessionList({ userId: l.userId, limit: 10 })
          case "listAll":
            return runCollect(s.listAll({ userId: l.userId, limit: 2 }))
          case "getSession":
            return s.getSession(l.sessionId)
          case "revokeSession":
            return s.revokeSession(step.revoke)
          case "verifySession":
            return s.verifySession(l.sessionId, { token: Redacted.make(l.token) })
          case "createSessionToken":
            return s.createSessionToken(l.sessionId)
          case "createSessionTokenFromTemplate":
            return s.createSessionTokenFromTemplate(l.sessionId, "soak")
          case "createSession":
            return s.createSession({ userId: l.userId })
          case "refreshSession":
            return s.refreshSession(l.sessionId, {
              expiredToken: Redacted.make(l.token),
              refreshToken: Redacted.make(l.refreshToken),
              requestOrigin: ORIGIN
            })
          case "TokenVerifier.verify":
            return verifier.verify(l.token)
        }
      }

      // Two rounds with the same client: the heap after each (after GC, request log emptied)
      // shows whether memory grows with the number of calls or only warms up once.
      const heap = [yield* Effect.promise(heapUsedMb)]
      const timers = yield* Effect.acquireRelease(Effect.sync(trackTimers), (t) => Effect.sync(t.restore))
      const started = Date.now()
      // Only the method and tag of each outcome are kept (keeping every value would put the
      // test's own memory into the heap figures), plus one success value per method.
      const outcomes: Array<{ readonly method: Method; readonly tag: string; readonly millis: number }> = []
      const samples = new Map<Method, unknown>()
      const served = { total: 0, faulted: 0, byRoute: new Map<string, number>() }
      yield* Effect.gen(function*() {
        const s = yield* Sessions
        const verifier = yield* TokenVerifier
        for (const round of [plan.slice(0, CALLS / 2), plan.slice(CALLS / 2)]) {
          const exits = yield* Effect.forEach(round, (step) =>
            Effect.suspend(() => {
              const began = performance.now()
              return Kernel.timeoutFail(callOf(s, verifier, step), HANG_BOUND, () => "hang" as const).pipe(
                Effect.exit,
                Effect.map((exit) => {
                  if (Exit.isSuccess(exit) && !samples.has(step.method)) samples.set(step.method, exit.value)
                  return { method: step.method, tag: tagOf(exit), millis: performance.now() - began }
                })
              )
            }), { concurrency: CONCURRENCY })
          outcomes.push(...exits)
          const log = yield* emulator.requests
          yield* emulator.clearRequests
          served.total += log.length
          served.faulted += log.filter((r) => r.fault !== undefined).length
          for (const r of log) served.byRoute.set(r.route ?? "none", (served.byRoute.get(r.route ?? "none") ?? 0) + 1)
          heap.push(yield* Effect.promise(heapUsedMb))
        }
      }).pipe(Effect.provide(services))
      const seconds = (Date.now() - started) / 1000
      // Every timer set during the calls (attempt timeouts, backoffs, Retry-After waits, the
      // outer bounds, the emulator's delays) has fired or been cleared.
      const timersLeft = timers.live()

      const byRoute = (route: string) => served.byRoute.get(route) ?? 0
      const calls = (method: Method) => outcomes.filter((o) => o.method === method).length
      const tally = new Map<string, number>()
      const perMethod = new Map<string, Map<string, number>>()
      for (const { method, tag } of outcomes) {
        tally.set(tag, (tally.get(tag) ?? 0) + 1)
        const m = perMethod.get(method) ?? new Map<string, number>()
        m.set(tag, (m.get(tag) ?? 0) + 1)
        perMethod.set(method, m)
      }
      const successes = outcomes.filter((o) => o.tag === "success")
      // The success values are real: a sample of each kind decodes to what was asked for.
      const sampleOf = (method: Method) => samples.get(method)

      const percentile = (sorted: ReadonlyArray<number>, p: number) =>
        Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))])
      const latencies = successes.map((o) => o.millis).sort((a, b) => a - b)
      const report = [
        `soak (${runtimeName}): ${CALLS} calls, concurrency ${CONCURRENCY}, seed ${SEED}, ${seconds.toFixed(1)} s`,
        `  requests served ${served.total} (client attempts ${http.counter.attempts}), faulted ${served.faulted} (${
          (100 * served.faulted / served.total).toFixed(1)
        }%)`,
        `  heap after GC: before ${heap[0]} MB, after ${CALLS / 2} calls ${heap[1]} MB, after ${CALLS} calls ${heap[2]} MB`,
        `  successful call duration (ms, retries included): p50 ${percentile(latencies, 0.5)}, p90 ${
          percentile(latencies, 0.9)
        }, p99 ${percentile(latencies, 0.99)}, max ${percentile(latencies, 1)}`,
        `  outcomes: ${[...tally].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(", ")}`,
        ...[...perMethod].map(([m, t]) => `    ${m}: ${[...t].map(([k, n]) => `${k} ${n}`).join(", ")}`)
      ].join("\n")
      console.log(report)

      // Every call ended, in a documented outcome: no defect, no interruption, no hang.
      expect(outcomes).toHaveLength(CALLS)
      expect(tally.get("defect") ?? 0).toBe(0)
      expect(tally.get("hang") ?? 0).toBe(0)
      expect([...tally.keys()].filter((tag) => !DOCUMENTED.has(tag))).toEqual([])
      // The faults really happened, at about the rate asked for, and most calls still succeeded.
      expect(served.faulted / served.total).toBeGreaterThan(FAULT_RATE - 0.05)
      expect(served.faulted / served.total).toBeLessThan(FAULT_RATE + 0.05)
      expect(successes.length / CALLS).toBeGreaterThan(0.7)
      for (const tag of ["ClerkRateLimited", "ClerkServerError", "ClerkDecodeError", "ClerkTimeout", "ClerkTransportError"]) {
        expect(tally.get(tag) ?? 0, tag).toBeGreaterThan(0)
      }
      // Never re-sent: one request per createSession / refreshSession call.
      expect(byRoute("createSession")).toBe(calls("createSession"))
      expect(byRoute("refreshSession")).toBe(calls("refreshSession"))
      // Safe methods within the policy: at most 1 + 2 requests per call.
      for (const [route, method] of [["getSession", "getSession"], ["revokeSession", "revokeSession"]] as const) {
        expect(byRoute(route)).toBeLessThanOrEqual(calls(method) * (1 + RETRY.times))
      }
      // The server never saw more requests than the client started (no hidden re-sends below
      // the SDK); an attempt may time out before the server reads it.
      expect(served.total).toBeLessThanOrEqual(http.counter.attempts)
      expect((sampleOf("getSession") as any)?.status).toBe("active")
      expect((sampleOf("revokeSession") as any)?.status).toBe("revoked")
      expect((sampleOf("createSession") as any)?.status).toBe("active")
      expect(Array.isArray(sampleOf("listAll"))).toBe(true)
      expect((sampleOf("TokenVerifier.verify") as any)?.azp).toBe(ORIGIN)
      // Memory does not grow with the calls: after the first round warmed everything up, the
      // second adds less than 2 MB + 0.5 KB per call (a leak of one error or response per
      // call would be several KB each).
      expect(heap[2] - heap[1]).toBeLessThan(2 + (CALLS / 2) * 0.0005)
      expect(timers.peak()).toBeGreaterThanOrEqual(CONCURRENCY)
      expect(timersLeft).toBe(0)
    }).pipe(Effect.scoped), 300_000)
})

const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Kernel.failureOf(exit.cause)
  if (!isSingleFailure(exit.cause) || failure._tag === "None") return "defect"
  const error = failure.value as { _tag?: string; reason?: string } | "hang"
  if (error === "hang") return "hang"
  return error._tag === "ClerkTokenInvalid" ? `ClerkTokenInvalid(${error.reason})` : String(error._tag)
}
