/**
 * The SDK (`Sessions` → `ClerkClient` → `HttpClient` or `fetch`) end to end against the
 * emulator: the same scenario through both transports (`ClerkClient.layer` over an
 * `HttpClient`, `ClerkClient.layerFetch` over `fetch`), in-process
 * (`ClerkEmulator.layerSessions`, no socket, TestClock) and over a real socket
 * (`NodeClerkEmulator.layerSessions`: node:http server + FetchHttpClient or globalThis.fetch).
 */
import * as Kernel from "#line/Kernel"
import { FetchHttpClient, LINE, pollUnsafe, runCollect, TestClock } from "#test-line/Testing"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createLocalJWKSet, jwtVerify } from "jose"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Session, SessionCookies, SessionList, SessionToken } from "../../src/Session.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, ClerkEmulatorServer, DEFAULT_EMULATOR_SECRET_KEY, Fault } from "../../src/testing/index.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"
import { NOW } from "./support.js"

/** Every Sessions method against a freshly seeded user; returns what it saw, for the caller to compare. */
const scenario = (userId: string) =>
  Effect.gen(function*() {
    const emulator = yield* ClerkEmulator
    const sessions = yield* Sessions
    const client = yield* ClerkClient
    const now = yield* Clock.currentTimeMillis
    yield* emulator.seedTemplate({ name: `tpl_${userId}`, claims: { uid: "{{user.id}}" } })
    const seeded = []
    for (let i = 0; i < 5; i++) {
      seeded.push(
        yield* emulator.seedSession({
          id: `sess_${userId}_${i}`,
          userId,
          createdAt: now - (5 - i) * 1000,
          status: i === 1 ? "ended" : "active",
          device: { deviceType: "desktop", isMobile: false, browserName: "Firefox", city: "Lyon", country: "FR" }
        })
      )
    }
    const log0 = (yield* emulator.requests).length

    // getSessionList: {data,total_count}, decoded into Session instances, newest first.
    const page = yield* sessions.getSessionList({ userId, limit: 2, offset: 1 })
    expect(page).toBeInstanceOf(SessionList)
    expect(page.totalCount).toBe(5)
    expect(page.data.map((s) => s.id)).toEqual([`sess_${userId}_3`, `sess_${userId}_2`])
    expect(page.data[0]).toBeInstanceOf(Session)
    expect(page.data[0].latestActivity?.city).toBe("Lyon")
    expect(page.data[0].latestActivity?.isMobile).toBe(false)
    const activeOnly = yield* sessions.getSessionList({ userId, status: "active" })
    expect(activeOnly.data.map((s) => s.id)).toEqual([4, 3, 2, 0].map((i) => `sess_${userId}_${i}`))

    // listAll walks every page (limit is the page size).
    const all = yield* runCollect(sessions.listAll({ userId, limit: 2 }))
    expect(all.map((s) => s.id)).toEqual([4, 3, 2, 1, 0].map((i) => `sess_${userId}_${i}`))
    const pages = (yield* emulator.requests).slice(log0 + 2)
    expect(pages.map((r) => [r.query.limit, r.query.offset ?? "0", r.query.paginated])).toEqual([
      ["2", "0", "true"],
      ["2", "2", "true"],
      ["2", "4", "true"]
    ])

    // getSession: millisecond timestamps become DateTime.Utc.
    const one = yield* sessions.getSession(`sess_${userId}_0`)
    expect(one.userId).toBe(userId)
    expect(DateTime.toEpochMillis(one.createdAt)).toBe(now - 5000)
    expect(DateTime.toEpochMillis(one.expireAt)).toBe(seeded[0].expireAt)
    expect(one.latestActivity).toBeUndefined()

    // createSessionToken: a Redacted JWT that verifies against the emulator's JWKS.
    const token = yield* sessions.createSessionToken(`sess_${userId}_0`, { expiresInSeconds: 120 })
    expect(token).toBeInstanceOf(SessionToken)
    expect(String(token.jwt)).toBe("<redacted>")
    const jwks = yield* emulator.jwks
    const { payload } = yield* Effect.promise(() =>
      jwtVerify(Redacted.value(token.jwt), createLocalJWKSet(jwks as any), { currentDate: new Date(now) })
    )
    expect(payload).toMatchObject({ sid: `sess_${userId}_0`, sub: userId, v: 2, sts: "active" })
    expect(payload.exp! - payload.iat!).toBe(120)

    const templated = yield* sessions.createSessionTokenFromTemplate(`sess_${userId}_0`, `tpl_${userId}`)
    const templateClaims = yield* Effect.promise(() =>
      jwtVerify(Redacted.value(templated.jwt), createLocalJWKSet(jwks as any), { currentDate: new Date(now) })
    )
    expect(templateClaims.payload.uid).toBe(userId)
    expect(templateClaims.payload.sid).toBeUndefined()

    // refreshSession, both formats.
    const refreshParams = {
      expiredToken: token.jwt,
      refreshToken: Redacted.make(seeded[0].refreshToken),
      requestOrigin: "http://localhost:3000"
    }
    const refreshed = yield* sessions.refreshSession(`sess_${userId}_0`, refreshParams)
    expect(refreshed).toBeInstanceOf(SessionToken)
    const cookies = yield* sessions.refreshSession(`sess_${userId}_0`, { ...refreshParams, format: "cookie" })
    expect(cookies).toBeInstanceOf(SessionCookies)
    expect((cookies as SessionCookies).cookies.map((c) => Redacted.value(c).split("=")[0])).toEqual([
      "__session",
      "__client_uat"
    ])

    // revokeSession: the session comes back revoked, and stays so.
    const revoked = yield* sessions.revokeSession(`sess_${userId}_0`)
    expect(revoked.status).toBe("revoked")
    expect((yield* sessions.getSession(`sess_${userId}_0`)).status).toBe("revoked")

    // verifySession: Clerk's 410, typed.
    const gone = yield* Effect.flip(sessions.verifySession(`sess_${userId}_2`, { token: token.jwt }))
    expect(gone._tag).toBe("ClerkGone")
    expect(gone._tag === "ClerkGone" && gone.errors[0].code).toBe("operation_deprecated")

    // The legacy verify (Clerk's old 200): the session for its own token, 400 for another
    // session's token, 404 for a session that is no longer live.
    yield* emulator.setVerifyEndpoint("legacy")
    const verified = yield* sessions.verifySession(`sess_${userId}_2`, {
      token: yield* emulator.mintToken(`sess_${userId}_2`)
    })
    expect([verified.id, verified.userId, verified.status]).toEqual([`sess_${userId}_2`, userId, "active"])
    const foreign = yield* Effect.flip(sessions.verifySession(`sess_${userId}_2`, { token: token.jwt }))
    expect(foreign._tag).toBe("ClerkBadRequest")
    expect(foreign._tag === "ClerkBadRequest" && [foreign.status, foreign.errors[0].code]).toEqual([
      400,
      "invalid_session_token"
    ])
    const revokedVerify = yield* Effect.flip(sessions.verifySession(`sess_${userId}_0`, { token: token.jwt }))
    expect(revokedVerify._tag === "ClerkNotFound" && revokedVerify.status).toBe(404)
    yield* emulator.setVerifyEndpoint("gone")

    // createSession, then typed errors for unknown things.
    const created = yield* sessions.createSession({ userId })
    expect(created.status).toBe("active")
    expect(created.userId).toBe(userId)
    const notFound = yield* Effect.flip(sessions.getSession("sess_nobody"))
    expect(notFound._tag).toBe("ClerkNotFound")
    expect(notFound._tag === "ClerkNotFound" && notFound.errors[0].longMessage).toBe("No session was found with id sess_nobody")
    expect(notFound._tag === "ClerkNotFound" && notFound.clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
    const noTemplate = yield* Effect.flip(sessions.createSessionTokenFromTemplate(`sess_${userId}_2`, "nope"))
    expect(noTemplate._tag).toBe("ClerkNotFound")
    const noUser = yield* Effect.flip(sessions.createSession({ userId: "user_nobody" }))
    expect(noUser._tag).toBe("ClerkNotFound")
    const inactive = yield* Effect.flip(sessions.createSessionToken(`sess_${userId}_1`))
    expect(inactive._tag).toBe("ClerkNotFound")

    // Every request carried the SDK's headers and the emulator's key.
    const log = (yield* emulator.requests).slice(log0)
    expect(log.every((r) => r.authorization === "valid")).toBe(true)
    expect(log.every((r) => r.headers["clerk-api-version"] === "2026-05-12")).toBe(true)
    expect(log.every((r) => r.headers.traceparent === undefined)).toBe(true)
    expect(log.map((r) => r.status)).toEqual([
      ...Array(6).fill(200), // two lists, three pages, getSession
      200, // createSessionToken
      200, // createSessionTokenFromTemplate
      200, // refreshSession
      200, // refreshSession (cookie)
      200, // revokeSession
      200, // getSession
      410, // verifySession, gone
      200, // verifySession, legacy
      400, // … another session's token
      404, // … a revoked session
      200, // createSession
      404, // getSession sess_nobody
      404, // no template
      404, // no user
      404 // an ended session's token
    ])
    return { baseUrl: client.baseUrl, requests: log.length }
  })

/** The scenario needs 21 requests: the log above, one by one. */
const SCENARIO_REQUESTS = 21

describe("SDK through ClerkEmulator.layerSessions (in-process)", () => {
  it.effect("every Sessions method, with the TestClock's time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { baseUrl, requests } = yield* scenario("user_inproc")
      expect(baseUrl).toBe("https://api.clerk.com/v1")
      expect(requests).toBe(SCENARIO_REQUESTS)
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))

  it.effect("ClerkEmulator.layer composes with ClerkClient.layer and Sessions.layer by hand", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
      const session = yield* (yield* Sessions).getSession("sess_1")
      expect(session.id).toBe("sess_1")
      expect((yield* emulator.requests).map((r) => r.path)).toEqual(["/v1/sessions/sess_1"])
    }).pipe(
      Effect.provide(
        Sessions.layer.pipe(
          Layer.provide(ClerkClient.layer({ secretKey: Redacted.make(DEFAULT_EMULATOR_SECRET_KEY) })),
          Layer.provideMerge(ClerkEmulator.layer())
        )
      )
    ))
})

