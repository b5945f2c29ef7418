/**
 * What the two sides of `#test-line/HttpApi` share, spelled the same on both lines: the test
 * API's response schemas, what its `/me` and webhook endpoints answer, and `apiHandler`'s
 * signature.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type ClerkWebhookEvent, ClerkWebhooks, CurrentSession, type SignedInSession } from "../../src/http/index.js"
import type { TokenVerifier } from "../../src/TokenVerifier.js"

export const Ok = Schema.Struct({ ok: Schema.Boolean })

export const Me = Schema.Struct({
  userId: Schema.String,
  sessionId: Schema.String,
  orgId: Schema.NullOr(Schema.String),
  orgRole: Schema.NullOr(Schema.String),
  canRead: Schema.Boolean
})

export const me = (session: SignedInSession): typeof Me.Type => ({
  userId: session.userId,
  sessionId: session.sessionId,
  orgId: session.orgId ?? null,
  orgRole: session.orgRole ?? null,
  canRead: session.has({ permission: "org:invoices:read" })
})

/** The handlers of the test API's endpoints, the same on both lines. */
export const hello = () => Effect.succeed({ ok: true })
export const meHandler = () => Effect.map(CurrentSession, me)
export const adminHandler = () => Effect.as(CurrentSession.require({ role: "org:admin" }), { ok: true })
export const billingHandler = () => Effect.as(CurrentSession.require({ permission: "org:invoices:manage" }), { ok: true })

/** What the test API's webhook endpoint answers: the type of the event it took. */
export const Received = Schema.Struct({ type: Schema.String })

/** The webhook endpoint's answer to `event`, which it pushes to `received`. */
export const receive = (received: Array<ClerkWebhookEvent>) => (event: ClerkWebhookEvent): typeof Received.Type => {
  received.push(event)
  return { type: event.type }
}

/** Webhooks signed with a secret no emulator endpoint has (for the suites that send none). */
export const unusedWebhooks: Layer.Layer<ClerkWebhooks> = ClerkWebhooks.layer({
  signingSecret: Redacted.make("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
})

/** An in-process web handler and what releases it. */
export interface WebHandler {
  readonly handler: (request: Request) => Promise<Response>
  readonly dispose: () => Promise<void>
}

/**
 * The test API as a web handler: its ClerkAuth verifying with `verifier`, its webhook endpoint
 * with `webhooks` (default {@link unusedWebhooks}), pushing each verified event to `received`.
 */
export type ApiHandler = (
  verifier: Layer.Layer<TokenVerifier>,
  webhooks?: Layer.Layer<ClerkWebhooks>,
  received?: Array<ClerkWebhookEvent>
) => WebHandler
