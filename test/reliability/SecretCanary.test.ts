/**
 * Secret canary over a real socket: the emulator's secret key, a session's refresh token
 * and its real session token (minted by the emulator) are canaries; so are the tokens a
 * faulty response carries and a wrong secret key. Every failure path — each Sessions method
 * under every scripted fault, a refused connection, a wrong key, the API's own 4xx, input
 * refused before sending, and every TokenVerifier refusal (JWKS faults, bad signature,
 * algorithm, kid, azp, issuer, time) — is run while capturing the Effect logger (every
 * level), the spans (test/support/TestTracer.ts) and console output, and the error is
 * rendered with String, JSON.stringify, inspect and Cause.pretty. No canary, and nothing
 * that looks like a JWT, may appear anywhere.
 *
 * Every cell that reaches a `ClerkClient` runs once per transport: `ClerkClient.layer` over
 * `FetchHttpClient` (an `http.client` span per request, with the platform's redacted
 * headers) and `ClerkClient.layerFetch` (the key is set on each fetch's headers; no
 * `http.client` span).
 */
import { causeOf, emptyCause, httpSpanName, IllegalArgument, isHttpSpanName, logEverything, makeClock, prettyCause, tapErrorCause, withClock } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, type EmulatorRequest, Fault, type ServedEmulator } from "../../src/testing/index.js"
import { TokenVerifier, type TokenVerifierOptions } from "../../src/TokenVerifier.js"
import { makeRecorder } from "../support/TestTracer.js"
import { clientLayer, countingFetch, refusedUrl, serveHere, type Transport, transportName, TRANSPORTS } from "./support.js"

const SECRET = "sk_test_CANARYsecretKEY7f3a9c1e"
const WRONG_SECRET = "sk_test_CANARYwrongKEY0b5d2a77"
const REFRESH = "CANARYrefreshTOKEN9d2e71c4"
const WRONG_REFRESH = "CANARYwrongREFRESH55e0f3"
/** A JWT-shaped value planted in faulty response bodies. */
const BODY_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJDQU5BUllib2R5Snd0IjoxfQ.CANARYbodyJWTsignatureQ2xlcms"
const ORIGIN = "http://localhost:3000"
const SID = "sess_canary"
/** revokeSession ends its session, so it has one of its own. */
const REVOKE_SID = "sess_canary_revoke"
const UID = "user_canary"
/** Anything shaped like a JWT (header.payload), wherever it came from. */
const JWT_SHAPE = /eyJ[\w-]{6,}\.eyJ[\w-]{6,}/

let emulator: ClerkEmulator.Service
let other: ClerkEmulator.Service
let server: ServedEmulator
let refused: string
/** The session's real token, a token tampered with, one with the wrong alg, one from another instance. */
let TOKEN: string
let TAMPERED: string
let WRONG_ALG: string
let FOREIGN: string
let canaries: ReadonlyArray<string> = []
const consoleLines: Array<string> = []
const restoreConsole: Array<() => void> = []

const segments = (jwt: string) => jwt.split(".").slice(1)

interface CellResult {
  readonly exit: Exit.Exit<unknown, unknown>
  readonly recorder: ReturnType<typeof makeRecorder>
  readonly served: ReadonlyArray<EmulatorRequest>
}

interface Cell {
  readonly group: string
  readonly name: string
  /** The tag (and for ClerkTokenInvalid the reason) the call must fail with. */
  readonly expected: string
  readonly run: (ua: string, transport: Transport) => Effect.Effect<unknown, unknown>
  /** Uses no `ClerkClient` at all (PEM verification): run once, not per transport. */
  readonly noClient?: true
}

const cells: Array<Cell> = []

/** One cell run over one transport. */
interface Run {
  readonly cell: Cell
  readonly transport: Transport
}
let runs: ReadonlyArray<Run> = []
const results = new Map<Run, CellResult>()

// ---- Sessions methods under every failure ----

interface Options {
  readonly key?: string
  readonly url?: "served" | "refused"
  /** Every request of the cell hangs: a short timeout, since only the timeout can end it. */
  readonly hangs?: boolean
}

/**
 * The client every cell uses, over `transport`. Where nothing hangs the timeout is far above
 * any answer's latency at 16 cells at once on a busy machine, so a slow answer is never
 * mistaken for a hang (the fault matrix's cells were, at 1 s, on a loaded machine).
 */
