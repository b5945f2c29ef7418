/**
 * `ClerkClient`'s low-level `request`, for endpoints the SDK does not wrap: it takes the
 * decoder an application already has on its line (`Schema.decodeUnknownEither` on effect 3,
 * `Schema.decodeUnknownResult` on effect 4) or a plain `{ ok, value } | { ok: false, issues }`
 * function, against the emulator over `fetch`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { LINE } from "#test-line/Testing"
import { ClerkClient } from "../src/ClerkClient.js"
import { SessionFromWire } from "../src/Session.js"
import { ClerkEmulator } from "../src/testing/index.js"

/** This line's own Schema decoder of `schema` (the one an application on that line writes). */
const lineDecoder = (schema: unknown): (input: unknown) => never => {
  const s = Schema as unknown as Record<string, (schema: unknown) => (input: unknown) => never>
  return s[(LINE as string) === "effect3" ? "decodeUnknownEither" : "decodeUnknownResult"]!(schema)
}

const layer = ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_emulator") }).pipe(
  Layer.provideMerge(ClerkEmulator.layer())
)
const none = new Set<404>([404])

describe(`ClerkClient.request on ${LINE}`, () => {
  it.effect("decodes with the line's own Schema decoder and with a plain { ok, value } function", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkEmulator
      const client = yield* ClerkClient
      yield* clerk.seedUser({ id: "user_request" })
      const seeded = yield* clerk.seedSession({ userId: "user_request" })
      const spec = { method: "GET", path: `/sessions/${seeded.id}`, idempotent: true } as const

      const viaSchema = yield* client.request(spec, lineDecoder(SessionFromWire), none)
      expect(viaSchema).toMatchObject({ id: seeded.id, userId: "user_request", status: "active" })

      const viaPlain = yield* client.request(spec, (body) => ({ ok: true as const, value: (body as { id: string }).id }), none)
      expect(viaPlain).toBe(seeded.id)

      // A body the decoder refuses is a ClerkDecodeError naming the path, whichever decoder said no.
      const refused = yield* client.request(spec, lineDecoder(Schema.Struct({ id: Schema.Number })), none).pipe(Effect.flip)
      expect(refused._tag).toBe("ClerkDecodeError")
      expect(refused).toMatchObject({ method: "GET", path: `/sessions/${seeded.id}`, status: 200 })
      expect((refused as { issues: string }).issues).toMatch(/\["id"\]/)
    }).pipe(Effect.provide(layer)))
})
