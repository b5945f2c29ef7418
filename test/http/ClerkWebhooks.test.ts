/**
 * ClerkWebhooks (effect-clerk/http): Standard Webhooks signatures as Clerk (via Svix) sends
 * them, signed here with WebCrypto exactly as the spec says, and the session events decoded
 * to the same Session model the API returns. Time is the TestClock's.
 */
import { configLayer, either, isConfigError, prettyCause, TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type ClerkWebhookEvent, type ClerkWebhookInvalid, ClerkWebhooks } from "../../src/http/index.js"
import { sample } from "../support/samples.js"

// A made-up secret of the documented shape: whsec_ + base64 of 24 random bytes.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
const NOW = 1_780_000_000_000
const nowSeconds = Math.floor(NOW / 1000)

const base64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)))

const sign = async (secret: string, id: string, timestamp: number, body: string) => {
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"]
  )
  return `v1,${base64(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)))}`
}

const eventBody = (type: string, data: unknown = sample("session_get_200")) =>
  JSON.stringify({ data, object: "event", type, timestamp: NOW - 1000, instance_id: "ins_2abc", event_attributes: { http_request: {} } })

interface Delivery {
  readonly body?: string
  readonly id?: string
  readonly timestamp?: number
  readonly secret?: string
  readonly prefix?: "svix" | "webhook"
  readonly signature?: (valid: string) => string
  readonly omit?: "id" | "timestamp" | "signature"
}

const delivery = async (options: Delivery = {}) => {
  const body = options.body ?? eventBody("session.revoked")
  const id = options.id ?? "msg_2yZwUhtgs5Ai8T9yRQJXA"
  const timestamp = options.timestamp ?? nowSeconds
  const valid = await sign(options.secret ?? SECRET, id, timestamp, body)
  const prefix = options.prefix ?? "svix"
  const headers: Record<string, string> = {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: options.signature?.(valid) ?? valid,
    "content-type": "application/json"
  }
  if (options.omit !== undefined) delete headers[`${prefix}-${options.omit}`]
  return new Request("https://app.example.com/webhooks/clerk", { method: "POST", headers, body })
}

const WebhooksLive = ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET) })

const verify = <E>(request: Request, layer: Layer.Layer<ClerkWebhooks, E> = WebhooksLive as Layer.Layer<ClerkWebhooks, E>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const webhooks = yield* ClerkWebhooks
    return yield* webhooks.verify(request)
  }).pipe(Effect.provide(layer))

const refused = <E>(request: Request, layer?: Layer.Layer<ClerkWebhooks, E>) =>
  Effect.flatMap(either(verify(request, layer)), (result) => {
    if (result._tag !== "Left") return Effect.die(new Error(`expected a refusal, got ${JSON.stringify(result)}`))
    const error = result.left as ClerkWebhookInvalid
    expect(error._tag).toBe("ClerkWebhookInvalid")
    // Nothing secret or signed is ever in the error.
    const shown = `${error.message} ${JSON.stringify(error)} ${String(error)}`
    expect(shown).not.toContain(SECRET.slice(6))
    expect(shown).not.toContain("v1,")
    return Effect.succeed(error)
  })