const client = (ua: string, transport: Transport, options: Options) =>
  clientLayer(transport, {
    secretKey: Redacted.make(options.key ?? SECRET),
    apiUrl: options.url === "refused" ? refused : server.url,
    timeout: Duration.seconds(options.hangs === true ? 2 : 30),
    retry: { times: 1, baseDelay: "10 millis" },
    userAgent: ua
  }, countingFetch().fetch)

const sessionsLayer = (ua: string, transport: Transport, options: Options = {}) =>
  Sessions.layer.pipe(Layer.provide(client(ua, transport, options)))

const mine = (ua: string) => (request: EmulatorRequest) => request.headers["user-agent"] === ua

interface Call {
  readonly name: string
  readonly call: (s: Sessions.Service, args: { readonly sid: string; readonly refresh: string; readonly token: string }) => Effect.Effect<unknown, unknown>
  /** A body of the wrong shape that carries the BODY_JWT canary where the decoder looks. */
  readonly wrongShape: unknown
  /** The API's own refusal: the arguments and the tag. */
  readonly refusal?: { readonly args: { readonly sid?: string; readonly refresh?: string; readonly token?: string }; readonly tag: string }
  /** Arguments refused before sending. */
  readonly invalid: (s: Sessions.Service) => Effect.Effect<unknown, unknown>
}

const sessionBody = { object: "session", id: BODY_JWT, user_id: 5, status: BODY_JWT }
const tokenBody = { object: BODY_JWT, jwt: 7, note: BODY_JWT }

const calls: ReadonlyArray<Call> = [
  {
    name: "getSession",
    call: (s, a) => s.getSession(a.sid),
    wrongShape: sessionBody,
    refusal: { args: { sid: "sess_missing" }, tag: "ClerkNotFound" },
    invalid: (s) => s.getSession("..")
  },
  {
    name: "getSessionList",
    call: (s) => s.getSessionList({ userId: UID }),
    wrongShape: { data: [sessionBody], total_count: BODY_JWT },
    invalid: (s) => s.getSessionList({ userId: UID, limit: 501 })
  },
  {
    name: "listAll",
    call: (s) => Stream.runCollect(s.listAll({ userId: UID })),
    wrongShape: [sessionBody],
    invalid: (s) => Stream.runCollect(s.listAll({ userId: UID, offset: -1 }))
  },
  {
    name: "revokeSession",
    call: (s, a) => s.revokeSession(a.sid === SID ? REVOKE_SID : a.sid),
    wrongShape: sessionBody,
    refusal: { args: { sid: "sess_missing" }, tag: "ClerkNotFound" },
    invalid: (s) => s.revokeSession("")
  },
  {
    name: "verifySession",
    // A plain string token, as a user might pass it: still never shown.
    call: (s, a) => s.verifySession(a.sid, { token: a.token }),
    wrongShape: sessionBody,
    refusal: { args: { token: "tampered" }, tag: "ClerkBadRequest" },
    invalid: (s) => s.verifySession("..", { token: TOKEN })
  },
  {
    name: "createSessionToken",
    call: (s, a) => s.createSessionToken(a.sid),
    wrongShape: tokenBody,
    refusal: { args: { sid: "sess_missing" }, tag: "ClerkNotFound" },
    invalid: (s) => s.createSessionToken(SID, { expiresInSeconds: 5 })
  },
  {
    name: "createSessionTokenFromTemplate",
    call: (s, a) => s.createSessionTokenFromTemplate(a.sid, "canary"),
    wrongShape: tokenBody,
    refusal: { args: { sid: "sess_missing" }, tag: "ClerkNotFound" },
    invalid: (s) => s.createSessionTokenFromTemplate(SID, "..")
  },
  {
    name: "createSession",
    call: (s) => s.createSession({ userId: UID }),
    wrongShape: sessionBody,
    invalid: (s) => s.createSession({ userId: "" })
  },
  {
    name: "refreshSession (token)",
    call: (s, a) =>
      s.refreshSession(a.sid, { expiredToken: Redacted.make(a.token), refreshToken: a.refresh, requestOrigin: ORIGIN }),
    wrongShape: { object: "token", jwt: 12, token: BODY_JWT },
    refusal: { args: { refresh: WRONG_REFRESH }, tag: "ClerkUnauthorized" },
    invalid: (s) =>
      s.refreshSession(SID, { expiredToken: Redacted.make(TOKEN), refreshToken: REFRESH, requestOrigin: "" })
  },
  {
    name: "refreshSession (cookie)",
    call: (s, a) =>
      s.refreshSession(a.sid, {
        expiredToken: a.token,
        refreshToken: Redacted.make(a.refresh),
        requestOrigin: ORIGIN,
        format: "cookie"
      }),
    wrongShape: { object: "cookies", cookies: `__session=${BODY_JWT}; Path=/` },
    refusal: { args: { refresh: WRONG_REFRESH }, tag: "ClerkUnauthorized" },
    invalid: (s) =>
      s.refreshSession(SID, {
        expiredToken: TOKEN,
        refreshToken: Redacted.make(REFRESH),
        requestOrigin: ORIGIN,
        format: "jwt" as "cookie"
      })
  }
]

