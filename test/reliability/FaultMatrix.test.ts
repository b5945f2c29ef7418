/**
 * The fault matrix, over a real socket on 127.0.0.1: every Sessions method (and the JWKS
 * fetch behind TokenVerifier) × every fault the emulator can script, plus a refused
 * connection. Each cell ends in the typed outcome README.md documents ("Errors",
 * "Configuration, retries and timeouts"); the server's request log proves how often it was
 * sent (never more than the policy allows, createSession/refreshSession exactly once) and
 * when (never before Retry-After). Retryable faults also run "once", where safe methods
 * must recover with exactly one retry.
 *
 * The cells run concurrently (each has its own session, user and User-Agent, and its fault
 * matches only its own requests); every cell is then checked by its own test.
 *
 * The whole matrix, the policy limits and the served-emulator check run once per transport:
 * `ClerkClient.layer` over `FetchHttpClient`, and `ClerkClient.layerFetch` (fetch directly).
 */
import { causeOf, Either, runCollect, streamEither } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { RetryPolicy } from "../../src/ClerkClient.js"
import type { Session, SessionList, SessionToken } from "../../src/Session.js"
import type { SessionClaims } from "../../src/SessionClaims.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, type EmulatorRequest, Fault, type ServedEmulator } from "../../src/testing/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"
import { clientLayer, countingFetch, refusedUrl, serveHere, type Transport, transportName, TRANSPORTS } from "./support.js"

/**
 * The per-attempt timeout: short where every attempt of the cell hangs (only the timeout can
 * end those, so the cells end quickly whatever the machine's speed), and far above any answer's
 * latency elsewhere, so that a busy machine never turns a slow answer into a timeout and a
 * retry. (At 5 s, with the load average at 12 on 2 cores, 49 cells did.) A hang "once" on a
 * safe method is followed by a retry that must succeed: those cells wait out a middle timeout
 * once, and run first, so the wait overlaps the other cells.
 */
const HANG_TIMEOUT_MS = 1000
const HANG_ONCE_TIMEOUT_MS = 15_000
const TIMEOUT_MS = 60_000
const hangs = (cell: Cell) => cell.row.fault !== undefined && cell.row.served?.fault === "Hang"
const timeoutOf = (cell: Cell) =>
  !hangs(cell) ? TIMEOUT_MS : cell.mode === "once" && cell.method.safe ? HANG_ONCE_TIMEOUT_MS : HANG_TIMEOUT_MS
/**
 * Room for a busy machine in the wall-clock upper bounds below: they prove that a call ends
 * (no unbounded wait, no 120 s Retry-After honoured), not how fast. The waits themselves are
 * bounded from below on the server's clock here, and exactly on the TestClock in
 * ClerkClient.test.ts.
 */
const SLACK_MS = 60_000
const POLICY = {
  times: 2,
  baseDelay: "20 millis",
  maxDelay: "100 millis",
  maxRetryAfter: "2 seconds",
  // Far above what any cell needs, so a busy machine never makes the deadline cut a cell's
  // retries short.
  deadline: "10 minutes"
} as const satisfies RetryPolicy
const ORIGIN = "http://localhost:3000"

interface Ctx {
  readonly sessionId: string
  readonly userId: string
  readonly refreshToken: string
  readonly token: string
}

interface Method {
  readonly name: string
  /** Retried by the policy (GETs, revoke, verify, token minting, the JWKS fetch). */
  readonly safe: boolean
  readonly call: (ctx: Ctx) => Effect.Effect<unknown, unknown, Sessions | TokenVerifier>
  /** What a user sees when the call succeeds. */
  readonly succeeded: (value: any, ctx: Ctx) => void
}

const sessions = <A, E>(f: (s: Sessions.Service) => Effect.Effect<A, E>) => Effect.flatMap(Sessions, f)
const payloadOf = (token: SessionToken): Record<string, unknown> =>
  JSON.parse(atob(Redacted.value(token.jwt).split(".")[1].replace(/-/g, "+").replace(/_/g, "/")))