/** Real time passing, outside the TestClock: lets the in-process handler's promises run. */
const tick = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))

/** Wait (real time, up to 30 s: a busy machine is slow, not stuck) until the emulator has logged `count` requests. */
const untilLogged = (count: number) =>
  Effect.gen(function*() {
    const emulator = yield* ClerkEmulator
    const deadline = Date.now() + 30_000
    while ((yield* emulator.requests).length < count && Date.now() < deadline) yield* tick
    expect((yield* emulator.requests).length).toBe(count)
  })

describe("SDK through ClerkClient.layerFetch over the emulator's in-process fetch", () => {
  it.effect("every Sessions method, with the TestClock's time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { baseUrl, requests } = yield* scenario("user_fetch_inproc")
      expect(baseUrl).toBe("https://api.clerk.com/v1")
      expect(requests).toBe(SCENARIO_REQUESTS)
    }).pipe(Effect.provide(ClerkEmulator.layerSessions({ transport: "fetch" }))))

  it.effect("ClerkEmulator.layer provides its fetch as FetchHttpClient.Fetch, which ClerkClient.layerFetch sends with", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      expect(yield* FetchHttpClient.Fetch).toBe(emulator.fetch)
      yield* emulator.seedSession({ id: "sess_1", userId: "user_1" })
      const session = yield* (yield* Sessions).getSession("sess_1")
      expect([session.id, session.userId, session.status]).toEqual(["sess_1", "user_1", "active"])
      expect((yield* emulator.requests).map((r) => [r.method, r.path, r.authorization, r.status])).toEqual([
        ["GET", "/v1/sessions/sess_1", "valid", 200]
      ])
    }).pipe(
      Effect.provide(
        Sessions.layer.pipe(
          Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(DEFAULT_EMULATOR_SECRET_KEY) })),
          Layer.provideMerge(ClerkEmulator.layer())
        )
      )
    ))

  it.effect("a hang times out on the TestClock: ClerkTimeout, and the handler saw the request and no answer", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_hang", userId: "user_hang" })
      yield* emulator.injectFault(Fault.hang(), { route: "getSession" })
      const fiber = yield* Kernel.fork(Effect.flip((yield* Sessions).getSession("sess_hang")))
      yield* untilLogged(1)
      yield* TestClock.adjust("1999 millis")
      expect(pollUnsafe(fiber)).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("ClerkTimeout")
      expect(error._tag === "ClerkTimeout" && Duration.toMillis(error.timeout)).toBe(2000)
      expect(error.message).toContain("GET /sessions/sess_hang")
      expect((yield* emulator.requests).map((r) => [r.route, r.status, r.fault])).toEqual([
        ["getSession", undefined, "Hang"]
      ])
    }).pipe(
      Effect.provide(ClerkEmulator.layerSessions({ transport: "fetch", client: { timeout: "2 seconds", retry: false } }))
    ))

  it.effect("a 503 is retried after the backoff on the TestClock, then the session comes back", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* emulator.seedSession({ id: "sess_retry", userId: "user_retry" })
      yield* emulator.injectFault(Fault.status(503), { route: "getSession" })
      const fiber = yield* Kernel.fork((yield* Sessions).getSession("sess_retry"))
      yield* untilLogged(1)
      // The backoff is at least 800 ms (1 s jittered): not yet re-sent before that.
      yield* TestClock.adjust("799 millis")
      yield* tick
      expect((yield* emulator.requests).length).toBe(1)
      // Virtual time on, with real time between steps for the handler's promises, until it ends.
      const deadline = Date.now() + 30_000
      while (pollUnsafe(fiber) === undefined && Date.now() < deadline) {
        yield* TestClock.adjust("100 millis")
        yield* tick
      }
      const session = yield* Fiber.join(fiber)
      expect([session.id, session.status]).toEqual(["sess_retry", "active"])
      expect((yield* emulator.requests).map((r) => r.status)).toEqual([503, 200])
    }).pipe(
      Effect.provide(
        ClerkEmulator.layerSessions({
          transport: "fetch",
          client: { retry: { times: 1, baseDelay: "1 second", maxDelay: "1 second" } }
        })
      )
    ))

  it.live("the emulator's fetch: answers like the handler, rejects with an AbortError once aborted", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator.make()
      yield* emulator.seedSession({ id: "sess_abort", userId: "user_abort" })
      const authorization = `Bearer ${DEFAULT_EMULATOR_SECRET_KEY}`
      const url = "https://api.clerk.com/v1/sessions/sess_abort"

      const ok = yield* Effect.promise(() => emulator.fetch(url, { headers: { authorization } }))
      expect(ok.status).toBe(200)
      expect((yield* Effect.promise(() => ok.json())).id).toBe("sess_abort")
      const asRequest = yield* Effect.promise(() => emulator.fetch(new Request(url, { headers: { authorization } })))
      expect(asRequest.status).toBe(200)

      // Aborted while the handler hangs: rejected at once; the handler saw the request.
      yield* emulator.injectFault(Fault.hang())
      const controller = new AbortController()
      const pending = emulator.fetch(url, { headers: { authorization }, signal: controller.signal })
      // Once the handler has the request (waiting for it, not for a fixed time).
      const deadline = Date.now() + 30_000
      while ((yield* emulator.requests).length < 3 && Date.now() < deadline) yield* Effect.sleep("5 millis")
      const started = Date.now()
      controller.abort()
      const aborted = yield* Effect.promise(() => pending.then(() => undefined, (e: unknown) => e))
      // The handler hangs for ever: settling at all is "at once" (the bound leaves a busy machine room).
      expect(Date.now() - started).toBeLessThan(5000)
      expect(aborted).toBeInstanceOf(DOMException)
      expect((aborted as DOMException).name).toBe("AbortError")

      // Already aborted: rejected without reaching the handler; a custom reason is kept.
      const reason = new Error("gave up")
      const before = (yield* emulator.requests).length
      const early = yield* Effect.promise(() =>
        emulator.fetch(url, { headers: { authorization }, signal: AbortSignal.abort(reason) }).then(
          () => undefined,
          (e: unknown) => e
        )
      )
      expect(early).toBe(reason)
      expect((yield* emulator.requests).length).toBe(before)
      expect((yield* emulator.requests).map((r) => [r.status, r.fault])).toEqual([
        [200, undefined],
        [200, undefined],
        [undefined, "Hang"]
      ])
    }))
})