const withSessions = (
  ua: string,
  transport: Transport,
  options: Options,
  f: (s: Sessions.Service) => Effect.Effect<unknown, unknown>
) => Effect.provide(Effect.flatMap(Sessions, f), sessionsLayer(ua, transport, options))

const faultCell = (call: Call, name: string, fault: () => Fault, expected: string) =>
  cells.push({
    group: call.name,
    name,
    expected,
    run: (ua, transport) =>
      Effect.andThen(
        emulator.injectFault(fault(), { times: Infinity, match: mine(ua) }),
        withSessions(ua, transport, { hangs: fault()._tag === "Hang" }, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
      )
  })

const args = (call: Call) => ({
  sid: call.refusal?.args.sid ?? SID,
  refresh: call.refusal?.args.refresh ?? REFRESH,
  token: call.refusal?.args.token === "tampered" ? TAMPERED : TOKEN
})

for (const call of calls) {
  faultCell(call, "429 beyond the cap", () => Fault.rateLimited({ retryAfter: 120 }), "ClerkRateLimited")
  faultCell(call, "429 without Retry-After, retries exhausted", () => Fault.rateLimited(), "ClerkRateLimited")
  faultCell(call, "500", () => Fault.status(500), "ClerkServerError")
  faultCell(call, "502 HTML page", () => Fault.html(502), "ClerkServerError")
  faultCell(call, "503", () => Fault.status(503), "ClerkServerError")
  faultCell(call, "truncated JSON of the real answer", () => Fault.truncatedJson(), "ClerkDecodeError")
  faultCell(call, "wrong shape carrying a token", () => Fault.wrongShape(call.wrongShape), "ClerkDecodeError")
  faultCell(call, "hang past the timeout", () => Fault.hang(), "ClerkTimeout")
  faultCell(call, "connection reset mid-body", () => Fault.dropConnection(), "ClerkTransportError")
  cells.push({
    group: call.name,
    name: "connection refused",
    expected: "ClerkTransportError",
    run: (ua, transport) =>
      withSessions(ua, transport, { url: "refused" }, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
  })
  cells.push({
    group: call.name,
    name: "wrong secret key (401)",
    expected: "ClerkUnauthorized",
    run: (ua, transport) =>
      withSessions(ua, transport, { key: WRONG_SECRET }, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
  })
  if (call.refusal !== undefined) {
    cells.push({
      group: call.name,
      name: `the API refuses (${call.refusal.tag})`,
      expected: call.refusal.tag,
      run: (ua, transport) => withSessions(ua, transport, {}, (s) => call.call(s, args(call)))
    })
  }
  cells.push({
    group: call.name,
    name: "input refused before sending",
    expected: "ClerkInvalidInput",
    run: (ua, transport) => withSessions(ua, transport, {}, call.invalid)
  })
}

// Secrets that are themselves invalid: refused without quoting them.
for (const [name, invalid] of [
  [
    "refreshSession: a refresh token with a NUL",
    (s: Sessions.Service) => s.refreshSession(SID, { expiredToken: TOKEN, refreshToken: `${REFRESH}\u0000`, requestOrigin: ORIGIN })
  ],
  [
    "refreshSession: an expired token with a newline",
    (s: Sessions.Service) =>
      s.refreshSession(SID, { expiredToken: Redacted.make(`${TOKEN}\n`), refreshToken: REFRESH, requestOrigin: ORIGIN })
  ],
  ["verifySession: a token with a carriage return", (s: Sessions.Service) => s.verifySession(SID, { token: `${TOKEN}\r` })]
] as const) {
  cells.push({
    group: "invalid secrets",
    name,
    expected: "ClerkInvalidInput",
    run: (ua, transport) => withSessions(ua, transport, {}, invalid)
  })
}

// ---- TokenVerifier ----

const verifierOverSocket = (ua: string, transport: Transport, options: TokenVerifierOptions = {}, clientOptions: Options = {}) =>
  TokenVerifier.layer({ authorizedParties: [ORIGIN], ...options }).pipe(Layer.provide(client(ua, transport, clientOptions)))

const verifyWith = (layer: Layer.Layer<TokenVerifier, unknown>, token: () => string) =>
  Effect.provide(Effect.flatMap(TokenVerifier, (v) => v.verify(token())), layer)

const jwksCell = (name: string, fault: () => Fault, cause: string) =>
  cells.push({
    group: "TokenVerifier (JWKS)",
    name,
    expected: `ClerkTokenInvalid(JwkFailedToResolve) <- ${cause}`,
    run: (ua, transport) =>
      Effect.andThen(
        emulator.injectFault(fault(), { times: Infinity, match: mine(ua) }),
        verifyWith(verifierOverSocket(ua, transport, {}, { hangs: fault()._tag === "Hang" }), () => TOKEN)
      )
  })

jwksCell("JWKS 503", () => Fault.status(503), "ClerkServerError")
jwksCell("JWKS 502 HTML page", () => Fault.html(502), "ClerkServerError")
jwksCell("JWKS 429", () => Fault.rateLimited({ retryAfter: 120 }), "ClerkRateLimited")
jwksCell("JWKS truncated", () => Fault.truncatedJson(), "ClerkDecodeError")
jwksCell("JWKS wrong shape carrying a token", () => Fault.wrongShape({ keys: BODY_JWT }), "ClerkDecodeError")
jwksCell("JWKS hang", () => Fault.hang(), "ClerkTimeout")
jwksCell("JWKS reset mid-body", () => Fault.dropConnection(), "ClerkTransportError")
cells.push({
  group: "TokenVerifier (JWKS)",
  name: "JWKS refused",
  expected: "ClerkTokenInvalid(JwkFailedToResolve) <- ClerkTransportError",
  run: (ua, transport) => verifyWith(verifierOverSocket(ua, transport, {}, { url: "refused" }), () => TOKEN)
})
cells.push({
  group: "TokenVerifier (JWKS)",
  name: "JWKS with a wrong secret key",
  expected: "ClerkTokenInvalid(JwkFailedToResolve) <- ClerkUnauthorized",
  run: (ua, transport) => verifyWith(verifierOverSocket(ua, transport, {}, { key: WRONG_SECRET }), () => TOKEN)
})

const verifierCell = (name: string, expected: string, token: () => string, options: TokenVerifierOptions = {}) =>
  cells.push({
    group: "TokenVerifier (token)",
    name,
    expected: `ClerkTokenInvalid(${expected})`,
    run: (ua, transport) => verifyWith(verifierOverSocket(ua, transport, options), token)
  })

verifierCell("signature tampered with", "TokenInvalidSignature", () => TAMPERED)
verifierCell("HS256 header on a real payload", "TokenInvalidAlgorithm", () => WRONG_ALG)
verifierCell("a key this instance does not have", "JwkKidMismatch", () => FOREIGN)
verifierCell("not a JWT", "TokenInvalid", () => REFRESH)
verifierCell("azp not authorized", "TokenInvalidAuthorizedParties", () => TOKEN, {
  authorizedParties: ["https://elsewhere.example"]
})
verifierCell("issuer mismatch", "TokenInvalidIssuer", () => TOKEN, { issuer: "https://elsewhere.example" })

/** The live clock, `offset` ms away. */
const offsetClock = (offset: number): Clock.Clock =>
  makeClock(
    () => Date.now() + offset,
    (duration) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, Duration.toMillis(duration))))
  )

