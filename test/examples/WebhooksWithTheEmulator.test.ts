import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Sessions } from "effect-clerk"
import { ClerkWebhooks } from "effect-clerk/http"
import { ClerkEmulator } from "effect-clerk/testing"

// Your webhook endpoint: a web handler that records the sessions Clerk says are gone.
const makeWebhookHandler = (webhooks: Layer.Layer<ClerkWebhooks>, gone: Array<string>) => {
  const runtime = ManagedRuntime.make(webhooks)
  return (request: Request) =>
    runtime.runPromise(
      Effect.gen(function*() {
        const event = yield* (yield* ClerkWebhooks).verify(request)
        if (event._tag === "SessionWebhookEvent" && event.type !== "session.created") gone.push(event.session.id)
        return new Response(null, { status: 204 })
      }).pipe(Effect.catchTag("ClerkWebhookInvalid", (e) => Effect.succeed(new Response(e.reason, { status: 400 }))))
    )
}

describe("the webhook endpoint", () => {
  // The emulator signs and delivers Clerk's session webhooks, as Clerk does through Svix.
  it.live("records every revoked session", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      const sessions = yield* Sessions
      const gone: Array<string> = []
      let handler = (_: Request) => Promise.resolve(new Response(null, { status: 503 }))
      const endpoint = yield* clerk.registerWebhook("https://app.example.com/webhooks/clerk", {
        handler: (request) => handler(request) // or no handler: the emulator POSTs to the URL
      })
      handler = makeWebhookHandler(ClerkWebhooks.layer({ signingSecret: endpoint.signingSecret }), gone)

      yield* clerk.seedUser({ id: "user_1" })
      const session = yield* sessions.createSession({ userId: "user_1" })
      yield* sessions.revokeSession(session.id)
      yield* clerk.webhooksSettled

      expect(gone).toEqual([session.id])
      expect((yield* clerk.webhookDeliveries).map((d) => [d.eventType, d.status])).toEqual([
        ["session.created", 204],
        ["session.revoked", 204]
      ])
    }).pipe(Effect.provide(ClerkEmulator.layerSessions())))
})
