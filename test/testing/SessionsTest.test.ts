/** SessionsTest.layer: stubs what the application calls; anything else dies naming itself. */
import * as Kernel from "#line/Kernel"
import { dieMessageText, isDie, runCollect } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ClerkNotFound, ClerkUnauthorized } from "../../src/ClerkError.js"
import { Session, SessionActivity, SessionCookies, SessionFromWire, SessionList, SessionToken } from "../../src/Session.js"
import { type GetSessionListParams, Sessions } from "../../src/Sessions.js"
import { SessionsTest } from "../../src/testing/index.js"

const at = Kernel.makeUtcUnsafe(Date.UTC(2026, 4, 12))
const session = (id: string, status = "active") =>
  new Session({
    id,
    userId: "user_1",
    clientId: "client_1",
    status,
    lastActiveAt: at,
    expireAt: at,
    abandonAt: at,
    updatedAt: at,
    createdAt: at
  })

/** An application function: revoke every active session of a user, return how many. */
const signOutEverywhere = (userId: string) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const page = yield* sessions.getSessionList({ userId, status: "active" })
    yield* Effect.forEach(page.data, (s) => sessions.revokeSession(s.id))
    return page.data.length
  })

const defectOf = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  return String(Cause.squash(exit.cause))
}

describe("SessionsTest.layer", () => {
  it.effect("serves the stubbed methods to application code", () => {
    const revoked: Array<string> = []
    const listed: Array<unknown> = []
    return Effect.gen(function*() {
      const count = yield* signOutEverywhere("user_1")
      expect(count).toBe(2)
      expect(revoked).toEqual(["sess_1", "sess_2"])
      expect(listed).toEqual([{ userId: "user_1", status: "active" }])
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: (params) => {
          listed.push(params)
          return Effect.succeed(new SessionList({ data: [session("sess_1"), session("sess_2")], totalCount: 2 }))
        },
        revokeSession: (id) => {
          revoked.push(id)
          return Effect.succeed(session(id, "revoked"))
        }
      }))
    )
  })

  it.effect("stubs can fail with the SDK's typed errors", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(Sessions, (s) => s.getSession("sess_gone")))
      expect(error).toBeInstanceOf(ClerkNotFound)
      expect(error._tag === "ClerkNotFound" && error.status).toBe(404)
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSession: () => Effect.fail(new ClerkNotFound({ status: 404, errors: [], clerkTraceId: undefined }))
      }))
    ))

  it.effect("an unstubbed method dies with a message naming it, when it runs", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(signOutEverywhere("user_1"))
      expect(Exit.isFailure(exit) && isDie(exit.cause)).toBe(true)
      expect(defectOf(exit)).toContain("SessionsTest: revokeSession was not stubbed")
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: () => Effect.succeed(new SessionList({ data: [session("sess_1")], totalCount: 1 }))
      }))
    ))

  it.effect("every one of the nine methods dies naming itself when not given (listAll as a Stream)", () =>
    Effect.gen(function*() {
      const s = yield* Sessions
      const calls: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
        ["getSessionList", s.getSessionList()],
        ["listAll", Stream.runCollect(s.listAll({ userId: "user_1" }))],
        ["getSession", s.getSession("sess_1")],
        ["revokeSession", s.revokeSession("sess_1")],
        ["verifySession", s.verifySession("sess_1")],
        ["createSessionToken", s.createSessionToken("sess_1")],
        ["createSessionTokenFromTemplate", s.createSessionTokenFromTemplate("sess_1", "t")],
        ["createSession", s.createSession({ userId: "user_1" })],
        [
          "refreshSession",
          s.refreshSession("sess_1", { expiredToken: "a", refreshToken: "b", requestOrigin: "http://localhost" })
        ]
      ]
      for (const [name, effect] of calls) {
        const exit = yield* Effect.exit(effect)
        expect(Exit.isFailure(exit) && isDie(exit.cause)).toBe(true)
        expect(defectOf(exit)).toBe(dieMessageText(`SessionsTest: ${name} was not stubbed`))
      }
    }).pipe(Effect.provide(SessionsTest.layer())))

  it.effect("listAll pages through a stubbed getSessionList (page size limit, until a short page)", () => {
    const asked: Array<GetSessionListParams | undefined> = []
    const all = [1, 2, 3, 4, 5].map((n) => SessionsTest.session({ id: `sess_${n}` }))
    return Effect.gen(function*() {
      const s = yield* Sessions
      const ids = (yield* runCollect(s.listAll({ userId: "user_1", limit: 2 })))
        .map((x) => x.id)
      expect(ids).toEqual(["sess_1", "sess_2", "sess_3", "sess_4", "sess_5"])
      expect(asked).toEqual([
        { userId: "user_1", limit: 2, offset: 0 },
        { userId: "user_1", limit: 2, offset: 2 },
        { userId: "user_1", limit: 2, offset: 4 }
      ])
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: (params) => {
          asked.push(params)
          const offset = params?.offset ?? 0
          return Effect.succeed(
            SessionsTest.sessionList(all.slice(offset, offset + (params?.limit ?? 10)), all.length)
          )
        }
      }))
    )
  })

  it.effect("listAll stops at totalCount, and keeps the stub's typed error", () =>
    Effect.gen(function*() {
      const s = yield* Sessions
      // A full page whose total says there is no more: one request, not a second empty one.
      const one = yield* runCollect(s.listAll({ userId: "user_1", limit: 1 }))
      expect(one.map((x) => x.id)).toEqual(["sess_only"])
      const failing = SessionsTest.make({
        getSessionList: () => Effect.fail(new ClerkUnauthorized({ status: 401, errors: [], clerkTraceId: undefined }))
      })
      const error = yield* Effect.flip(Stream.runCollect(failing.listAll({ userId: "user_1" })))
      expect(error._tag).toBe("ClerkUnauthorized")
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: (params) =>
          (params?.offset ?? 0) === 0
            ? Effect.succeed(SessionsTest.sessionList([SessionsTest.session({ id: "sess_only" })], 1))
            : Effect.die("asked past the total")
      }))
    ))

  it.effect("getSessionList cuts a page out of a stubbed listAll, with the total of every match", () => {
    const filters: Array<GetSessionListParams | undefined> = []
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => SessionsTest.session({ id: `sess_${n}` }))
    return Effect.gen(function*() {
      const s = yield* Sessions
      const first = yield* s.getSessionList({ userId: "user_1", status: "active" })
      expect(first.data.map((x) => x.id)).toEqual(all.slice(0, 10).map((x) => x.id)) // Clerk's default page of 10
      expect(first.totalCount).toBe(12)
      const second = yield* s.getSessionList({ userId: "user_1", status: "active", limit: 5, offset: 10 })
      expect(second.data.map((x) => x.id)).toEqual(["sess_11", "sess_12"])
      expect(second.totalCount).toBe(12)
      // The stub sees the filters, not the paging.
      expect(filters).toEqual([{ userId: "user_1", status: "active" }, { userId: "user_1", status: "active" }])
    }).pipe(
      Effect.provide(SessionsTest.layer({
        listAll: (params) => {
          filters.push(params)
          return Stream.fromIterable(all)
        }
      }))
    )
  })

  it.effect("application code using listAll runs on a getSessionList stub (no 'listAll was not stubbed')", () =>
    Effect.gen(function*() {
      const s = yield* Sessions
      const active = yield* runCollect(
        s.listAll({ userId: "user_1", status: "active" }).pipe(Stream.map((x) => x.id))
      )
      expect(active).toEqual(["sess_a", "sess_b"])
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: () =>
          Effect.succeed(
            SessionsTest.sessionList([SessionsTest.session({ id: "sess_a" }), SessionsTest.session({ id: "sess_b" })])
          )
      }))
    ))
})