for (const [name, offset, reason] of [
  ["expired (clock 2 h ahead)", 2 * 3600_000, "TokenExpired"],
  ["not yet valid (clock 1 h behind)", -3600_000, "TokenNotActiveYet) or ClerkTokenInvalid(TokenIatInTheFuture"]
] as const) {
  cells.push({
    group: "TokenVerifier (PEM, no network)",
    name,
    expected: `ClerkTokenInvalid(${reason})`,
    noClient: true,
    run: () =>
      Effect.flatMap(emulator.publicKeyPem, (jwtKey) =>
        verifyWith(TokenVerifier.layerJwtKey({ jwtKey }), () => TOKEN).pipe(withClock(offsetClock(offset))))
  })
}

for (const [name, headers, expected] of [
  ["authenticateRequest: Bearer token tampered with", () => ({ authorization: `Bearer ${TAMPERED}` }), "ClerkTokenInvalid(TokenInvalidSignature)"],
  [
    "authenticateRequest: __session cookie from another instance",
    () => ({ cookie: `__client_uat=1; __session=${FOREIGN}; __refresh=${REFRESH}` }),
    "ClerkTokenInvalid(JwkKidMismatch)"
  ],
  ["authenticateRequest: no token, a refresh cookie", () => ({ cookie: `__refresh=${REFRESH}` }), "ClerkTokenMissing"]
] as const) {
  cells.push({
    group: "TokenVerifier (request)",
    name,
    expected,
    run: (ua, transport) =>
      Effect.provide(
        Effect.flatMap(TokenVerifier, (v) => v.authenticateRequest(new Request(`${ORIGIN}/dashboard`, { headers: headers() }))),
        verifierOverSocket(ua, transport)
      )
  })
}

