/**
 * What the two sides of `#test-line/HttpApi` share, spelled the same on both lines: the test
 * API's response schemas and what its `/me` endpoint answers.
 */
import * as Schema from "effect/Schema"
import type { SignedInSession } from "../../src/http/index.js"

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

/** What the test API's webhook endpoint answers: the type of the event it took. */
export const Received = Schema.Struct({ type: Schema.String })

/** A signing secret no emulator endpoint has (for the suites that do not send webhooks). */
export const UNUSED_SECRET = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
