/**
 * A consumer's own vitest file, written as the README's "Testing your app offline" section
 * shows: the app's code against `ClerkEmulator.layer` (with `ClerkClient.layer` and
 * `Sessions.layer` on top), `ClerkEmulator.layerSessions`, and a `SessionsTest.layer` stub.
 * test/consumer runs it with the app's own vitest and @effect/vitest.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { ClerkClient, ClerkUnauthorized, Sessions, TokenVerifier } from "effect-clerk"
import { ClerkEmulator, Fault, SessionsTest } from "effect-clerk/testing"

// The app's code: revoke every active session of a user.
const signOutEverywhere = (userId: string) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions
    const page = yield* sessions.getSessionList({ userId, status: "active" })
    yield* Effect.forEach(page.data, (s) => sessions.revokeSession(s.id), { discard: true })
    return page.data.length
  })

const emulated = Sessions.layer.pipe(
  Layer.provideMerge(ClerkClient.layer({ secretKey: Redacted.make("sk_test_emulator") })),
  Layer.provideMerge(ClerkEmulator.layer())
)

describe("signOutEverywhere", () => {
  it.effect("revokes every active session (ClerkEmulator.layer under ClerkClient.layer)", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.seedSession({ userId: "user_1", status: "ended" })

      expect(yield* signOutEverywhere("user_1")).toBe(2)
      expect((yield* clerk.listSessions).map((s) => s.status).sort()).toEqual(["ended", "revoked", "revoked"])
    }).pipe(Effect.provide(emulated)))

  it.live("survives a 503 from Clerk (layerSessions)", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      yield* clerk.seedSession({ userId: "user_1", status: "active" })
      yield* clerk.injectFault(Fault.status(503), { route: "getSessionList", times: 1 })

      expect(yield* signOutEverywhere("user_1")).toBe(1)
      expect((yield* clerk.requests).map((r) => r.status)).toEqual([503, 200, 200])
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))

  it.effect("its session tokens verify networklessly", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      yield* clerk.seedUser({ id: "user_1" })
      const session = yield* clerk.seedSession({ userId: "user_1" })
      const claims = yield* (yield* TokenVerifier).verify(yield* clerk.mintToken(session.id))
      expect(claims.sid).toBe(session.id)
      expect(claims.sub).toBe("user_1")
    }).pipe(Effect.provide(TokenVerifier.layer().pipe(Layer.provideMerge(ClerkEmulator.layerClient())))))

  it.effect("with a stub (SessionsTest.layer)", () =>
    Effect.gen(function*() {
      const error = yield* signOutEverywhere("user_1").pipe(Effect.flip)
      expect(error._tag).toBe("ClerkUnauthorized")
    }).pipe(
      Effect.provide(SessionsTest.layer({
        getSessionList: () => Effect.fail(new ClerkUnauthorized({ status: 401, errors: [] }))
      }))
    ))
})
