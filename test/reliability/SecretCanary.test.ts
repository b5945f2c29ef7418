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
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, type EmulatorRequest, Fault, type ServedEmulator } from "../../src/testing/index.js"
import { TokenVerifier, type TokenVerifierOptions } from "../../src/TokenVerifier.js"
import { makeRecorder } from "../support/TestTracer.js"
import { countingFetch, refusedUrl, serveHere } from "./support.js"

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
  readonly run: (ua: string) => Effect.Effect<unknown, unknown>
}

const cells: Array<Cell> = []
const results = new Map<Cell, CellResult>()

// ---- Sessions methods under every failure ----

interface Options {
  readonly key?: string
  readonly url?: "served" | "refused"
}

const sessionsLayer = (ua: string, options: Options = {}) =>
  Sessions.layer.pipe(
    Layer.provide(
      ClerkClient.layer({
        secretKey: Redacted.make(options.key ?? SECRET),
        apiUrl: options.url === "refused" ? refused : server.url,
        timeout: Duration.seconds(2),
        retry: { times: 1, baseDelay: "10 millis" },
        userAgent: ua
      })
    ),
    Layer.provide(countingFetch().layer)
  )

const mine = (ua: string) => (request: EmulatorRequest) => request.headers["user-agent"] === ua

interface Call {
  readonly name: string
  readonly call: (s: Sessions["Type"], args: { readonly sid: string; readonly refresh: string; readonly token: string }) => Effect.Effect<unknown, unknown>
  /** A body of the wrong shape that carries the BODY_JWT canary where the decoder looks. */
  readonly wrongShape: unknown
  /** The API's own refusal: the arguments and the tag. */
  readonly refusal?: { readonly args: { readonly sid?: string; readonly refresh?: string; readonly token?: string }; readonly tag: string }
  /** Arguments refused before sending. */
  readonly invalid: (s: Sessions["Type"]) => Effect.Effect<unknown, unknown>
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

const withSessions = (ua: string, options: Options, f: (s: Sessions["Type"]) => Effect.Effect<unknown, unknown>) =>
  Effect.provide(Effect.flatMap(Sessions, f), sessionsLayer(ua, options))

const faultCell = (call: Call, name: string, fault: () => Fault, expected: string) =>
  cells.push({
    group: call.name,
    name,
    expected,
    run: (ua) =>
      Effect.zipRight(
        emulator.injectFault(fault(), { times: Infinity, match: mine(ua) }),
        withSessions(ua, {}, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
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
    run: (ua) => withSessions(ua, { url: "refused" }, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
  })
  cells.push({
    group: call.name,
    name: "wrong secret key (401)",
    expected: "ClerkUnauthorized",
    run: (ua) => withSessions(ua, { key: WRONG_SECRET }, (s) => call.call(s, { sid: SID, refresh: REFRESH, token: TOKEN }))
  })
  if (call.refusal !== undefined) {
    cells.push({
      group: call.name,
      name: `the API refuses (${call.refusal.tag})`,
      expected: call.refusal.tag,
      run: (ua) => withSessions(ua, {}, (s) => call.call(s, args(call)))
    })
  }
  cells.push({
    group: call.name,
    name: "input refused before sending",
    expected: "ClerkInvalidInput",
    run: (ua) => withSessions(ua, {}, call.invalid)
  })
}

// Secrets that are themselves invalid: refused without quoting them.
for (const [name, invalid] of [
  [
    "refreshSession: a refresh token with a NUL",
    (s: Sessions["Type"]) => s.refreshSession(SID, { expiredToken: TOKEN, refreshToken: `${REFRESH}\u0000`, requestOrigin: ORIGIN })
  ],
  [
    "refreshSession: an expired token with a newline",
    (s: Sessions["Type"]) =>
      s.refreshSession(SID, { expiredToken: Redacted.make(`${TOKEN}\n`), refreshToken: REFRESH, requestOrigin: ORIGIN })
  ],
  ["verifySession: a token with a carriage return", (s: Sessions["Type"]) => s.verifySession(SID, { token: `${TOKEN}\r` })]
] as const) {
  cells.push({
    group: "invalid secrets",
    name,
    expected: "ClerkInvalidInput",
    run: (ua) => withSessions(ua, {}, invalid)
  })
}

// ---- TokenVerifier ----

const verifierOverSocket = (ua: string, options: TokenVerifierOptions = {}, client: Options = {}) =>
  TokenVerifier.layer({ authorizedParties: [ORIGIN], ...options }).pipe(
    Layer.provide(
      ClerkClient.layer({
        secretKey: Redacted.make(client.key ?? SECRET),
        apiUrl: client.url === "refused" ? refused : server.url,
        timeout: Duration.seconds(2),
        retry: { times: 1, baseDelay: "10 millis" },
        userAgent: ua
      })
    ),
    Layer.provide(countingFetch().layer)
  )

const verifyWith = (layer: Layer.Layer<TokenVerifier, unknown>, token: () => string) =>
  Effect.provide(Effect.flatMap(TokenVerifier, (v) => v.verify(token())), layer)

const jwksCell = (name: string, fault: () => Fault, cause: string) =>
  cells.push({
    group: "TokenVerifier (JWKS)",
    name,
    expected: `ClerkTokenInvalid(JwkFailedToResolve) <- ${cause}`,
    run: (ua) =>
      Effect.zipRight(
        emulator.injectFault(fault(), { times: Infinity, match: mine(ua) }),
        verifyWith(verifierOverSocket(ua), () => TOKEN)
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
  run: (ua) => verifyWith(verifierOverSocket(ua, {}, { url: "refused" }), () => TOKEN)
})
cells.push({
  group: "TokenVerifier (JWKS)",
  name: "JWKS with a wrong secret key",
  expected: "ClerkTokenInvalid(JwkFailedToResolve) <- ClerkUnauthorized",
  run: (ua) => verifyWith(verifierOverSocket(ua, {}, { key: WRONG_SECRET }), () => TOKEN)
})

const verifierCell = (name: string, expected: string, token: () => string, options: TokenVerifierOptions = {}) =>
  cells.push({
    group: "TokenVerifier (token)",
    name,
    expected: `ClerkTokenInvalid(${expected})`,
    run: (ua) => verifyWith(verifierOverSocket(ua, options), token)
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
const offsetClock = (offset: number): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => Date.now() + offset,
  currentTimeMillis: Effect.sync(() => Date.now() + offset),
  unsafeCurrentTimeNanos: () => BigInt(Date.now() + offset) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(Date.now() + offset) * 1_000_000n),
  sleep: (duration) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, Duration.toMillis(duration))))
})

