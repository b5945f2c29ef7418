import { causeOf } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { Sessions } from "../src/Sessions.js"
import { json, mockSessions } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

const SID = "sess_1"
const refresh = { expiredToken: "e", refreshToken: "r", requestOrigin: "https://a.example" }

type Call = (s: Sessions.Service) => Effect.Effect<unknown, unknown>

// [name, call, field, reason fragment]
const cases: ReadonlyArray<readonly [string, Call, string, string]> = [
  ["empty session id", (s) => s.getSession(""), "sessionId", "must not be empty"],
  ["'.' as session id", (s) => s.getSession("."), "sessionId", `must not be "."`],
  ["'..' as session id", (s) => s.revokeSession(".."), "sessionId", `must not be ".."`],
  ["session id with a newline", (s) => s.getSession("sess_1\nX-Injected: 1"), "sessionId", "control characters"],
  ["session id with NUL", (s) => s.createSessionToken("sess\u0000"), "sessionId", "control characters"],
  ["session id with surrounding spaces", (s) => s.getSession(" sess_1 "), "sessionId", "leading or trailing whitespace"],
  ["session id with a lone surrogate", (s) => s.getSession("sess_\ud800"), "sessionId", "well-formed Unicode"],
  ["an over-long session id", (s) => s.getSession("s".repeat(513)), "sessionId", "at most 512"],
  ["a non-string session id", (s) => s.getSession(42 as unknown as string), "sessionId", "must be a string"],
  ["empty session id on verify", (s) => s.verifySession(""), "sessionId", "must not be empty"],
  ["empty session id on refresh", (s) => s.refreshSession("", refresh), "sessionId", "must not be empty"],
  ["empty template name", (s) => s.createSessionTokenFromTemplate(SID, ""), "templateName", "must not be empty"],
  ["'..' as template name", (s) => s.createSessionTokenFromTemplate(SID, ".."), "templateName", `must not be ".."`],
  ["limit 0", (s) => s.getSessionList({ userId: "u", limit: 0 }), "limit", "must be in 1..500, got 0"],
  ["limit 501", (s) => s.getSessionList({ userId: "u", limit: 501 }), "limit", "must be in 1..500, got 501"],
  ["fractional limit", (s) => s.getSessionList({ userId: "u", limit: 2.5 }), "limit", "must be an integer in 1..500, got 2.5"],
  ["NaN limit", (s) => s.getSessionList({ userId: "u", limit: NaN }), "limit", "got NaN"],
  ["limit as a string", (s) => s.getSessionList({ userId: "u", limit: "10" as unknown as number }), "limit", "got a string"],
  ["negative offset", (s) => s.getSessionList({ userId: "u", offset: -1 }), "offset", "got -1"],
  ["fractional offset", (s) => s.getSessionList({ userId: "u", offset: 0.5 }), "offset", "must be an integer"],
  ["Infinity offset", (s) => s.getSessionList({ userId: "u", offset: Infinity }), "offset", "must be an integer"],
  ["unknown status filter", (s) => s.getSessionList({ userId: "u", status: "pending" as "active" }), "status", `must be one of abandoned, active, ended, expired, removed, replaced, revoked, got "pending"`],
  ["empty userId filter", (s) => s.getSessionList({ userId: "" }), "userId", "must not be empty"],
  ["clientId with control characters", (s) => s.getSessionList({ clientId: "c\r\n" }), "clientId", "control characters"],
  ["listAll limit 0", (s) => Stream.runDrain(s.listAll({ userId: "u", limit: 0 })), "limit", "must be in 1..500"],
  ["listAll negative offset", (s) => Stream.runDrain(s.listAll({ userId: "u", offset: -5 })), "offset", "got -5"],
  ["expiresInSeconds 29", (s) => s.createSessionToken(SID, { expiresInSeconds: 29 }), "expiresInSeconds", "must be in 30..315360000, got 29"],
  ["expiresInSeconds too large", (s) => s.createSessionTokenFromTemplate(SID, "t", { expiresInSeconds: 315360001 }), "expiresInSeconds", "got 315360001"],
  ["fractional expiresInSeconds", (s) => s.createSessionToken(SID, { expiresInSeconds: 60.5 }), "expiresInSeconds", "must be an integer"],
  ["createSession without userId", (s) => s.createSession({} as { userId: string }), "userId", "is required"],
  ["createSession with empty userId", (s) => s.createSession({ userId: "" }), "userId", "must not be empty"],
  ["createSession with empty org", (s) => s.createSession({ userId: "u", activeOrganizationId: "" }), "activeOrganizationId", "must not be empty"],
  ["refresh without expiredToken", (s) => s.refreshSession(SID, { ...refresh, expiredToken: undefined as unknown as string }), "expiredToken", "is required"],
  ["refresh without refreshToken", (s) => s.refreshSession(SID, { ...refresh, refreshToken: "" }), "refreshToken", "must not be empty"],
  ["refresh without requestOrigin", (s) => s.refreshSession(SID, { ...refresh, requestOrigin: undefined as unknown as string }), "requestOrigin", "is required"],
  ["refresh without params", (s) => s.refreshSession(SID, undefined as unknown as typeof refresh), "expiredToken", "is required"],
  ["refresh with an unknown format", (s) => s.refreshSession(SID, { ...refresh, format: "jwt" as "token" }), "format", "must be one of token, cookie"],
  ["refresh with a bad header value", (s) => s.refreshSession(SID, { ...refresh, requestHeaders: { a: 1 as unknown as string } }), "requestHeaders", `header "a" must be a string or string[]`],
  ["verify with an empty token", (s) => s.verifySession(SID, { token: "" }), "token", "must not be empty"]
]

describe("ClerkInvalidInput: bad input is refused before anything is sent", () => {
  for (const [name, call, field, reason] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const mock = mockSessions([json(sample("session_get_200"))])
        const exit = yield* Effect.flatMap(Sessions, call).pipe(Effect.exit, Effect.provide(mock.layer))
        expect(mock.recorded).toHaveLength(0)
        expect(Exit.isFailure(exit)).toBe(true)
        const cause = Exit.isFailure(exit) ? causeOf(exit.cause) : undefined
        if (cause?._tag === "Fail") {
          const error = cause.error as any
          expect(error._tag).toBe("ClerkInvalidInput")
          expect(error.field).toBe(field)
          expect(error.reason).toContain(reason)
          expect(error.message).toContain(`${field} `)
        } else {
          throw new Error(`expected a typed failure, got ${String(exit)}`)
        }
      }))
  }

  it.effect("a secret given to verify or refresh is never quoted in the reason", () =>
    Effect.gen(function*() {
      const mock = mockSessions([json(sample("session_get_200"))])
      const error = yield* Effect.flatMap(Sessions, (s) =>
        s.refreshSession(SID, { ...refresh, refreshToken: "SECRET_REFRESH\u0000" })).pipe(Effect.flip, Effect.provide(mock.layer))
      expect(error._tag).toBe("ClerkInvalidInput")
      expect(JSON.stringify(error) + error.message + String(error)).not.toContain("SECRET_REFRESH")
    }))
})
