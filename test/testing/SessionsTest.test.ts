/** SessionsTest.layer: stubs what the application calls; anything else dies naming itself. */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { ClerkNotFound } from "../../src/ClerkError.js"
import { Session, SessionList } from "../../src/Session.js"
import { Sessions } from "../../src/Sessions.js"
import { SessionsTest } from "../../src/testing/index.js"

const at = DateTime.unsafeMake(Date.UTC(2026, 4, 12))
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
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
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
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(defectOf(exit)).toBe(`RuntimeException: SessionsTest: ${name} was not stubbed`)
      }
    }).pipe(Effect.provide(SessionsTest.layer())))
})