const methods: ReadonlyArray<Method> = [
  {
    name: "getSessionList",
    safe: true,
    call: (c) => sessions((s) => s.getSessionList({ userId: c.userId })),
    succeeded: (v: SessionList, c) => expect([v.data.map((s) => s.id), v.totalCount]).toEqual([[c.sessionId], 1])
  },
  {
    name: "listAll",
    safe: true,
    call: (c) => sessions((s) => runCollect(s.listAll({ userId: c.userId }))),
    succeeded: (v: ReadonlyArray<Session>, c) => expect(v.map((s) => s.id)).toEqual([c.sessionId])
  },
  {
    name: "getSession",
    safe: true,
    call: (c) => sessions((s) => s.getSession(c.sessionId)),
    succeeded: (v: Session, c) => expect([v.id, v.userId, v.status]).toEqual([c.sessionId, c.userId, "active"])
  },
  {
    name: "revokeSession",
    safe: true,
    call: (c) => sessions((s) => s.revokeSession(c.sessionId)),
    succeeded: (v: Session, c) => expect([v.id, v.status]).toEqual([c.sessionId, "revoked"])
  },
  {
    name: "verifySession",
    safe: true,
    call: (c) => sessions((s) => s.verifySession(c.sessionId, { token: Redacted.make(c.token) })),
    succeeded: (v: Session, c) => expect([v.id, v.status]).toEqual([c.sessionId, "active"])
  },
  {
    name: "createSessionToken",
    safe: true,
    call: (c) => sessions((s) => s.createSessionToken(c.sessionId)),
    succeeded: (v: SessionToken, c) => expect([payloadOf(v).sid, payloadOf(v).sub]).toEqual([c.sessionId, c.userId])
  },
  {
    name: "createSessionTokenFromTemplate",
    safe: true,
    call: (c) => sessions((s) => s.createSessionTokenFromTemplate(c.sessionId, "matrix")),
    succeeded: (v: SessionToken, c) => expect(payloadOf(v).case_session).toBe(c.sessionId)
  },
  {
    name: "createSession",
    safe: false,
    call: (c) => sessions((s) => s.createSession({ userId: c.userId })),
    succeeded: (v: Session, c) => expect([v.userId, v.status]).toEqual([c.userId, "active"])
  },
  {
    name: "refreshSession",
    safe: false,
    call: (c) =>
      sessions((s) =>
        s.refreshSession(c.sessionId, {
          expiredToken: Redacted.make(c.token),
          refreshToken: Redacted.make(c.refreshToken),
          requestOrigin: ORIGIN
        })
      ),
    succeeded: (v: SessionToken, c) => expect(payloadOf(v).sid).toBe(c.sessionId)
  },
  {
    name: "TokenVerifier.verify (JWKS fetch)",
    safe: true,
    call: (c) => Effect.flatMap(TokenVerifier, (v) => v.verify(c.token)),
    succeeded: (v: SessionClaims, c) => expect([v.sid, v.sub]).toEqual([c.sessionId, c.userId])
  }
]

interface FaultRow {
  readonly name: string
  /** Safe methods retry it (README: 429 within the cap, 502/503/504, transport errors, timeouts). */
  readonly retryable: boolean
  /** The fault, given when the cell starts; `undefined`: nothing listens (connection refused). */
  readonly fault: ((startedAt: number) => Fault) | undefined
  /** What the server answered to each faulted request (its log entry). */
  readonly served?: { readonly status: number | undefined; readonly fault: Fault["_tag"] }
  /** The typed error a user gets. */
  readonly check: (error: any, cell: CellResult) => void
}

const ms = (d: Duration.Duration | undefined) => (d === undefined ? undefined : Duration.toMillis(d))

