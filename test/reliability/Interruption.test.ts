/**
 * Interruption over real sockets: 1,000 concurrent getSession calls against a local server
 * that holds every request open; half are interrupted. The interrupted ones must abort their
 * fetch (the server sees those requests close), the rest complete, and nothing is left
 * behind: no timers, no open requests, no running fibers, no sockets. Each interrupted
 * call's connection is closed at once (not parked in the pool); the completed ones are kept
 * alive for reuse until the server's keep-alive timeout, after which no socket is left open
 * on either end.
 *
 * Both run once per transport: `ClerkClient.layer` over `FetchHttpClient`, and
 * `ClerkClient.layerFetch` (one `AbortController` per attempt, aborted on interruption).
 */
import * as Kernel from "#line/Kernel"
import { isInterrupted, runningRootFibers } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, Fault } from "../../src/testing/index.js"
import { sample } from "../support/samples.js"
import { clientLayer, serveHere, trackTimers, transportName, TRANSPORTS } from "./support.js"

const N = 1000

/**
 * Poll on the live clock until `done()`, for at most `seconds` of wall time. The bounds are
 * generous (a busy 2-core machine closes 1,000 sockets slowly); the assertion after each wait
 * says what must hold, so a wait that runs out fails there with the count it reached.
 */
const until = (done: () => boolean, seconds = 30) =>
  Effect.gen(function*() {
    const deadline = Date.now() + seconds * 1000
    while (!done() && Date.now() < deadline) yield* Effect.sleep("20 millis")
  })

/** Open TCP sockets of this process, both ends (Node reports them; Deno and Bun report none). */
const activeSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length

