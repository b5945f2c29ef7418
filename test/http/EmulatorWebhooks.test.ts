/**
 * The emulator's webhooks, end to end: every session change it makes (create, revoke, end,
 * remove, pending) delivered as Clerk delivers them — signed per Standard Webhooks with Svix's
 * headers — to the webhook endpoint of each line's own HttpApi (#test-line/HttpApi, verifying
 * with ClerkWebhooks.verifyRequest), in-process and over a real socket; retries on a non-2xx
 * answer on Svix's schedule, driven by the TestClock; a wrong secret refused with a 400.
 */
import { apiHandler } from "#test-line/HttpApi"
import { causeOf, either, TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../../src/ClerkClient.js"
import { type ClerkWebhookEvent, ClerkWebhooks } from "../../src/http/index.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator } from "../../src/testing/index.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"
import { TokenVerifier } from "../../src/TokenVerifier.js"

const Live = ClerkEmulator.layerSessions({ client: { retry: false } })

/** The test API, its webhook endpoint verifying with `secret`, pushing what it takes to `received`. */
const webhookApp = (secret: Redacted.Redacted<string>, received: Array<ClerkWebhookEvent>) =>
  Effect.map(ClerkClient, (client) =>
    apiHandler(
      TokenVerifier.layer().pipe(Layer.provide(Layer.succeed(ClerkClient, client))),
      ClerkWebhooks.layer({ signingSecret: secret }),
      received
    ))

const sessionEvents = (received: ReadonlyArray<ClerkWebhookEvent>) =>
  received.map((event) => (event._tag === "SessionWebhookEvent" ? [event.type, event.session.id, event.session.status] : [event.type]))

describe("the emulator delivers Clerk's session webhooks", () => {
  it.live("to an HttpApi endpoint in-process: every change, signed, each carrying the Session the API returns", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const sessions = yield* Sessions
      const received: Array<ClerkWebhookEvent> = []
      let app: { readonly handler: (request: Request) => Promise<Response> } | undefined
      const endpoint = yield* emulator.registerWebhook("https://app.example.com/webhooks/clerk", {
        handler: (request) => app!.handler(request)
      })
      const web = yield* webhookApp(endpoint.signingSecret, received)
      app = web
      yield* Effect.addFinalizer(() => Effect.promise(() => web.dispose()))

      yield* emulator.seedUser({ id: "user_2ada" })
      yield* emulator.seedSession({ id: "sess_2seeded", userId: "user_2ada" })
      yield* emulator.webhooksSettled
      expect(received).toEqual([]) // seeding is the test's setup, not a change Clerk makes

      const created = yield* sessions.createSession({ userId: "user_2ada" })
      yield* emulator.webhooksSettled
      const revoked = yield* sessions.revokeSession(created.id)
      yield* emulator.webhooksSettled
      expect(sessionEvents(received)).toEqual([
        ["session.created", created.id, "active"],
        ["session.revoked", created.id, "revoked"]
      ])
      // The same Session model, decoded from the same wire, as the API's own answers.
      expect(received[0]).toMatchObject({ _tag: "SessionWebhookEvent", session: created })
      expect(received[1]).toMatchObject({ _tag: "SessionWebhookEvent", session: revoked })

      for (const status of ["ended", "removed", "pending"] as const) {
        const session = yield* sessions.createSession({ userId: "user_2ada" })
        yield* emulator.updateSession(session.id, { status })
        yield* emulator.webhooksSettled
        expect(sessionEvents(received).slice(-2)).toEqual([
          ["session.created", session.id, "active"],
          [`session.${status}`, session.id, status]
        ])
      }
      // Revoking what is no longer live changes nothing and sends nothing.
      yield* emulator.updateSession("sess_2seeded", { status: "ended" })
      yield* emulator.webhooksSettled
      const before = received.length
      yield* either(sessions.revokeSession("sess_2seeded"))
      yield* emulator.webhooksSettled
      expect(received.length).toBe(before)

      const deliveries = yield* emulator.webhookDeliveries
      expect(deliveries.map((d) => d.eventType)).toEqual(received.map((event) => event.type))
      expect(deliveries.every((d) => d.endpointId === endpoint.id && d.attempt === 1 && d.status === 200)).toBe(true)
      expect(new Set(deliveries.map((d) => d.messageId)).size).toBe(deliveries.length)
    }).pipe(Effect.provide(Live), Effect.scoped))

  it.live("only the event types an endpoint asked for; unregistered, it gets nothing more", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const sessions = yield* Sessions
      const types: Array<string> = []
      const endpoint = yield* emulator.registerWebhook("https://app.example.com/hooks", {
        events: ["session.revoked"],
        handler: async (request) => {
          types.push(JSON.parse(await request.text()).type)
          return new Response(null, { status: 204 })
        }
      })
      yield* emulator.seedUser({ id: "user_2ada" })
      const session = yield* sessions.createSession({ userId: "user_2ada" })
      yield* sessions.revokeSession(session.id)
      yield* emulator.webhooksSettled
      expect(types).toEqual(["session.revoked"])
      expect(yield* emulator.unregisterWebhook(endpoint.id)).toBe(true)
      yield* sessions.revokeSession((yield* sessions.createSession({ userId: "user_2ada" })).id)
      yield* emulator.webhooksSettled
      expect(types).toEqual(["session.revoked"])
      expect(yield* emulator.unregisterWebhook(endpoint.id)).toBe(false)
    }).pipe(Effect.provide(Live)))

  it.effect("a secret that is not whsec_ and the base64 of a key is the test's mistake: registerWebhook dies, naming the rule", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      for (const secret of ["whsec_", "whsec_==", "whsec_QQ=", "not-a-secret", "whsec_%%%"]) {
        const exit = yield* Effect.exit(emulator.registerWebhook("https://app.example.com/hooks", { secret }))
        const shape = Exit.isFailure(exit) ? causeOf(exit.cause) : undefined
        expect(shape?._tag, secret).toBe("Die")
        expect(String((shape as { defect: unknown }).defect), secret).toContain("secret must be whsec_ followed by the base64 of its key")
      }
      // None of them was registered: a session change sends nothing.
      yield* emulator.seedUser({ id: "user_2ada" })
      yield* Effect.flatMap(Sessions, (sessions) => sessions.createSession({ userId: "user_2ada" }))
      yield* emulator.webhooksSettled
      expect(yield* emulator.webhookDeliveries).toEqual([])
    }).pipe(Effect.provide(Live)))

  it.live("an endpoint sees its events in the order they happened, even when it is slow to answer the first", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const sessions = yield* Sessions
      const seen: Array<string> = []
      yield* emulator.registerWebhook("https://app.example.com/hooks", {
        handler: async (request) => {
          const { type } = JSON.parse(await request.text())
          // The first delivery answers late; the revocation right behind it must still come second.
          if (type === "session.created") await new Promise((resolve) => setTimeout(resolve, 25))
          seen.push(type)
          return new Response(null, { status: 204 })
        }
      })
      yield* emulator.seedUser({ id: "user_2ada" })
      const session = yield* sessions.createSession({ userId: "user_2ada" })
      yield* sessions.revokeSession(session.id)
      yield* emulator.webhooksSettled
      expect(seen).toEqual(["session.created", "session.revoked"])
      expect((yield* emulator.webhookDeliveries).map((d) => d.eventType)).toEqual(["session.created", "session.revoked"])
    }).pipe(Effect.provide(Live)))

  it.live("to an HttpApi endpoint over a real socket on 127.0.0.1; a wrong secret is a 400 and the message is retried", () =>
    Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      const sessions = yield* Sessions
      const received: Array<ClerkWebhookEvent> = []
      const web = yield* webhookApp(Redacted.make("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"), received)
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => NodeClerkEmulator.serve(web.handler)),
        (served) => Effect.promise(() => served.stop().then(() => web.dispose()))
      )
      // Registered with the secret the app reads; then one more endpoint with a secret it does not know.
      yield* emulator.registerWebhook(`${server.url}/webhooks/clerk`, { secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD" })
      const wrong = yield* emulator.registerWebhook(`${server.url}/webhooks/clerk`)
      yield* emulator.seedUser({ id: "user_2ada" })
      const created = yield* sessions.createSession({ userId: "user_2ada" })
      yield* emulator.webhooksSettled
      expect(sessionEvents(received)).toEqual([["session.created", created.id, "active"]])
      const refused = (yield* emulator.webhookDeliveries).filter((d) => d.endpointId === wrong.id)
      expect(refused.map((d) => [d.eventType, d.attempt, d.status])).toEqual([["session.created", 1, 400]])
      yield* emulator.unregisterWebhook(wrong.id) // its retry (5 s away) stops
    }).pipe(Effect.provide(Live), Effect.scoped))
})