const serverError = (status: number, code: string | undefined) => (error: any) => {
  expect(error._tag).toBe("ClerkServerError")
  expect(error.status).toBe(status)
  expect(error.errors.map((e: any) => e.code)).toEqual(code === undefined ? [] : [code])
  if (code !== undefined) expect(error.clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
}

const faults: ReadonlyArray<FaultRow> = [
  {
    name: "429 Retry-After: 1 (seconds)",
    retryable: true,
    fault: () => Fault.rateLimited({ retryAfter: 1 }),
    served: { status: 429, fault: "RateLimited" },
    check: (error) => {
      expect(error._tag).toBe("ClerkRateLimited")
      expect([error.status, error.errors[0].code, ms(error.retryAfter)]).toEqual([429, "too_many_requests", 1000])
    }
  },
  {
    name: "429 Retry-After: HTTP-date 2 s ahead",
    retryable: true,
    fault: (startedAt) => Fault.rateLimited({ retryAfter: new Date(startedAt + 2000) }),
    served: { status: 429, fault: "RateLimited" },
    check: (error) => {
      expect(error._tag).toBe("ClerkRateLimited")
      expect([error.status, error.errors[0].code]).toEqual([429, "too_many_requests"])
      // Only a single request sees the date in the future; a date already past means "now".
      expect(ms(error.retryAfter)).toBeGreaterThanOrEqual(0)
      expect(ms(error.retryAfter)).toBeLessThanOrEqual(2000)
    }
  },
  {
    name: "429 Retry-After: 120 (beyond the 2 s cap)",
    retryable: false,
    fault: () => Fault.rateLimited({ retryAfter: 120 }),
    served: { status: 429, fault: "RateLimited" },
    check: (error, cell) => {
      expect(error._tag).toBe("ClerkRateLimited")
      expect([error.status, ms(error.retryAfter)]).toEqual([429, 120_000])
      // Fails instead of waiting: one request (checked for every cell), and it ended long before
      // 120 s. That it waits not even the 2 s cap is exact on the TestClock (ClerkClient.test.ts).
      expect(cell.elapsed).toBeLessThan(60_000)
    }
  },
  {
    name: "500",
    retryable: false,
    fault: () => Fault.status(500),
    served: { status: 500, fault: "Status" },
    check: serverError(500, "internal_clerk_error")
  },
  {
    name: "502 with an HTML body",
    retryable: true,
    fault: () => Fault.html(502),
    served: { status: 502, fault: "Html" },
    check: serverError(502, undefined)
  },
  {
    name: "503",
    retryable: true,
    fault: () => Fault.status(503),
    served: { status: 503, fault: "Status" },
    check: serverError(503, "service_unavailable")
  },
  {
    name: "504",
    retryable: true,
    fault: () => Fault.status(504),
    served: { status: 504, fault: "Status" },
    check: serverError(504, "service_unavailable")
  },
  {
    name: "truncated JSON",
    retryable: false,
    fault: () => Fault.truncatedJson(),
    served: { status: 200, fault: "TruncatedJson" },
    check: (error) => {
      expect(error._tag).toBe("ClerkDecodeError")
      expect([error.status, error.issues]).toEqual([200, "body: not valid JSON"])
    }
  },
  {
    name: "wrong shape",
    retryable: false,
    fault: () => Fault.wrongShape({ unexpected: true }),
    served: { status: 200, fault: "WrongShape" },
    check: (error) => {
      expect(error._tag).toBe("ClerkDecodeError")
      expect(error.status).toBe(200)
      expect(error.issues).toMatch(/is missing|expected/i)
    }
  },
  {
    name: "a hang past the timeout",
    retryable: true,
    fault: () => Fault.hang(),
    served: { status: undefined, fault: "Hang" },
    check: (error) => {
      expect(error._tag).toBe("ClerkTimeout")
      expect(ms(error.timeout)).toBe(HANG_TIMEOUT_MS)
    }
  },
  {
    name: "connection reset mid-body",
    retryable: true,
    fault: () => Fault.dropConnection(),
    served: { status: 200, fault: "DropConnection" },
    check: (error) => {
      expect(error._tag).toBe("ClerkTransportError")
      expect(error.reason).toContain("reading the response")
    }
  },
  {
    name: "connection refused",
    retryable: true,
    fault: undefined,
    check: (error) => {
      expect(error._tag).toBe("ClerkTransportError")
      expect(error.reason).toBe("Transport")
    }
  }
]

interface Cell {
  readonly transport: Transport
  readonly method: Method
  readonly row: FaultRow
  /** `persistent`: every request of the cell is faulted; `once`: only the first. */
  readonly mode: "persistent" | "once"
}

interface CellResult {
  readonly exit: Exit.Exit<unknown, unknown>
  readonly attempts: number
  readonly startedAt: number
  readonly elapsed: number
  readonly ctx: Ctx
  readonly userAgent: string
}

const cells: ReadonlyArray<Cell> = TRANSPORTS.flatMap((transport) =>
  methods.flatMap((method) =>
    faults.flatMap((row): Array<Cell> => [
      { transport, method, row, mode: "persistent" },
      ...(row.retryable ? [{ transport, method, row, mode: "once" as const }] : [])
    ])
  )
)

let emulator: ClerkEmulator.Service
let server: ServedEmulator
const results = new Map<Cell, CellResult>()
let log: ReadonlyArray<EmulatorRequest> = []
let matrixSeconds = 0

const runCell = (cell: Cell, k: number, urls: { readonly served: string; readonly refused: string }) =>
  Effect.gen(function*() {
    const userId = `user_fm${k}`
    const sessionId = `sess_fm${k}`
    const seeded = yield* emulator.seedSession({ id: sessionId, userId })
    const ctx: Ctx = { sessionId, userId, refreshToken: seeded.refreshToken, token: yield* emulator.mintToken(sessionId) }
    const userAgent = `fault-matrix/${k}`
    // A refused connection "once": the first attempt goes where nothing listens.
    const refusedOnce = cell.row.fault === undefined && cell.mode === "once"
    const { counter, fetch } = countingFetch(refusedOnce ? { firstTo: urls.refused } : undefined)
    const client = clientLayer(cell.transport, {
      secretKey: emulator.secretKey,
      apiUrl: cell.row.fault === undefined && !refusedOnce ? urls.refused : urls.served,
      timeout: Duration.millis(timeoutOf(cell)),
      retry: POLICY,
      userAgent
    }, fetch)
    const layer = Layer.mergeAll(Sessions.layer, TokenVerifier.layer()).pipe(Layer.provide(client))
    const startedAt = Date.now()
    if (cell.row.fault !== undefined) {
      yield* emulator.injectFault(cell.row.fault(startedAt), {
        times: cell.mode === "once" ? 1 : Infinity,
        match: (request) => request.headers["user-agent"] === userAgent
      })
    }
    const exit = yield* Effect.exit(Effect.provide(cell.method.call(ctx), layer))
    results.set(cell, { exit, attempts: counter.attempts, startedAt, elapsed: Date.now() - startedAt, ctx, userAgent })
  })

beforeAll(async () => {
  emulator = await ClerkEmulator.start({ verifyEndpoint: "legacy" })
  server = await serveHere(emulator)
  const urls = { served: server.url, refused: await refusedUrl() }
  await Effect.runPromise(emulator.seedTemplate({ name: "matrix", claims: { case_session: "{{session.id}}" } }))
  const started = Date.now()
  // The cells that wait out HANG_ONCE_TIMEOUT_MS first (each keeps its index k).
  const waitsLong = (cell: Cell) => timeoutOf(cell) === HANG_ONCE_TIMEOUT_MS
  const order = [...cells.entries()].sort(([, a], [, b]) => Number(waitsLong(b)) - Number(waitsLong(a)))
  await Effect.runPromise(Effect.forEach(order, ([k, cell]) => runCell(cell, k, urls), { concurrency: 32, discard: true }))
  matrixSeconds = (Date.now() - started) / 1000
  // Anything re-sent after a call ended would show up in the log by now.
  await new Promise((resolve) => setTimeout(resolve, 300))
  log = await Effect.runPromise(emulator.requests)
}, 300_000)

afterAll(async () => {
  await Effect.runPromise(emulator.clearFaults)
  await server.stop()
})

const servedFor = (result: CellResult) => log.filter((r) => r.headers["user-agent"] === result.userAgent)

/** The typed failure of a cell: a `Fail`, never a defect or an interruption. */
const failureOf = (method: Method, exit: Exit.Exit<unknown, unknown>): any => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  expect(causeOf(exit.cause)._tag).toBe("Fail")
  const error = (causeOf(exit.cause) as { error: any }).error
  if (!method.name.startsWith("TokenVerifier")) return error
  // With no key cached, a failed JWKS fetch is JwkFailedToResolve carrying the Clerk error.
  expect([error._tag, error.reason]).toEqual(["ClerkTokenInvalid", "JwkFailedToResolve"])
  return error.cause
}