for (const transport of TRANSPORTS) {
  describe(`interruption via ${transportName(transport)}`, () => {
    it.live(`${N} concurrent calls, half interrupted: fetches aborted, nothing leaks`, () =>
      Effect.gen(function*() {
        const pending = new Map<string, ServerResponse>()
        const closedEarly = new Set<string>()
        let received = 0
        const server = createServer((req: IncomingMessage, res: ServerResponse) => {
          const id = decodeURIComponent(req.url!.split("/").pop()!)
          received++
          pending.set(id, res)
          res.on("close", () => {
            if (!res.writableEnded) closedEarly.add(id)
            pending.delete(id)
          })
        })
        server.keepAliveTimeout = 1000
        // Every connection the server accepted, until it closes.
        const sockets = new Set<Socket>()
        let connections = 0
        server.on("connection", (socket: Socket) => {
          connections++
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
        })
        const socketsBefore = activeSockets()
        yield* Kernel.callback<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        })
        const port = (server.address() as AddressInfo).port
        const timers = yield* Effect.acquireRelease(Effect.sync(trackTimers), (t) => Effect.sync(t.restore))

        const layer = Sessions.layer.pipe(
          Layer.provide(
            clientLayer(transport, {
              secretKey: Redacted.make("sk_test_interrupt"),
              apiUrl: `http://127.0.0.1:${port}`,
              // Longer than the test may take on a busy machine: the held calls must not time out.
              timeout: "10 minutes"
            })
          )
        )
        const result = yield* Effect.gen(function*() {
          const sessions = yield* Sessions
          const fibers = yield* Effect.forEach(
            Array.from({ length: N }, (_, i) => `sess_${i}`),
            (id) => Kernel.fork(sessions.getSession(id))
          )
          // Every request reaches the server and is held open.
          while (received < N) yield* Effect.sleep("20 millis")
          expect(pending.size).toBe(N)

          const interrupted = fibers.filter((_, i) => i % 2 === 0)
          const completed = fibers.filter((_, i) => i % 2 === 1)
          yield* Effect.forEach(interrupted, Fiber.interrupt, { concurrency: "unbounded", discard: true })
          // The server sees exactly the interrupted requests close before being answered.
          yield* until(() => closedEarly.size >= N / 2)
          expect(closedEarly.size).toBe(N / 2)
          expect([...closedEarly].every((id) => Number(id.slice(5)) % 2 === 0)).toBe(true)
          // Their connections are gone too, not parked half-used: one per held request is left.
          yield* until(() => sockets.size <= N / 2)
          expect(sockets.size).toBe(N / 2)

          // Answer the others: each completes with the decoded session.
          const body = JSON.stringify(sample("session_get_200"))
          for (const res of pending.values()) {
            res.writeHead(200, { "content-type": "application/json" }).end(body)
          }
          const exits = yield* Effect.forEach(completed, Fiber.await, { concurrency: "unbounded" })
          return { exits, interruptedExits: yield* Effect.forEach(interrupted, Fiber.await) }
        }).pipe(Effect.provide(layer))

        expect(result.exits.every(Exit.isSuccess)).toBe(true)
        expect(result.interruptedExits.every((e) => isInterrupted(e))).toBe(true)
        expect(pending.size).toBe(0)
        // Per-attempt timeout timers were all cleared (the 10 min timeouts would otherwise linger).
        expect(timers.peak()).toBeGreaterThanOrEqual(N)
        expect(timers.live()).toBe(0)
        // No fiber of ours is still running.
        // (effect 4 keeps no registry of root fibers to count.)
        if (runningRootFibers !== undefined) expect(yield* runningRootFibers).toBeLessThanOrEqual(1)
        // Each request had its own connection and nothing was re-sent. (Node's fetch, undici, also
        // opens one idle connection per call completed after others were aborted, with or without
        // this SDK; it closes them after its 4 s idle timeout.) Then nothing is open on either end.
        expect(received).toBe(N)
        expect(connections).toBeGreaterThanOrEqual(N)
        yield* until(() => sockets.size === 0 && activeSockets() <= socketsBefore)
        expect(sockets.size).toBe(0)
        expect(activeSockets()).toBeLessThanOrEqual(socketsBefore)
        server.closeAllConnections()
        yield* Kernel.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
        })
      }).pipe(Effect.scoped), 150_000)

    it.live("interrupted while waiting out Retry-After or a backoff: the wait ends at once, no timer is left, nothing more is sent", () =>
      Effect.gen(function*() {
        const emulator = yield* Effect.promise(() => ClerkEmulator.start())
        const server = yield* Effect.acquireRelease(Effect.promise(() => serveHere(emulator)), (s) =>
          Effect.promise(() => s.stop()))
        for (let i = 0; i < 100; i++) yield* emulator.seedSession({ id: `sess_wait_${i}`, userId: "user_wait" })
        // getSession: 429 asking for 50 s; createSessionToken: 503 with 50 s backoffs. Waits that
        // long cannot end by themselves during the test, however slowly a busy machine runs it.
        yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 50 }), { route: "getSession", times: Infinity })
        yield* emulator.injectFault(Fault.status(503), { route: "createSessionToken", times: Infinity })
        const timers = yield* Effect.acquireRelease(Effect.sync(trackTimers), (t) => Effect.sync(t.restore))
        const layer = Sessions.layer.pipe(
          Layer.provide(
            clientLayer(transport, {
              secretKey: emulator.secretKey,
              apiUrl: server.url,
              retry: { baseDelay: "50 seconds", maxDelay: "50 seconds", maxRetryAfter: "50 seconds", deadline: "10 minutes" }
            })
          )
        )
        const exits = yield* Effect.gen(function*() {
          const sessions = yield* Sessions
          const fibers = yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) =>
            Kernel.fork<unknown, unknown, never>(
              i % 2 === 0 ? sessions.getSession(`sess_wait_${i}`) : sessions.createSessionToken(`sess_wait_${i}`)
            ))
          // Every first attempt was answered; all 100 calls are now waiting to retry.
          while ((yield* emulator.requests).filter((r) => r.status !== undefined).length < 100) {
            yield* Effect.sleep("20 millis")
          }
          // Each waiting call holds a timer, once the client has read its answer (not at once on
          // a busy machine: wait for the timers rather than for a fixed time).
          yield* until(() => timers.live() >= 100)
          expect(timers.live()).toBeGreaterThanOrEqual(100)
          const started = Date.now()
          yield* Effect.forEach(fibers, Fiber.interrupt, { concurrency: "unbounded", discard: true })
          // The waits are 50 s: returning well before that proves they were cut short (however
          // slow the machine), and no timer is left (below).
          expect(Date.now() - started).toBeLessThan(20_000)
          return yield* Effect.forEach(fibers, Fiber.await)
        }).pipe(Effect.provide(layer))
        expect(exits.every(isInterrupted)).toBe(true)
        expect(timers.live()).toBe(0)
        yield* Effect.sleep("300 millis")
        const log = yield* emulator.requests
        expect(log.map((r) => r.status).filter((s) => s === 429)).toHaveLength(50)
        expect(log.map((r) => r.status).filter((s) => s === 503)).toHaveLength(50)
        expect(log).toHaveLength(100)
      }).pipe(Effect.scoped), 90_000)
  })
}