describe("ClerkWebhooks.verify", () => {
  it.effect("a session.revoked delivery with Svix's headers verifies and carries the Session the API returns", () =>
    Effect.gen(function*() {
      const event: ClerkWebhookEvent = yield* verify(yield* Effect.promise(() => delivery()))
      expect(event._tag).toBe("SessionWebhookEvent")
      if (event._tag !== "SessionWebhookEvent") return
      expect(event.type).toBe("session.revoked")
      expect(event.session.id).toBe("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      expect(event.session.userId).toBe((sample("session_get_200") as { user_id: string }).user_id)
      expect([event.id, event.timestamp, event.instanceId]).toEqual(["msg_2yZwUhtgs5Ai8T9yRQJXA", NOW - 1000, "ins_2abc"])
    }))

  it.effect("the Standard Webhooks header names (webhook-*) work the same", () =>
    Effect.gen(function*() {
      const event = yield* verify(yield* Effect.promise(() => delivery({ prefix: "webhook", body: eventBody("session.created") })))
      expect([event._tag, event.type]).toEqual(["SessionWebhookEvent", "session.created"])
    }))

  it.effect("every session event type decodes to a SessionWebhookEvent", () =>
    Effect.gen(function*() {
      for (const type of ["session.created", "session.ended", "session.removed", "session.revoked", "session.pending"]) {
        const event = yield* verify(yield* Effect.promise(() => delivery({ body: eventBody(type) })))
        expect([event._tag, event.type]).toEqual(["SessionWebhookEvent", type])
      }
    }))

  it.effect("any other type is an UnknownWebhookEvent with its data, not a failure", () =>
    Effect.gen(function*() {
      const event = yield* verify(yield* Effect.promise(() => delivery({ body: eventBody("user.created", { id: "user_1" }) })))
      expect(event).toMatchObject({ _tag: "UnknownWebhookEvent", type: "user.created", data: { id: "user_1" } })
    }))

  it.effect("any one matching v1 signature among several (a rotated secret) verifies; other versions are ignored", () =>
    Effect.gen(function*() {
      const request = yield* Effect.promise(() =>
        delivery({ signature: (valid) => `v1,${base64(new Uint8Array(32).buffer)} v2,whatever ${valid}` })
      )
      expect((yield* verify(request))._tag).toBe("SessionWebhookEvent")
    }))

  it.effect("a body changed after signing, another secret's signature, or no v1 signature: InvalidSignature", () =>
    Effect.gen(function*() {
      const tampered = yield* Effect.promise(async () => {
        const signed = await delivery()
        return new Request(signed.url, { method: "POST", headers: signed.headers, body: eventBody("session.created") })
      })
      expect((yield* refused(tampered)).reason).toBe("InvalidSignature")
      expect((yield* refused(yield* Effect.promise(() => delivery({ secret: OTHER_SECRET })))).reason).toBe("InvalidSignature")
      const noV1 = yield* refused(yield* Effect.promise(() => delivery({ signature: (valid) => valid.replace("v1,", "v2,") })))
      expect([noV1.reason, noV1.message]).toEqual(["InvalidSignature", "The webhook carries no v1 signature"])
    }))

  it.effect("a timestamp more than 5 minutes old or ahead is StaleTimestamp (a replay); within it verifies", () =>
    Effect.gen(function*() {
      const old = yield* refused(yield* Effect.promise(() => delivery({ timestamp: nowSeconds - 301 })))
      expect([old.reason, old.message]).toEqual(["StaleTimestamp", "The webhook's timestamp is 301 s old, beyond the 5m tolerance"])
      expect((yield* refused(yield* Effect.promise(() => delivery({ timestamp: nowSeconds + 301 })))).reason).toBe("StaleTimestamp")
      expect((yield* verify(yield* Effect.promise(() => delivery({ timestamp: nowSeconds - 299 }))))._tag).toBe("SessionWebhookEvent")
    }))

  it.effect("a missing id, timestamp or signature header, or a timestamp that is not seconds: MissingHeaders", () =>
    Effect.gen(function*() {
      for (const omit of ["id", "timestamp", "signature"] as const) {
        expect((yield* refused(yield* Effect.promise(() => delivery({ omit })))).reason).toBe("MissingHeaders")
      }
      const request = yield* Effect.promise(() => delivery())
      const headers = new Headers(request.headers)
      headers.set("svix-timestamp", "yesterday")
      expect((yield* refused(new Request(request.url, { method: "POST", headers, body: "{}" }))).reason).toBe("MissingHeaders")
    }))

  it.effect("a signed body that is not a Clerk event, or a session event whose data is not a session: MalformedBody", () =>
    Effect.gen(function*() {
      expect((yield* refused(yield* Effect.promise(() => delivery({ body: "not json" })))).reason).toBe("MalformedBody")
      expect((yield* refused(yield* Effect.promise(() => delivery({ body: JSON.stringify({ data: {} }) })))).reason).toBe("MalformedBody")
      const badSession = yield* refused(yield* Effect.promise(() => delivery({ body: eventBody("session.ended", { id: 42 }) })))
      expect(badSession.reason).toBe("MalformedBody")
      expect(badSession.message).toMatch(/^The session\.ended event's data is not a Clerk session: /)
    }))

  it.effect("a body over the cap is BodyTooLarge, read no further", () =>
    Effect.gen(function*() {
      const small = ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET), maxBodyBytes: 1024 })
      const error = yield* refused(yield* Effect.promise(() => delivery({ body: eventBody("user.updated", { note: "x".repeat(4096) }) })), small)
      expect([error.reason, error.message]).toEqual(["BodyTooLarge", "The webhook body exceeds 1 KiB"])
    }))
})

describe("ClerkWebhooks layers", () => {
  it.effect("layerConfig reads CLERK_WEBHOOK_SIGNING_SECRET", () =>
    Effect.gen(function*() {
      const layer = ClerkWebhooks.layerConfig().pipe(Layer.provide(configLayer({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET })))
      const event = yield* verify(yield* Effect.promise(() => delivery()), layer)
      expect([event._tag, event.type]).toEqual(["SessionWebhookEvent", "session.revoked"])
      // Another endpoint's secret from the environment: the same delivery no longer verifies.
      const other = ClerkWebhooks.layerConfig().pipe(Layer.provide(configLayer({ CLERK_WEBHOOK_SIGNING_SECRET: OTHER_SECRET })))
      expect((yield* refused(yield* Effect.promise(() => delivery()), other)).reason).toBe("InvalidSignature")
    }))

  it.effect("a missing or malformed CLERK_WEBHOOK_SIGNING_SECRET is a ConfigError naming it, never quoting it", () =>
    Effect.gen(function*() {
      for (const env of [{}, { CLERK_WEBHOOK_SIGNING_SECRET: "not-a-secret-value" }]) {
        const result = yield* either(Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig().pipe(Layer.provide(configLayer(env)))))
        expect(result._tag).toBe("Left")
        if (result._tag !== "Left") continue
        expect(isConfigError(result.left)).toBe(true)
        const text = String(result.left)
        expect(text).toContain("CLERK_WEBHOOK_SIGNING_SECRET")
        expect(text).not.toContain("not-a-secret-value")
      }
    }))

  it("a signing secret without whsec_ is a defect when the layer is built, naming the option and not the value", async () => {
    const exit = await Effect.runPromiseExit(Effect.provide(ClerkWebhooks, ClerkWebhooks.layer({ signingSecret: Redacted.make("sk_test_oops") })))
    expect(Exit.isFailure(exit)).toBe(true)
    if (!Exit.isFailure(exit)) return
    const text = prettyCause(exit.cause)
    expect(text).toContain("ClerkWebhooks: signingSecret must start with whsec_")
    expect(text).not.toContain("sk_test_oops")
  })
})