// ---- running every cell, then checking each ----

const tagOf = (error: any): string => {
  const base = error._tag === "ClerkTokenInvalid" ? `ClerkTokenInvalid(${error.reason})` : String(error._tag)
  return error._tag === "ClerkTokenInvalid" && error.reason === "JwkFailedToResolve" ? `${base} <- ${error.cause?._tag}` : base
}

beforeAll(async () => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method]
    console[method] = (...args: Array<unknown>) => {
      consoleLines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "))
      original.apply(console, args)
    }
    restoreConsole.push(() => (console[method] = original))
  }
  emulator = await ClerkEmulator.start({ secretKey: SECRET, verifyEndpoint: "legacy", origin: ORIGIN })
  other = await ClerkEmulator.start({ secretKey: "sk_test_other_instance", origin: ORIGIN })
  server = await serveHere(emulator)
  refused = await refusedUrl()
  await Effect.runPromise(
    Effect.gen(function*() {
      yield* emulator.seedSession({ id: SID, userId: UID, refreshToken: REFRESH })
      yield* emulator.seedSession({ id: REVOKE_SID, userId: UID })
      yield* emulator.seedTemplate({ name: "canary", claims: { session: "{{session.id}}" } })
      TOKEN = yield* emulator.mintToken(SID)
      yield* other.seedSession({ id: SID, userId: UID })
      FOREIGN = yield* other.mintToken(SID)
    })
  )
  const [header, payload, signature] = TOKEN.split(".")
  TAMPERED = `${header}.${payload}.${signature.slice(0, -6)}${signature.slice(-6).split("").reverse().join("")}`
  const hs256 = btoa(JSON.stringify({ ...JSON.parse(atob(header.replace(/-/g, "+").replace(/_/g, "/"))), alg: "HS256" }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
  WRONG_ALG = `${hs256}.${payload}.${signature}`
  canaries = [
    SECRET,
    WRONG_SECRET,
    REFRESH,
    WRONG_REFRESH,
    BODY_JWT,
    ...segments(BODY_JWT),
    TOKEN,
    ...segments(TOKEN),
    TAMPERED,
    ...segments(TAMPERED),
    FOREIGN,
    ...segments(FOREIGN),
    "CANARY"
  ]

  // Each cell in its own root fiber, 16 at a time. (Not Effect.forEach: with effect 3.22.4 a
  // logger provided by a layer inside a concurrent forEach stays on its worker fiber, so a
  // cell's recorder would also receive the log lines of the cells run after it there.)
  runs = TRANSPORTS.flatMap((transport, t) =>
    cells.filter((cell) => t === 0 || cell.noClient !== true).map((cell) => ({ cell, transport }))
  )
  const queue = [...runs.entries()]
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [k, run] = next
      const { cell, transport } = run
      const recorder = makeRecorder()
      const exit = await Effect.runPromise(
        cell.run(`secret-canary/${k}`, transport).pipe(
          tapErrorCause((cause) => Effect.logError("call failed", cause)),
          Effect.withSpan(`canary ${cell.group}: ${cell.name}`),
          Effect.exit,
          Effect.provide(Layer.merge(recorder.layer, logEverything))
        )
      )
      results.set(run, { exit, recorder, served: [] })
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  const log = await Effect.runPromise(emulator.requests)
  for (const [k, run] of runs.entries()) {
    const result = results.get(run)!
    results.set(run, { ...result, served: log.filter((r) => r.headers["user-agent"] === `secret-canary/${k}`) })
  }
}, 120_000)