describe("SessionsTest fixtures", () => {
  it("session(): Clerk-like defaults (active, 7-day expiry, 30-day abandon) a test can override", () => {
    const s = SessionsTest.session()
    expect(s).toBeInstanceOf(Session)
    expect([s.id, s.userId, s.clientId, s.status]).toEqual(["sess_test", "user_test", "client_test", "active"])
    expect(DateTime.formatIso(s.createdAt)).toBe("2026-05-12T00:00:00.000Z")
    expect(DateTime.formatIso(s.lastActiveAt)).toBe("2026-05-12T00:00:00.000Z")
    expect(DateTime.formatIso(s.updatedAt)).toBe("2026-05-12T00:00:00.000Z")
    expect(DateTime.formatIso(s.expireAt)).toBe("2026-05-19T00:00:00.000Z")
    expect(DateTime.formatIso(s.abandonAt)).toBe("2026-06-11T00:00:00.000Z")
    expect(s.latestActivity).toBeUndefined()

    const custom = SessionsTest.session({
      id: "sess_phone",
      status: "revoked",
      createdAt: new Date("2026-01-01T00:00:00Z"),
      lastActiveAt: Date.UTC(2026, 0, 2),
      latestActivity: { deviceType: "iPhone", browserName: "Safari", isMobile: true, city: "Lisbon" }
    })
    expect([custom.id, custom.status]).toEqual(["sess_phone", "revoked"])
    expect(DateTime.formatIso(custom.expireAt)).toBe("2026-01-08T00:00:00.000Z")
    expect(DateTime.formatIso(custom.lastActiveAt)).toBe("2026-01-02T00:00:00.000Z")
    expect(DateTime.formatIso(custom.updatedAt)).toBe("2026-01-02T00:00:00.000Z")
    expect(custom.latestActivity).toBeInstanceOf(SessionActivity)
    expect(custom.latestActivity).toMatchObject({ id: "sess_activity_test", isMobile: true, deviceType: "iPhone", city: "Lisbon" })
  })

  it("session() builds what the wire decoder builds (encodes to Clerk's JSON and decodes back equal)", () => {
    const s = SessionsTest.session({ id: "sess_x", latestActivity: { browserName: "Firefox" } })
    const wire = Schema.encodeSync(SessionFromWire)(s)
    expect(wire).toMatchObject({ id: "sess_x", user_id: "user_test", expire_at: Date.UTC(2026, 4, 19) })
    expect(Schema.decodeUnknownSync(SessionFromWire)(wire)).toEqual(s)
  })

  it("token() keeps the jwt Redacted; cookies() redacts each cookie", () => {
    const t = SessionsTest.token({ jwt: "eyJ.hello.sig" })
    expect(t).toBeInstanceOf(SessionToken)
    expect(Redacted.value(t.jwt)).toBe("eyJ.hello.sig")
    expect(String(t.jwt)).toBe("<redacted>")
    expect(Redacted.value(SessionsTest.token().jwt).split(".")).toHaveLength(3)
    const c = SessionsTest.cookies(["__session=abc; Path=/", "__client_uat=1; Path=/"])
    expect(c).toBeInstanceOf(SessionCookies)
    expect(c.cookies.map(Redacted.value)).toEqual(["__session=abc; Path=/", "__client_uat=1; Path=/"])
    expect(JSON.stringify(c)).not.toContain("abc")
  })
})