for (const [name, offset, reason] of [
  ["expired (clock 2 h ahead)", 2 * 3600_000, "TokenExpired"],
  ["not yet valid (clock 1 h behind)", -3600_000, "TokenNotActiveYet) or ClerkTokenInvalid(TokenIatInTheFuture"]
] as const) {
  cells.push({
    group: "TokenVerifier (PEM, no network)",
    name,
    expected: `ClerkTokenInvalid(${reason})`,
    run: () =>
      Effect.flatMap(emulator.publicKeyPem, (jwtKey) =>
        verifyWith(TokenVerifier.layerJwtKey({ jwtKey }), () => TOKEN).pipe(Effect.withClock(offsetClock(offset))))
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
    run: (ua) =>
      Effect.provide(
        Effect.flatMap(TokenVerifier, (v) => v.authenticateRequest(new Request(`${ORIGIN}/dashboard`, { headers: headers() }))),
        verifierOverSocket(ua)
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
  const queue = [...cells.entries()]
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [k, cell] = next
      const recorder = makeRecorder()
      const exit = await Effect.runPromise(
        cell.run(`secret-canary/${k}`).pipe(
          Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
          Effect.withSpan(`canary ${cell.group}: ${cell.name}`),
          Effect.exit,
          Effect.provide(Layer.merge(recorder.layer, Logger.minimumLogLevel(LogLevel.All)))
        )
      )
      results.set(cell, { exit, recorder, served: [] })
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  const log = await Effect.runPromise(emulator.requests)
  for (const [k, cell] of cells.entries()) {
    const result = results.get(cell)!
    results.set(cell, { ...result, served: log.filter((r) => r.headers["user-agent"] === `secret-canary/${k}`) })
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

const groups = [...new Set(cells.map((c) => c.group))]
for (const group of groups) {
  describe(`no secret leaks: ${group}`, () => {
    for (const cell of cells.filter((c) => c.group === group)) {
      it(`${cell.name} → ${cell.expected}`, () => {
        const { exit, recorder, served } = results.get(cell)!
        expect(Exit.isFailure(exit)).toBe(true)
        if (!Exit.isFailure(exit)) return
        expect(exit.cause._tag).toBe("Fail")
        const error = (exit.cause as { error: any }).error
        expect(cell.expected.split(" or ")).toContain(tagOf(error))
        const renderings: Record<string, string> = {
          "String(error)": String(error),
          "error.message": String(error.message),
          "JSON.stringify(error)": JSON.stringify(error),
          "inspect(error)": inspect(error, { depth: 20 }),
          "JSON.stringify(exit)": JSON.stringify(exit),
          "Cause.pretty": Cause.pretty(exit.cause, { renderErrorCause: true }),
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
      })
    }
  })
}

describe("no secret leaks: everywhere at once", () => {
  it("every cell ran, the secrets really went over the socket, and console output is clean too", () => {
    expect(results.size).toBe(cells.length)
    const served = [...results.values()].flatMap((r) => r.served)
    expect(served.filter((r) => r.authorization === "valid").length).toBeGreaterThan(100)
    expect(served.some((r) => r.authorization === "invalid")).toBe(true)
    expect(served.some((r) => r.route === "refreshSession" && JSON.stringify(r.body).includes(REFRESH))).toBe(true)
    // The Sessions spans name their operation (so they were recorded, not just the wrapper).
    const spans = [...results.values()].flatMap((r) => r.recorder.spans.map((s) => s.name))
    expect(spans).toContain("Sessions.refreshSession")
    expect(spans).toContain("Sessions.verifySession")
    expect(leaks(consoleLines.join("\n"))).toBeUndefined()
  })
})