/** How many requests a cell may send: one, unless a safe method meets a retryable fault. */
const expectedRequests = (cell: Cell) =>
  !cell.method.safe || !cell.row.retryable ? 1 : cell.mode === "once" ? 2 : 1 + POLICY.times

for (const transport of TRANSPORTS) {
  for (const method of methods) {
    describe(`${transportName(transport)}: ${method.name}${method.safe ? "" : " (never re-sent)"}`, () => {
      for (const cell of cells.filter((c) => c.transport === transport && c.method === method)) {
        const recovers = cell.mode === "once" && method.safe
        const outcome = recovers ? "recovers after one retry" : "typed failure"
        it(`${cell.row.name}${cell.mode === "once" ? ", once" : ""}: ${outcome}`, () => {
          const result = results.get(cell)!
          const served = servedFor(result)
          const expected = expectedRequests(cell)

          // How often it was sent: on the server, and as counted by the client's fetch.
          expect(result.attempts).toBe(expected)
          const refused = cell.row.fault === undefined ? (cell.mode === "once" ? 1 : expected) : 0
          expect(served).toHaveLength(expected - refused)

          if (recovers) {
            expect(Exit.isSuccess(result.exit)).toBe(true)
            if (Exit.isSuccess(result.exit)) method.succeeded(result.exit.value, result.ctx)
            expect([served.at(-1)!.status, served.at(-1)!.fault]).toEqual([200, undefined])
          } else {
            cell.row.check(failureOf(method, result.exit), result)
          }
          const faulted = recovers ? served.slice(0, -1) : served
          for (const request of faulted) {
            expect([request.status, request.fault]).toEqual([cell.row.served?.status, cell.row.served?.fault])
          }

          // Never before Retry-After, as the server's clock saw it.
          for (let i = 1; i < served.length; i++) {
            expect(served[i].at).toBeGreaterThanOrEqual(served[i - 1].at)
            if (cell.row.name.startsWith("429 Retry-After: 1 ")) {
              expect(served[i].at - served[i - 1].at).toBeGreaterThanOrEqual(1000)
            }
          }
          if (cell.row.name.includes("HTTP-date") && served.length > 1) {
            // The header carries whole seconds: the retry waits for that second at least.
            const date = Math.floor((result.startedAt + 2000) / 1000) * 1000
            expect(served[1].at).toBeGreaterThanOrEqual(date)
          }
          // Bounded: a hang costs attempts × timeout, a 429 the waits (≤ the 2 s cap), a backoff
          // ≤ 100 ms; plus room for a busy machine.
          const bound = cell.row.served?.fault === "Hang"
            ? expected * timeoutOf(cell) + SLACK_MS
            : cell.row.served?.fault === "RateLimited"
            ? (expected - 1) * 2000 + SLACK_MS
            : (expected - 1) * 100 + SLACK_MS
          expect(result.elapsed).toBeLessThan(bound)
        })
      }
    })
}
}