afterAll(async () => {
  for (const restore of restoreConsole) restore()
  await Effect.runPromise(emulator.clearFaults)
  await server.stop()
})

const leaks = (text: string): string | undefined => {
  for (const canary of canaries) {
    const at = text.indexOf(canary)
    if (at !== -1) return `${canary} at …${text.slice(Math.max(0, at - 1500), at + 60)}`
  }
  const shaped = JWT_SHAPE.exec(text)
  return shaped === null ? undefined : `a JWT-shaped ${shaped[0]} at …${text.slice(Math.max(0, shaped.index - 200), shaped.index + 60)}`
}

/** The recorded `http.client` spans (only `ClerkClient.layer`'s HttpClient makes them). */
const httpClientSpans = (result: CellResult) => result.recorder.spans.filter((s) => isHttpSpanName(s.name))

const runOf = (cell: Cell, transport: Transport) => runs.find((r) => r.cell === cell && r.transport === transport)!

const groups = [...new Set(cells.map((c) => c.group))]
for (const transport of TRANSPORTS) {
  for (const group of groups) {
    const inGroup = cells.filter((c) => c.group === group && (transport === TRANSPORTS[0] || c.noClient !== true))
    if (inGroup.length === 0) continue
    describe(`no secret leaks via ${transportName(transport)}: ${group}`, () => {
      for (const cell of inGroup) {
        it(`${cell.name} → ${cell.expected}`, () => {
          const result = results.get(runOf(cell, transport))!
          const { exit, recorder, served } = result
          expect(Exit.isFailure(exit)).toBe(true)
          if (!Exit.isFailure(exit)) return
          expect(causeOf(exit.cause)._tag).toBe("Fail")
          const error = (causeOf(exit.cause) as { error: any }).error
          expect(cell.expected.split(" or ")).toContain(tagOf(error))
          const renderings: Record<string, string> = {
            "String(error)": String(error),
            "error.message": String(error.message),
            "JSON.stringify(error)": JSON.stringify(error),
            "inspect(error)": inspect(error, { depth: 20 }),
            "JSON.stringify(exit)": JSON.stringify(exit),
            "Cause.pretty": prettyCause(exit.cause),
            "spans and logs": recorder.dump()
          }
          for (const [where, text] of Object.entries(renderings)) expect(leaks(text), where).toBeUndefined()
          // The recorder really captured this failure: its span failed and the log line is there.
          expect(recorder.logs.some((line) => line.includes("call failed"))).toBe(true)
          expect(recorder.spans.some((s) => s.name.startsWith("canary ") && s.exit !== undefined && Exit.isFailure(s.exit)))
            .toBe(true)
          // Not vacuous: whatever reached the server carried the secrets.
          for (const request of served) {
            expect(request.authorization).toBe(cell.name.includes("wrong secret") ? "invalid" : "valid")
            if (request.route === "refreshSession") expect(JSON.stringify(request.body)).toMatch(/CANARY(refresh|wrongREFRESH)/)
            if (request.route === "verifySession") expect(JSON.stringify(request.body)).toContain(TOKEN.split(".")[1])
          }
          // Each transport's own spans: an `http.client` span per request sent through the
          // HttpClient (so its redacted headers were checked above), none through layerFetch.
          if (transport === "httpClient") expect(httpClientSpans(result).length).toBeGreaterThanOrEqual(served.length)
          else expect(httpClientSpans(result)).toEqual([])
        })
      }
    })
}
}

// ---- hostile configuration, and a runtime error that quotes the key ----

/** A key with CR LF and a header after it: fetch refuses it, quoting it in its TypeError. */
const CRLF_SECRET = "sk_test_CANARY\r\nX: 1"
const NUL_SECRET = "sk_test_CANARYnul\u0000key"
const USERINFO_URL = "https://clerk-user:CANARYpassw0rd@api.clerk.test"

