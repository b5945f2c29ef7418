/**
 * The SDK itself inside workerd: `Sessions` over `FetchHttpClient` (workerd's fetch and
 * timers) against the emulator served from Node, including retries, timeouts and streams.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { ClerkClient, type ClerkClientOptions, Sessions, TokenVerifier } from "effect-clerk"
import {
  claimsOf,
  clerkSecretKey,
  clerkUrl,
  injectFault,
  mintToken,
  publicKeyPem,
  requests,
  reset,
  seedUser
} from "./support.js"

const sessionsLayer = (options: Partial<ClerkClientOptions> = {}) =>
  Sessions.layer.pipe(
    Layer.provide(ClerkClient.layer({ secretKey: Redacted.make(clerkSecretKey), apiUrl: clerkUrl, ...options })),
    Layer.provide(FetchHttpClient.layer)
  )

/** Just the `ClerkClient`, for layers built on it. */
const clientLayer = (options: Partial<ClerkClientOptions> = {}) =>
  ClerkClient.layer({ secretKey: Redacted.make(clerkSecretKey), apiUrl: clerkUrl, ...options }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

const fresh = Effect.promise(() => reset())
const user = (count: number, statuses?: ReadonlyArray<string>) => Effect.promise(() => seedUser(count, statuses))
const log = Effect.promise(() => requests())

describe("Sessions inside workerd", () => {
  it.live("lists, gets, mints a template token and revokes", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(2)
      const sessions = yield* Sessions

      const page = yield* sessions.getSessionList({ userId, status: "active" })
      expect(page.totalCount).toBe(2)
      expect(page.data.map((s) => s.id)).toEqual([sessionIds[1], sessionIds[0]])
      expect(DateTime.isDateTime(page.data[0].createdAt)).toBe(true)

      const session = yield* sessions.getSession(sessionIds[0])
      expect(session.userId).toBe(userId)
      expect(session.status).toBe("active")

      const token = yield* sessions.createSessionTokenFromTemplate(session.id, "demo_template")
      expect(String(token.jwt)).toBe("<redacted>")
      expect(claimsOf(Redacted.value(token.jwt))).toMatchObject({ sub: userId, app: "effect-clerk-example" })

      const revoked = yield* sessions.revokeSession(session.id)
      expect(revoked.status).toBe("revoked")
      expect((yield* sessions.getSession(session.id)).status).toBe("revoked")
      expect((yield* log).map((r) => r.route)).toEqual([
        "getSessionList",
        "getSession",
        "createSessionTokenFromTemplate",
        "revokeSession",
        "getSession"
      ])
    }).pipe(Effect.provide(sessionsLayer())))

  it.live("listAll pages through every session with limit/offset", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(5)
      const sessions = yield* Sessions
      const all = yield* Stream.runCollect(sessions.listAll({ userId, limit: 2 }))
      expect(Chunk.toReadonlyArray(all).map((s) => s.id)).toEqual([...sessionIds].reverse())
      expect((yield* log).map((r) => r.route)).toEqual(["getSessionList", "getSessionList", "getSessionList"])
    }).pipe(Effect.provide(sessionsLayer())))

  it.live("typed failures: unknown session, wrong key, invalid input", () =>
    Effect.gen(function*() {
      yield* fresh
      const sessions = yield* Sessions
      const notFound = yield* Effect.flip(sessions.getSession("sess_unknown"))
      expect(notFound._tag).toBe("ClerkNotFound")
      expect(notFound._tag === "ClerkNotFound" && notFound.errors[0]?.code).toBe("resource_not_found")

      const invalid = yield* Effect.flip(sessions.getSessionList({ userId: "user_1", limit: 0 }))
      expect(invalid._tag).toBe("ClerkInvalidInput")

      const unauthorized = yield* Effect.flip(
        Effect.flatMap(Sessions, (s) => s.getSession("sess_any")).pipe(
          Effect.provide(sessionsLayer({ secretKey: Redacted.make("sk_test_wrong") }))
        )
      )
      expect(unauthorized._tag).toBe("ClerkUnauthorized")
      expect(unauthorized.message).not.toContain("sk_test_wrong")
      // The invalid input never left the Worker.
      expect((yield* log).map((r) => [r.route, r.status, r.authorization])).toEqual([
        ["getSession", 404, "valid"],
        ["getSession", 401, "invalid"]
      ])
    }).pipe(Effect.provide(sessionsLayer())))

  it.live("a 429 is retried after Retry-After on workerd's clock", () =>
    Effect.gen(function*() {
      yield* fresh
      const { sessionIds } = yield* user(1)
      yield* Effect.promise(() => injectFault({ fault: "rateLimited", retryAfter: 1, route: "getSession" }))
      const sessions = yield* Sessions
      const started = Date.now()
      const session = yield* sessions.getSession(sessionIds[0])
      expect(session.id).toBe(sessionIds[0])
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
      expect((yield* log).map((r) => r.status)).toEqual([429, 200])
    }).pipe(Effect.provide(sessionsLayer())))

  it.live("a hung request fails as ClerkTimeout after the configured timeout", () =>
    Effect.gen(function*() {
      yield* fresh
      const { sessionIds } = yield* user(1)
      yield* Effect.promise(() => injectFault({ fault: "hang", route: "getSession" }))
      const sessions = yield* Sessions
      const error = yield* Effect.flip(sessions.getSession(sessionIds[0]))
      expect(error._tag).toBe("ClerkTimeout")
      expect(error.message).toContain("timed out after 200ms")
    }).pipe(Effect.provide(sessionsLayer({ timeout: "200 millis", retry: false }))))

  it.live("createSession is never re-sent after a 503", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId } = yield* user(0)
      yield* Effect.promise(() => injectFault({ fault: "status", status: 503, route: "createSession" }))
      const sessions = yield* Sessions
      const error = yield* Effect.flip(sessions.createSession({ userId }))
      expect(error._tag).toBe("ClerkServerError")
      expect((yield* log).filter((r) => r.route === "createSession")).toHaveLength(1)
    }).pipe(Effect.provide(sessionsLayer())))

  it.live("TokenVerifier (jose on workerd's WebCrypto): 20 concurrent verifies share one JWKS fetch", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(1)
      const token = yield* Effect.promise(() => mintToken(sessionIds[0]))
      const verifier = yield* TokenVerifier
      const all = yield* Effect.forEach(Array.from({ length: 20 }, () => token), verifier.verify, { concurrency: "unbounded" })
      expect(all.every((claims) => claims.sub === userId && claims.sid === sessionIds[0])).toBe(true)
      expect((yield* log).map((r) => r.route)).toEqual(["getJwks"])
      const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}AAAA`
      expect((yield* Effect.flip(verifier.verify(forged))).reason).toBe("TokenInvalidSignature")
    }).pipe(Effect.provide(TokenVerifier.layer().pipe(Layer.provide(clientLayer())))))

  it.live("TokenVerifier.layerJwtKey verifies with the PEM alone: no request at all", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(1)
      const token = yield* Effect.promise(() => mintToken(sessionIds[0]))
      const pem = yield* Effect.promise(() => publicKeyPem())
      const claims = yield* Effect.flatMap(TokenVerifier, (v) => v.verify(token)).pipe(
        Effect.provide(TokenVerifier.layerJwtKey({ jwtKey: pem }))
      )
      expect(claims.sub).toBe(userId)
      expect(yield* log).toEqual([])
    }))
})