// Every \`it.effect\` (TestClock) comes before the first \`layer(...)\` block: @effect/vitest 0.30's
// \`layer\` assigns its own \`effect\` onto the shared \`it\`, so an \`it.effect\` declared after it
// would run in that layer's runtime (here: no test services, the live clock).

layer(NodeClerkEmulator.layerSessions(), { excludeTestServices: true })("SDK over a real socket", (it) => {
  it.effect("every Sessions method over node:http and FetchHttpClient (live clock)", () =>
    Effect.gen(function*() {
      const server = yield* ClerkEmulatorServer
      expect(yield* Clock.currentTimeMillis).toBeGreaterThan(Date.UTC(2026, 0, 1))
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const { baseUrl, requests } = yield* scenario("user_socket")
      expect(baseUrl).toBe(`${server.url}/v1`)
      expect(requests).toBe(SCENARIO_REQUESTS)
    }))
})

layer(NodeClerkEmulator.layerSessions({ transport: "fetch" }), { excludeTestServices: true })(
  "SDK through ClerkClient.layerFetch over a real socket",
  (it) => {
    it.effect("every Sessions method over node:http and globalThis.fetch (live clock)", () =>
      Effect.gen(function*() {
        const server = yield* ClerkEmulatorServer
        // No in-process fetch here: layerFetch sends with globalThis.fetch (effect 4's Fetch is a
        // reference whose default is globalThis.fetch; effect 3's is a tag with no default).
        const fetchService = yield* Effect.serviceOption(FetchHttpClient.Fetch)
        if (LINE === "effect3") expect(Option.isNone(fetchService)).toBe(true)
        else expect(Option.getOrUndefined(fetchService)).toBe(globalThis.fetch)
        const { baseUrl, requests } = yield* scenario("user_fetch_socket")
        expect(baseUrl).toBe(`${server.url}/v1`)
        expect(requests).toBe(SCENARIO_REQUESTS)
      }))

    it.effect("a hang times out after 300 ms; a 404 and a 410 are typed", () =>
      Effect.gen(function*() {
        const emulator = yield* ClerkEmulator
        const server = yield* ClerkEmulatorServer
        yield* emulator.seedSession({ id: "sess_socket_hang", userId: "user_socket_hang" })
        yield* emulator.clearRequests
        const sessionsWith = (timeout: Kernel.DurationInput) =>
          Effect.provide(
            Sessions,
            // Fresh: effect 4 shares a layer it already built (this suite's own Sessions) across a nested provide.
            Layer.fresh(Sessions.layer).pipe(
              Layer.provide(ClerkClient.layerFetch({ secretKey: emulator.secretKey, apiUrl: server.url, timeout, retry: false }))
            )
          )
        // The hang with a 300 ms timeout; the answers with a long one, so a busy machine's slow
        // answer is not mistaken for a hang.
        const short = yield* sessionsWith("300 millis")
        const sessions = yield* sessionsWith("30 seconds")
        yield* emulator.injectFault(Fault.hang(), { route: "getSession" })
        const started = Date.now()
        const timeout = yield* Effect.flip(short.getSession("sess_socket_hang"))
        const elapsed = Date.now() - started
        expect(timeout._tag).toBe("ClerkTimeout")
        expect(timeout._tag === "ClerkTimeout" && Duration.toMillis(timeout.timeout)).toBe(300)
        expect(elapsed).toBeGreaterThanOrEqual(290)
        // Far above 300 ms: only that the timeout fired (a busy machine runs timers late).
        expect(elapsed).toBeLessThan(10_000)

        const missing = yield* Effect.flip(sessions.getSession("sess_socket_missing"))
        expect(missing._tag === "ClerkNotFound" && [missing.status, missing.errors[0].code]).toEqual([
          404,
          "resource_not_found"
        ])
        const gone = yield* Effect.flip(sessions.verifySession("sess_socket_hang", { token: "x.y.z" }))
        expect(gone._tag === "ClerkGone" && [gone.status, gone.errors[0].code]).toEqual([410, "operation_deprecated"])
        expect((yield* emulator.requests).map((r) => [r.route, r.status, r.fault])).toEqual([
          ["getSession", undefined, "Hang"],
          ["getSession", 404, undefined],
          ["verifySession", 410, undefined]
        ])
      }))
  }
)
