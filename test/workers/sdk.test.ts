/**
 * The SDK itself inside workerd against the emulator served from Node, including retries,
 * timeouts and streams, over both transports: `ClerkClient.layer` over `FetchHttpClient`,
 * and `ClerkClient.layerFetch`, which calls workerd's `globalThis.fetch` itself (as a method
 * of `globalThis`: workerd refuses a detached fetch with "Illegal invocation") and arms its
 * own timers.
 */
import { FETCH_KEY } from "#line/Http"
import { configLayer, FetchHttpClient, LINE, prettyCause, runCollect } from "#test-line/Testing"
import { env } from "cloudflare:test"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ClerkClient, type ClerkClientOptions, Sessions, TokenVerifier } from "effect-clerk"
import { Fetch } from "../../src/internal/transport.js"
import { describe, expect, it, live } from "./effect.js"
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

type Transport = "httpClient" | "fetch"

/** The `ClerkClient`: through `FetchHttpClient`, or straight to `globalThis.fetch` (no `Fetch` service given). */
const clientLayer = (transport: Transport, options: Partial<ClerkClientOptions> = {}) => {
  const resolved = { secretKey: Redacted.make(clerkSecretKey), apiUrl: clerkUrl, ...options }
  return transport === "fetch"
    ? ClerkClient.layerFetch(resolved)
    : ClerkClient.layer(resolved).pipe(Layer.provide(FetchHttpClient.layer))
}

const sessionsLayer = (transport: Transport, options: Partial<ClerkClientOptions> = {}) =>
  Sessions.layer.pipe(Layer.provide(clientLayer(transport, options)))

/**
 * A second configuration inside a test already given one. `Layer.fresh`, because on effect 4
 * `Effect.provide` builds through the fiber's layer memo map: the constant `Sessions.layer` in
 * it would come back as the instance built outside, with the outer configuration.
 */
const otherSessionsLayer = (transport: Transport, options: Partial<ClerkClientOptions>) =>
  Layer.fresh(sessionsLayer(transport, options))

/** How a ConfigError names the variable: effect 3 `Invalid data at NAME: …`, effect 4 `… at ["NAME"]`. */
const namesVariable = (name: string) => LINE === "effect3" ? `Invalid data at ${name}: ` : ` at ["${name}"]`

/** The Worker's string bindings (its config); KV and Durable Object bindings are not config. */
const stringBindings = (bindings: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(bindings).filter((entry): entry is [string, string] => typeof entry[1] === "string"))

const fresh = Effect.promise(() => reset())
const user = (count: number, statuses?: ReadonlyArray<string>) => Effect.promise(() => seedUser(count, statuses))
const log = Effect.promise(() => requests())

for (const transport of ["httpClient", "fetch"] as const) {
  describe(`Sessions inside workerd via ${transport === "fetch" ? "ClerkClient.layerFetch" : "ClerkClient.layer + FetchHttpClient"}`, () => {
    live("lists, gets, mints a template token and revokes", () =>
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
      }).pipe(Effect.provide(sessionsLayer(transport))))

    live("listAll pages through every session with limit/offset", () =>
      Effect.gen(function*() {
        yield* fresh
        const { userId, sessionIds } = yield* user(5)
        const sessions = yield* Sessions
        const all = yield* runCollect(sessions.listAll({ userId, limit: 2 }))
        expect(all.map((s) => s.id)).toEqual([...sessionIds].reverse())
        expect((yield* log).map((r) => r.route)).toEqual(["getSessionList", "getSessionList", "getSessionList"])
      }).pipe(Effect.provide(sessionsLayer(transport))))

    live("typed failures: unknown session, wrong key, invalid input", () =>
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
            Effect.provide(otherSessionsLayer(transport, { secretKey: Redacted.make("sk_test_wrong") }))
          )
        )
        expect(unauthorized._tag).toBe("ClerkUnauthorized")
        expect(unauthorized.message).not.toContain("sk_test_wrong")
        // The invalid input never left the Worker.
        expect((yield* log).map((r) => [r.route, r.status, r.authorization])).toEqual([
          ["getSession", 404, "valid"],
          ["getSession", 401, "invalid"]
        ])
      }).pipe(Effect.provide(sessionsLayer(transport))))

    live("a 429 is retried after Retry-After on workerd's clock", () =>
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
      }).pipe(Effect.provide(sessionsLayer(transport))))

    live("a hung request fails as ClerkTimeout after the configured timeout", () =>
      Effect.gen(function*() {
        yield* fresh
        const { sessionIds } = yield* user(1)
        yield* Effect.promise(() => injectFault({ fault: "hang", route: "getSession" }))
        const sessions = yield* Sessions
        const error = yield* Effect.flip(sessions.getSession(sessionIds[0]))
        expect(error._tag).toBe("ClerkTimeout")
        expect(error.message).toContain("timed out after 200ms")
      }).pipe(Effect.provide(sessionsLayer(transport, { timeout: "200 millis", retry: false }))))

    live("createSession is never re-sent after a 503", () =>
      Effect.gen(function*() {
        yield* fresh
        const { userId } = yield* user(0)
        yield* Effect.promise(() => injectFault({ fault: "status", status: 503, route: "createSession" }))
        const sessions = yield* Sessions
        const error = yield* Effect.flip(sessions.createSession({ userId }))
        expect(error._tag).toBe("ClerkServerError")
        expect((yield* log).filter((r) => r.route === "createSession")).toHaveLength(1)
      }).pipe(Effect.provide(sessionsLayer(transport))))

    live("TokenVerifier (jose on workerd's WebCrypto): 20 concurrent verifies share one JWKS fetch", () =>
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
      }).pipe(Effect.provide(TokenVerifier.layer().pipe(Layer.provide(clientLayer(transport))))))
  })
}