describe("retries on Svix's schedule (TestClock)", () => {
  const NOW = 1_780_000_000_000

  it.effect("a non-2xx answer or an unreachable endpoint is retried after 5 s, then 5 min, …: same svix-id, signed anew each time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator.make()
      const requests: Array<Request> = []
      const answers = [500, "unreachable", 200] as const
      const endpoint = yield* emulator.registerWebhook("https://app.example.com/webhooks/clerk", {
        handler: async (request) => {
          requests.push(request)
          const answer = answers[requests.length - 1]
          if (answer === "unreachable") throw new TypeError("fetch failed")
          return new Response(null, { status: answer })
        }
      })
      yield* emulator.seedUser({ id: "user_2ada" })
      yield* emulator.seedSession({ id: "sess_2ada", userId: "user_2ada" })
      yield* emulator.updateSession("sess_2ada", { status: "revoked" })
      yield* emulator.webhooksSettled
      const attempts = () => Effect.map(emulator.webhookDeliveries, (all) => all.map((d) => [d.attempt, d.status, d.at - NOW]))
      expect(yield* attempts()).toEqual([[1, 500, 0]])

      yield* TestClock.adjust(4_999)
      yield* emulator.webhooksSettled
      expect(yield* attempts()).toHaveLength(1)
      yield* TestClock.adjust(1)
      yield* emulator.webhooksSettled
      expect(yield* attempts()).toEqual([[1, 500, 0], [2, null, 5_000]])
      yield* TestClock.adjust(300_000)
      yield* emulator.webhooksSettled
      expect(yield* attempts()).toEqual([[1, 500, 0], [2, null, 5_000], [3, 200, 305_000]])

      const ids = requests.map((request) => request.headers.get("svix-id"))
      expect(new Set(ids).size).toBe(1)
      expect(requests.map((request) => request.headers.get("svix-timestamp"))).toEqual(
        [0, 5, 305].map((seconds) => String(NOW / 1000 + seconds))
      )
      // The last attempt verifies now; the first, signed 305 s ago, is past the 5-minute tolerance.
      const [event, stale] = yield* Effect.provide(
        Effect.flatMap(ClerkWebhooks, (webhooks) => Effect.all([webhooks.verify(requests[2]!), either(webhooks.verify(requests[0]!))])),
        ClerkWebhooks.layer({ signingSecret: endpoint.signingSecret })
      )
      expect(event).toMatchObject({ _tag: "SessionWebhookEvent", type: "session.revoked", session: { id: "sess_2ada", status: "revoked" } })
      expect(stale).toMatchObject({ _tag: "Left", left: { _tag: "ClerkWebhookInvalid", reason: "StaleTimestamp" } })
      yield* TestClock.adjust("10 hours") // delivered: nothing more
      yield* emulator.webhooksSettled
      expect(yield* attempts()).toHaveLength(3)
    }))

  it.effect("an endpoint that never answers 2xx gets Svix's 8 attempts, then no more", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const emulator = yield* ClerkEmulator.make()
      yield* emulator.registerWebhook("https://app.example.com/webhooks/clerk", {
        handler: async () => new Response("no", { status: 503 })
      })
      yield* emulator.seedUser({ id: "user_2ada" })
      yield* emulator.seedSession({ id: "sess_2ada", userId: "user_2ada" })
      yield* emulator.updateSession("sess_2ada", { status: "removed" })
      for (let i = 0; i < 10; i++) {
        yield* emulator.webhooksSettled
        yield* TestClock.adjust("10 hours")
      }
      yield* emulator.webhooksSettled
      const deliveries = yield* emulator.webhookDeliveries
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      expect(deliveries.every((d) => d.status === 503 && d.eventType === "session.removed")).toBe(true)
    }))
})
