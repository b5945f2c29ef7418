import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ClerkUnauthorized, Sessions, TokenVerifier } from "effect-clerk"
import { ClerkEmulator, Fault, SessionsTest } from "effect-clerk/testing"

// Your application code: revoke every active session of a user.
const signOutEverywhere = (userId: string) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const page = yield* sessions.getSessionList({ userId, status: "active" })
    yield* Effect.forEach(page.data, (s) => sessions.revokeSession(s.id), { discard: true })
    return page.data.length
  })

describe("signOutEverywhere", () => {
  // The whole SDK (transport, retries, decoding) against an in-memory Clerk: no socket, no account.
  it.effect("revokes every active session", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.seedSession({ userId: "user_1", status: "ended" })

      expect(yield* signOutEverywhere("user_1")).toBe(2)
      const statuses = (yield* clerk.listSessions).map((s) => s.status).sort()
      expect(statuses).toEqual(["ended", "revoked", "revoked"])
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))

  // Faults are scripted per route: here Clerk is briefly unavailable and the SDK retries.
  it.live("survives a 503 from Clerk", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.injectFault(Fault.status(503), { route: "getSessionList", times: 1 })

      expect(yield* signOutEverywhere("user_1")).toBe(1)
      expect((yield* clerk.requests).map((r) => r.status)).toEqual([503, 200, 200])
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))

  // The emulator's tokens are real RS256 JWTs served through /v1/jwks.
  it.effect("its session tokens verify networklessly", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      const session = yield* clerk.seedSession({ userId: "user_1" })
      const claims = yield* (yield* TokenVerifier).verify(yield* clerk.mintToken(session.id))
      expect(claims.sid).toBe(session.id)
    }).pipe(Effect.provide(TokenVerifier.layer().pipe(Layer.provideMerge(ClerkEmulator.layerClient())))))

  // Or no Clerk at all: stub only the methods your code calls (others die, naming themselves).
  it.effect("with a stub", () =>
    Effect.gen(function*() {
      const error = yield* signOutEverywhere("user_1").pipe(Effect.flip)
      expect(error._tag).toBe("ClerkUnauthorized")
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: () => Effect.fail(new ClerkUnauthorized({ status: 401, errors: [] }))
      }))
    ))

  // Fixtures build the models with Clerk-like defaults (a stubbed getSessionList also serves listAll).
  it.effect("with fixtures", () => {
    const revoked: Array<string> = []
    return Effect.gen(function*() {
      expect(yield* signOutEverywhere("user_1")).toBe(2)
      expect(revoked).toEqual(["sess_laptop", "sess_phone"])
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: ({ userId } = {}) =>
          Effect.succeed(SessionsTest.sessionList([
            SessionsTest.session({ id: "sess_laptop", userId }),
            SessionsTest.session({ id: "sess_phone", userId, latestActivity: { isMobile: true } })
          ])),
        revokeSession: (id) => {
          revoked.push(id)
          return Effect.succeed(SessionsTest.session({ id, status: "revoked" }))
        }
      }))
    )
  })
})