describe("the line this run is on", () => {
  // A resolver slip (effect 3 loaded by an effect4 run, or the other way round) fails here,
  // not as a confusing error elsewhere.
  it("the effect inside workerd, the library's facades and the test facades are one line", async () => {
    const version = ((await import("effect/package.json")) as { default: { version: string } }).default.version
    // The library's #line/Http facade names the line's own HTTP module.
    expect([version.split(".")[0], FETCH_KEY, LINE]).toEqual(
      LINE === "effect3" ? ["3", "@effect/platform/FetchHttpClient/Fetch", "effect3"] : ["4", "effect/http/FetchHttpClient/Fetch", "effect4"]
    )
  })
})

describe("TokenVerifier inside workerd without a client", () => {
  live("TokenVerifier.layerJwtKey verifies with the PEM alone: no request at all", () =>
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

  live("security review: a PEM with e = 3 fails layerJwtKey on workerd (its WebCrypto refuses e = 1 itself)", () =>
    Effect.gen(function*() {
      const pem = yield* Effect.promise(() => publicKeyPem())
      const der = Uint8Array.from(atob(pem.replace(/-----[A-Z ]+-----|\s+/g, "")), (c) => c.charCodeAt(0))
      const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
      const jwk = yield* Effect.promise(async () =>
        crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("spki", der, algorithm, true, ["verify"])) as Promise<JsonWebKey>
      )
      expect(jwk.e).toBe("AQAB")
      const spkiWith = (e: string) =>
        Effect.tryPromise(async () =>
          new Uint8Array(
            await crypto.subtle.exportKey(
              "spki",
              await crypto.subtle.importKey("jwk", { ...jwk, e }, algorithm, true, ["verify"]) as CryptoKey
            ) as ArrayBuffer
          )
        ).pipe(Effect.option)
      // workerd's WebCrypto refuses e = 1 itself; e = 3 it imports, so the SDK's own check decides.
      expect(Option.isNone(yield* spkiWith("AQ"))).toBe(true)
      for (const [e, shown] of [["Aw", "3"]] as const) {
        const spki = yield* spkiWith(e)
        if (Option.isNone(spki)) throw new Error(`workerd refused e = ${shown}`)
        const body = btoa(String.fromCharCode(...spki.value))
        const exit = yield* Effect.exit(
          Effect.provide(TokenVerifier, TokenVerifier.layerJwtKey({ jwtKey: body }))
        )
        expect(exit._tag).toBe("Failure")
        expect(exit._tag === "Failure" ? prettyCause(exit.cause) : "").toContain(
          `the key's RSA exponent (e) is ${shown}; only 65537 is accepted`
        )
      }
    }))
})