/** Run `effect` the way every cell runs (span, Effect.logError of the cause, a recorder), and render everything. */
const renderAll = async (effect: Effect.Effect<unknown, unknown>) => {
  const recorder = makeRecorder()
  const exit = await Effect.runPromise(
    effect.pipe(
      tapErrorCause((cause) => Effect.logError("call failed", cause)),
      Effect.withSpan("canary hostile"),
      Effect.exit,
      Effect.provide(Layer.merge(recorder.layer, logEverything))
    )
  )
  expect(Exit.isFailure(exit)).toBe(true)
  const cause = Exit.isFailure(exit) ? exit.cause : emptyCause
  const error = Cause.squash(cause) as any
  // What an app's own `console.error(err)` would print.
  console.error("canary hostile:", error)
  expect(recorder.logs.some((line) => line.includes("call failed"))).toBe(true)
  return {
    error,
    recorder,
    renderings: {
      "String(error)": String(error),
      "JSON.stringify(error)": JSON.stringify(error),
      "inspect(error)": inspect(error, { depth: 20 }),
      "JSON.stringify(exit)": JSON.stringify(exit),
      "Cause.pretty": prettyCause(cause),
      "Effect.logError(cause) and spans": recorder.dump()
    } as Record<string, string>
  }
}

const expectNoCanary = (renderings: Record<string, string>) => {
  for (const [where, text] of Object.entries(renderings)) {
    expect(text.includes("CANARY"), `${where}: ${text.slice(0, 400)}`).toBe(false)
  }
}

for (const transport of TRANSPORTS) {
  describe(`hostile inputs via ${transportName(transport)}`, () => {
    const getSession = (options: Parameters<typeof clientLayer>[1], fetch?: typeof globalThis.fetch) =>
      Effect.provide(
        Effect.flatMap(Sessions, (s) => s.getSession(SID)),
        Sessions.layer.pipe(Layer.provide(clientLayer(transport, options, fetch)))
      )

    for (
      const [name, options, option] of [
        ["a secret key with CR LF and a header after it", { secretKey: Redacted.make(CRLF_SECRET) }, "secretKey"],
        ["a secret key with a NUL", { secretKey: Redacted.make(NUL_SECRET) }, "secretKey"],
        ["an apiUrl with user:password@", { secretKey: Redacted.make(SECRET), apiUrl: USERINFO_URL }, "apiUrl"]
      ] as const
    ) {
      it(`${name}: refused when the layer is built, without quoting it`, async () => {
        const { error, renderings } = await renderAll(getSession({ ...options, apiUrl: options.apiUrl ?? server.url }))
        expect(error).toBeInstanceOf(IllegalArgument)
        expect(error.message).toMatch(new RegExp(`^ClerkClient: invalid options: ${option} `))
        expectNoCanary(renderings)
      })
    }

    // The layer refuses the keys runtimes would quote, so only a fetch of the app's own can
    // still throw such an error: each is scrubbed before it becomes a cause.
    const throwing = (message: (key: string) => string, how: "throws" | "rejects" | "nested" | "options"): typeof globalThis.fetch =>
    (input, init) => {
      const key = new Headers(init?.headers).get("authorization") ?? ""
      const error = how === "nested"
        ? new TypeError("fetch failed", { cause: new TypeError(message(key)) })
        : how === "options"
        // As ky / ofetch wrap a failure: the request and its options ride along on the error.
        ? Object.assign(new TypeError(message(key)), {
          options: { ...init, headers: { Authorization: key } },
          request: new Request(input instanceof Request ? input.url : String(input), init)
        })
        : new TypeError(message(key))
      if (how === "throws") throw error
      return Promise.reject(error)
    }

    for (
      const [name, fetch] of [
        ["fetch throws a TypeError quoting the Authorization header", throwing((key) => `Headers.append: "${key}" is an invalid header value.`, "throws")],
        ["fetch rejects with a TypeError quoting the hostile key text", throwing(() => `Headers.append: "Bearer ${CRLF_SECRET}" is an invalid header value.`, "rejects")],
        ["fetch rejects with a cause (nested) quoting the key", throwing((key) => `invalid value ${key}`, "nested")],
        ["fetch rejects with an error quoting only the key, no header word", throwing((key) => `could not send ${key.slice(7)}`, "rejects")],
        ["fetch rejects with an error carrying the request's options (ky / ofetch style)", throwing(() => "Request failed: fetch failed", "options")]
      ] as const
    ) {
      it(`${name}: ClerkTransportError's cause is scrubbed everywhere (inspect, String, JSON, logError, spans)`, async () => {
        const { error, recorder, renderings } = await renderAll(
          getSession({ secretKey: Redacted.make(SECRET), apiUrl: server.url, retry: false }, fetch)
        )
        expect(error._tag).toBe("ClerkTransportError")
        expect(error.reason).toBe("Transport")
        // Still the runtime's error by name, with its message replaced.
        expect(error.cause).toBeInstanceOf(Error)
        expect(error.cause.name).toBe("TypeError")
        if (name.includes("options")) {
          // A message without a header word or the key is kept; the options it carried are not.
          expect(error.cause.message).toBe("Request failed: fetch failed")
          expect([error.cause.options, error.cause.request]).toEqual([undefined, undefined])
        } else if (name.includes("nested")) {
          expect(error.cause.message).toBe("fetch failed")
          expect(error.cause.cause.name).toBe("TypeError")
          expect(error.cause.cause.message).toMatch(/message was removed/)
        } else {
          expect(error.cause.message).toMatch(/message was removed/)
        }
        if (transport === "httpClient") {
          // The app's HttpClient records its own RequestError (the raw cause) on its
          // `http.client` span: that span is the app's, not the SDK's; every other is checked.
          expect(recorder.spans.some((s) => isHttpSpanName(s.name))).toBe(true)
          recorder.spans.splice(0, recorder.spans.length, ...recorder.spans.filter((s) => !isHttpSpanName(s.name)))
          renderings["Effect.logError(cause) and spans"] = recorder.dump()
        }
        expect(recorder.spans.map((s) => s.name)).toContain("canary hostile")
        expectNoCanary(renderings)
      })
    }

    it("TokenVerifier over a fetch that quotes the key: ClerkTokenInvalid's cause chain is scrubbed", async () => {
      const fetch = throwing((key) => `Headers.append: "${key}" is an invalid header value.`, "rejects")
      const { error, recorder, renderings } = await renderAll(
        Effect.provide(
          Effect.flatMap(TokenVerifier, (v) => v.verify(TOKEN)),
          TokenVerifier.layer({ authorizedParties: [ORIGIN] }).pipe(
            Layer.provide(clientLayer(transport, { secretKey: Redacted.make(SECRET), apiUrl: server.url, retry: false }, fetch))
          )
        )
      )
      expect(tagOf(error)).toBe("ClerkTokenInvalid(JwkFailedToResolve) <- ClerkTransportError")
      expect(error.cause.cause.message).toMatch(/message was removed/)
      if (transport === "httpClient") {
        recorder.spans.splice(0, recorder.spans.length, ...recorder.spans.filter((s) => !isHttpSpanName(s.name)))
        renderings["Effect.logError(cause) and spans"] = recorder.dump()
      }
      // The session token is a canary here too.
      for (const [where, text] of Object.entries(renderings)) expect(leaks(text), where).toBeUndefined()
      expectNoCanary(renderings)
    })
  })
}

