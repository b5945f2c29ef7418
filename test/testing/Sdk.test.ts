/**
 * The SDK (`Sessions` → `ClerkClient` → `HttpClient`) end to end against the emulator: the
 * same scenario in-process (`ClerkEmulator.layerSessions`, no socket, TestClock) and over a
 * real socket (`NodeClerkEmulator.layerSessions`: node:http server + FetchHttpClient).
 */
import { describe, expect, it, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { createLocalJWKSet, jwtVerify } from "jose"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Session, SessionCookies, SessionList, SessionToken } from "../../src/Session.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, ClerkEmulatorServer, DEFAULT_EMULATOR_SECRET_KEY } from "../../src/testing/index.js"
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
    const all = yield* Stream.runCollect(sessions.listAll({ userId, limit: 2 }))
    expect(Chunk.toReadonlyArray(all).map((s) => s.id)).toEqual([4, 3, 2, 1, 0].map((i) => `sess_${userId}_${i}`))
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
    return { baseUrl: client.baseUrl, requests: log.length }
  })

describe("SDK through ClerkEmulator.layerSessions (in-process)", () => {
  it.effect("every Sessions method, with the TestClock's time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { baseUrl, requests } = yield* scenario("user_inproc")
      expect(baseUrl).toBe("https://api.clerk.com/v1")
      expect(requests).toBe(18)
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

layer(NodeClerkEmulator.layerSessions(), { excludeTestServices: true })("SDK over a real socket", (it) => {
  it.effect("every Sessions method over node:http and FetchHttpClient (live clock)", () =>
    Effect.gen(function*() {
      const server = yield* ClerkEmulatorServer
      expect(yield* Clock.currentTimeMillis).toBeGreaterThan(Date.UTC(2026, 0, 1))
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const { baseUrl, requests } = yield* scenario("user_socket")
      expect(baseUrl).toBe(`${server.url}/v1`)
      expect(requests).toBe(18)
    }))
})