describe("ClerkClient.layerFetch inside workerd: workerd's own fetch, called correctly", () => {
  // The pool replaces globalThis.fetch with its own wrapper (for fetchMock), which workerd
  // does not refuse on another receiver; the wrangler dev smoke test runs workerd's own.
  live("with no Fetch service it sends with globalThis.fetch: GET and POST, the key and body arrive", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(1)
      // No Fetch service (looked up by key, as layerFetch does: on effect 4 `FetchHttpClient.Fetch`
      // is a reference that always has a value).
      expect(Option.isNone(yield* Effect.serviceOption(Fetch))).toBe(true)
      const sessions = yield* Sessions
      const session = yield* sessions.getSession(sessionIds[0])
      expect([session.id, session.userId, session.status]).toEqual([sessionIds[0], userId, "active"])
      const created = yield* sessions.createSession({ userId })
      expect([created.userId, created.status]).toEqual([userId, "active"])
      expect((yield* log).map((r) => [r.method, r.route, r.status, r.authorization])).toEqual([
        ["GET", "getSession", 200, "valid"],
        ["POST", "createSession", 200, "valid"]
      ])
    }).pipe(Effect.provide(sessionsLayer("fetch"))))

  live("a hang is a ClerkTimeout after 300 ms on workerd's timers, and a 404 is ClerkNotFound with Clerk's body", () =>
    Effect.gen(function*() {
      yield* fresh
      const { sessionIds } = yield* user(1)
      yield* Effect.promise(() => injectFault({ fault: "hang", route: "getSession" }))
      // The hang with a 300 ms timeout; the 404 with the default one, so a busy machine's slow
      // answer is not mistaken for a hang.
      const short = yield* Effect.provide(Sessions, otherSessionsLayer("fetch", { timeout: "300 millis", retry: false }))
      const started = Date.now()
      const timeout = yield* Effect.flip(short.getSession(sessionIds[0]))
      const elapsed = Date.now() - started
      expect(timeout._tag).toBe("ClerkTimeout")
      expect(timeout._tag === "ClerkTimeout" && Duration.toMillis(timeout.timeout)).toBe(300)
      expect(timeout.message).toContain("timed out after 300ms")
      expect(elapsed).toBeGreaterThanOrEqual(290)
      // Far above 300 ms: only that the timeout fired (a busy machine runs timers late).
      expect(elapsed).toBeLessThan(10_000)

      const sessions = yield* Sessions
      const missing = yield* Effect.flip(sessions.getSession("sess_unknown_fetch"))
      expect(missing._tag).toBe("ClerkNotFound")
      if (missing._tag !== "ClerkNotFound") return
      expect([missing.status, missing.errors[0]?.code, missing.errors[0]?.longMessage]).toEqual([
        404,
        "resource_not_found",
        "No session was found with id sess_unknown_fetch"
      ])
      expect(missing.clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
      expect((yield* log).map((r) => [r.route, r.status, r.fault])).toEqual([
        ["getSession", undefined, "Hang"],
        ["getSession", 404, undefined]
      ])
    }).pipe(Effect.provide(sessionsLayer("fetch", { retry: false }))))

  live("layerFetchConfig reads the Worker's bindings (CLERK_SECRET_KEY, CLERK_API_URL)", () =>
    Effect.gen(function*() {
      yield* fresh
      const { userId, sessionIds } = yield* user(2)
      const client = yield* ClerkClient
      expect(client.baseUrl).toBe(`${clerkUrl}/v1`)
      const page = yield* (yield* Sessions).getSessionList({ userId })
      expect([page.totalCount, page.data.map((s) => s.id)]).toEqual([2, [sessionIds[1], sessionIds[0]]])
      expect((yield* log).map((r) => [r.route, r.authorization])).toEqual([["getSessionList", "valid"]])
    }).pipe(
      Effect.provide(
        Sessions.layer.pipe(
          Layer.provideMerge(ClerkClient.layerFetchConfig()),
          Layer.provide(configLayer(stringBindings(env)))
        )
      )
    ))
})

describe("configuration and body caps inside workerd", () => {
  live("a bad CLERK_API_URL or CLERK_SECRET_KEY binding is a ConfigError naming it (the key never quoted)", () =>
    Effect.gen(function*() {
      for (
        const [bindings, name, expected] of [
          [{ CLERK_SECRET_KEY: clerkSecretKey, CLERK_API_URL: "api.clerk.com" }, "CLERK_API_URL", "(is https:// missing?)"],
          [{ CLERK_SECRET_KEY: clerkSecretKey, CLERK_API_URL: "http://clerk.example.com" }, "CLERK_API_URL", "allowInsecureHttp"],
          [{ CLERK_SECRET_KEY: "sk_test_CANARY\r\nX: 1", CLERK_API_URL: clerkUrl }, "CLERK_SECRET_KEY", "a line break"]
        ] as const
      ) {
        const error = yield* Effect.flip(
          Effect.provide(ClerkClient, ClerkClient.layerFetchConfig().pipe(Layer.provide(configLayer(bindings))))
        )
        expect(String(error)).toContain(namesVariable(name))
        expect(String(error)).toContain(expected)
        expect(String(error)).not.toContain("CANARY")
      }
    }))

  for (const transport of ["httpClient", "fetch"] as const) {
    live(`${transport}: a 16 MiB streamed body is refused past 256 KiB and its stream cancelled`, () =>
      Effect.gen(function*() {
        const seen = { pulled: 0, cancelled: false }
        const chunk = new Uint8Array(64 * 1024).fill(0x20)
        const fetch: typeof globalThis.fetch = async () =>
          new Response(
            new ReadableStream<Uint8Array>({
              pull(controller) {
                if (seen.pulled >= 16 * 1024 * 1024) return controller.close()
                seen.pulled += chunk.length
                controller.enqueue(chunk)
              },
              cancel() {
                seen.cancelled = true
              }
            }, { highWaterMark: 0 }),
            { headers: { "content-type": "application/json" } }
          )
        const options = { secretKey: Redacted.make(clerkSecretKey), apiUrl: clerkUrl, retry: false as const }
        const provided = Layer.succeed(FetchHttpClient.Fetch, fetch)
        const client = transport === "fetch"
          ? ClerkClient.layerFetch(options).pipe(Layer.provide(provided))
          : ClerkClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer.pipe(Layer.provide(provided))))
        const error = yield* Effect.flip(
          Effect.provide(Effect.flatMap(Sessions, (s) => s.getSession("sess_1")), Sessions.layer.pipe(Layer.provide(client)))
        )
        expect(error.message).toBe(
          "Clerk response could not be decoded (GET /sessions/sess_1, 200): response body exceeds 256 KiB (this route's cap)"
        )
        expect(seen.pulled).toBeLessThanOrEqual(256 * 1024 + 2 * chunk.length)
        expect(seen.cancelled).toBe(true)
      }))
  }
})