describe("across the matrix", () => {
  it("every cell ran; createSession and refreshSession were sent exactly once each time", () => {
    expect(results.size).toBe(cells.length)
    const unsafe = cells.filter((c) => !c.method.safe && c.row.fault !== undefined)
    expect(unsafe.length).toBe(
      TRANSPORTS.length * 2 * (faults.length - 1 + faults.filter((f) => f.retryable && f.fault).length)
    )
    for (const cell of unsafe) {
      const served = servedFor(results.get(cell)!)
      expect(served.map((r) => r.route)).toEqual([cell.method.name])
    }
    const routes = new Set(log.map((r) => r.route))
    expect(routes).toEqual(
      new Set([
        "getSessionList",
        "getSession",
        "revokeSession",
        "verifySession",
        "createSessionToken",
        "createSessionTokenFromTemplate",
        "createSession",
        "refreshSession",
        "getJwks"
      ])
    )
    // Every request the server saw belongs to a cell.
    const agents = new Set([...results.values()].map((r) => r.userAgent))
    expect(log.every((r) => agents.has(r.headers["user-agent"]))).toBe(true)
    console.log(`fault matrix: ${cells.length} cells, ${log.length} requests served, ${matrixSeconds.toFixed(1)} s`)
  })
})

for (const transport of TRANSPORTS) {
  describe(`policy limits via ${transportName(transport)}`, () => {
    // Ids and User-Agents of this transport's run.
    const t = (name: string) => `${name}_${transport}`
    const sessionsWith = (retry: RetryPolicy | undefined, userAgent: string) =>
      Sessions.layer.pipe(
        Layer.provide(
          clientLayer(transport, {
            secretKey: emulator.secretKey,
            apiUrl: server.url,
            timeout: Duration.millis(TIMEOUT_MS),
            ...(retry === undefined ? {} : { retry }),
            userAgent
          }, countingFetch().fetch)
        )
      )
    const mine = (userAgent: string) => (request: EmulatorRequest) => request.headers["user-agent"] === userAgent
    const servedTo = (userAgent: string) =>
      Effect.map(emulator.requests, (requests) => requests.filter(mine(userAgent)))

    it.live("the default policy retries a 503 three times: 4 requests, then ClerkServerError", () =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: t("sess_policy_default"), userId: t("user_policy") })
        yield* emulator.injectFault(Fault.status(503), { times: Infinity, match: mine(t("policy/default")) })
        const error = yield* Effect.flip(
          sessions((s) => s.getSession(t("sess_policy_default"))).pipe(Effect.provide(sessionsWith(undefined, t("policy/default"))))
        )
        expect(error._tag === "ClerkServerError" && error.status).toBe(503)
        const served = yield* servedTo(t("policy/default"))
        expect(served.map((r) => r.status)).toEqual([503, 503, 503, 503])
        // Jittered exponential backoff from 200 ms: at least 160 + 320 + 640 ms in all.
        expect(served[3].at - served[0].at).toBeGreaterThanOrEqual(1120)
      }))

    // Retry-After 3 s and a 5.5 s deadline: the first retry fits however slow the first answer
    // (up to 2.5 s), a second cannot (it would end 6 s or more after the start).
    it.live("the deadline stops a Retry-After loop: with deadline 5.5 s, a 429 asking for 3 s is sent twice", () =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: t("sess_policy_deadline"), userId: t("user_policy") })
        yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 3 }), { times: Infinity, match: mine(t("policy/deadline")) })
        const error = yield* Effect.flip(
          sessions((s) => s.getSession(t("sess_policy_deadline"))).pipe(
            Effect.provide(sessionsWith({ times: 10, baseDelay: "20 millis", deadline: "5500 millis" }, t("policy/deadline")))
          )
        )
        const ended = Date.now()
        expect(error._tag === "ClerkRateLimited" && ms(error.retryAfter)).toBe(3000)
        const served = yield* servedTo(t("policy/deadline"))
        expect(served).toHaveLength(2)
        expect(served[1].at - served[0].at).toBeGreaterThanOrEqual(3000)
        // It gave up on the second 429 instead of waiting the 3 s past the deadline.
        expect(ended - served[1].at).toBeLessThan(3000)
      }))

    it.live("listAll: a 503 on page 2 is retried and every session comes out once; a 500 there ends the stream", () =>
      Effect.gen(function*() {
        for (let i = 0; i < 5; i++) {
          yield* emulator.seedSession({ id: t(`sess_pages_${i}`), userId: t("user_pages"), lastActiveAt: Date.now() - i * 1000 })
        }
        const layer = sessionsWith(POLICY, t("policy/pages"))
        const onPage2 = (request: EmulatorRequest) => mine(t("policy/pages"))(request) && request.query.offset === "2"
        yield* emulator.injectFault(Fault.status(503), { match: onPage2 })
        const all = yield* sessions((s) => runCollect(s.listAll({ userId: t("user_pages"), limit: 2 }))).pipe(
          Effect.provide(layer)
        )
        expect(all.map((s) => s.id).sort()).toEqual([0, 1, 2, 3, 4].map((i) => t(`sess_pages_${i}`)))
        expect((yield* servedTo(t("policy/pages"))).map((r) => [r.query.offset ?? "0", r.status])).toEqual([
          ["0", 200],
          ["2", 503],
          ["2", 200],
          ["4", 200]
        ])

        yield* emulator.injectFault(Fault.status(500), { match: onPage2 })
        const partial = yield* sessions((s) =>
          runCollect(streamEither(s.listAll({ userId: t("user_pages"), limit: 2 })))
        ).pipe(Effect.provide(layer))
        const items = partial
        expect(items.filter(Either.isRight)).toHaveLength(2)
        const failure = items.find(Either.isLeft)
        expect(failure !== undefined && failure.left._tag === "ClerkServerError" && failure.left.status).toBe(500)
      }))
  })
}