describe("no secret leaks: everywhere at once", () => {
  it("every cell ran, the secrets really went over the socket, and console output is clean too", () => {
    const withClient = cells.filter((c) => c.noClient !== true).length
    expect(runs.length).toBe(cells.length + (TRANSPORTS.length - 1) * withClient)
    expect(results.size).toBe(runs.length)
    for (const transport of TRANSPORTS) {
      const mine = [...results].filter(([run]) => run.transport === transport).map(([, result]) => result)
      const served = mine.flatMap((r) => r.served)
      expect(served.filter((r) => r.authorization === "valid").length).toBeGreaterThan(100)
      expect(served.some((r) => r.authorization === "invalid")).toBe(true)
      expect(served.some((r) => r.route === "refreshSession" && JSON.stringify(r.body).includes(REFRESH))).toBe(true)
      // The Sessions spans name their operation (so they were recorded, not just the wrapper).
      const spans = mine.flatMap((r) => r.recorder.spans.map((s) => s.name))
      expect(spans).toContain("Sessions.refreshSession")
      expect(spans).toContain("Sessions.verifySession")
      // http.client spans through the HttpClient only, and there for every request method.
      const clientSpans = new Set(mine.flatMap(httpClientSpans).map((s) => s.name))
      expect(clientSpans).toEqual(transport === "httpClient" ? new Set([httpSpanName("GET"), httpSpanName("POST")]) : new Set())
    }
    expect(leaks(consoleLines.join("\n"))).toBeUndefined()
  })
})
