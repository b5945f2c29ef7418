/** What the HTTP middleware suites (ClerkAuth, ClerkMiddleware) seed in their emulator. */
import * as Effect from "effect/Effect"
import type { ClerkEmulator } from "../../src/testing/index.js"

/**
 * user_2ada, an org:admin of org_2acme who may read invoices: sess_2ada with the organization
 * active, sess_2bob without one.
 */
export const seedAda = (emulator: ClerkEmulator.Service) =>
  Effect.gen(function*() {
    yield* emulator.seedUser({ id: "user_2ada" })
    yield* emulator.seedOrganization({ id: "org_2acme", slug: "acme", members: [{ userId: "user_2ada", role: "org:admin", permissions: ["org:invoices:read"] }] })
    yield* emulator.seedSession({ id: "sess_2ada", userId: "user_2ada", activeOrganizationId: "org_2acme" })
    yield* emulator.seedSession({ id: "sess_2bob", userId: "user_2ada" })
  })