for (const transport of TRANSPORTS) {
  describe(`the served emulator via ${transportName(transport)}`, () => {
    it("stop() returns promptly while a timed-out POST with a 2 KB body still hangs on the server", async () => {
      const own = await ClerkEmulator.start({ verifyEndpoint: "legacy" })
      const served = await serveHere(own)
      await Effect.runPromise(own.seedSession({ id: "sess_stop", userId: "user_stop" }))
      await Effect.runPromise(own.injectFault(Fault.hang(), { times: Infinity }))
      const error = await Effect.runPromise(
        Effect.flip(sessions((s) => s.verifySession("sess_stop", { token: "x".repeat(2048) }))).pipe(
          Effect.provide(
            Sessions.layer.pipe(
              Layer.provide(
                clientLayer(
                  transport,
                  { secretKey: own.secretKey, apiUrl: served.url, timeout: "200 millis", retry: false },
                  countingFetch().fetch
                )
              )
            )
          )
        )
      )
      expect(error._tag).toBe("ClerkTimeout")
      expect((await Effect.runPromise(own.requests)).map((r) => [r.route, r.status, r.fault])).toEqual([
        ["verifySession", undefined, "Hang"]
      ])
      // Promptly: an idle machine takes a few milliseconds; 4 s leaves a busy one room.
      const started = Date.now()
      await served.stop()
      expect(Date.now() - started).toBeLessThan(4000)
    })
  })
}
