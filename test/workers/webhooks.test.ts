/**
 * The example Worker's webhook endpoint (`POST /webhooks/clerk`) inside workerd, fed by a Clerk
 * emulator in this isolate that delivers signed webhooks as Clerk does (Svix's headers,
 * Standard Webhooks signatures, retries): a revocation is recorded in the real
 * CLERK_SESSION_EVENTS KV namespace and the JSON API refuses that session's token at once,
 * though the token has not expired; a delivery not signed with the endpoint's secret is a 400
 * and records nothing; other events are acknowledged and change nothing.
 */
import { env, SELF } from "cloudflare:test"
import * as Effect from "effect/Effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ClerkEmulator } from "../../src/testing/index.js"
import { bearer, seedUser, webhookSigningSecret } from "./support.js"

const call = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`https://worker.test${path}`, { headers })
const json = async (response: Response) => ({ status: response.status, headers: response.headers, body: await response.json() as any })
const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

/** Clerk, as far as webhooks go: it sends the Worker an event for every session change it makes. */
let clerk: ClerkEmulator.Service
/** The endpoint registered with the Worker's own secret, and one with a secret the Worker does not know. */
let endpoint: { readonly id: string }
let stranger: { readonly id: string }

beforeAll(async () => {
  clerk = await ClerkEmulator.start()
  const worker = (request: Request) => SELF.fetch(request)
  endpoint = await run(clerk.registerWebhook("https://worker.test/webhooks/clerk", { secret: webhookSigningSecret, handler: worker }))
  stranger = await run(clerk.registerWebhook("https://worker.test/webhooks/clerk", { handler: worker, events: ["session.ended"] }))
})

/** The session `sessionId` of `userId` (the Worker's Clerk has it too) changes at Clerk: its webhook is delivered. */
const clerkSays = async (userId: string, sessionId: string, status: "revoked" | "ended" | "removed" | "pending") => {
  await run(Effect.gen(function*() {
    yield* clerk.seedUser({ id: userId })
    yield* clerk.seedSession({ id: sessionId, userId })
    yield* clerk.updateSession(sessionId, { status })
    yield* clerk.webhooksSettled
  }))
  return (await run(clerk.webhookDeliveries)).filter((d) => d.endpointId === endpoint.id).at(-1)
}

describe("the example Worker's webhook endpoint, in workerd", () => {
  it("a revocation webhook: recorded in KV, and the session's unexpired token is refused from then on", async () => {
    const { userId, sessionIds } = await seedUser(2)
    const [revoked, other] = [sessionIds[0]!, sessionIds[1]!]
    const token = await bearer(revoked)
    expect((await json(await call("/me", token))).status).toBe(200)

    const delivery = await clerkSays(userId, revoked, "revoked")
    expect([delivery?.eventType, delivery?.status, delivery?.attempt]).toEqual(["session.revoked", 204, 1])
    expect(await env.CLERK_SESSION_EVENTS.get(`ended:${revoked}`)).toBe("session.revoked")

    const refused = await json(await call("/me", token))
    expect([refused.status, refused.body.error.code]).toEqual([401, "session_ended"])
    expect(refused.headers.get("www-authenticate")).toBe(`Bearer error="invalid_token"`)
    expect(JSON.stringify(refused.body)).not.toMatch(/eyJ|whsec_|sk_test_/)
    // The user's other session is untouched.
    expect((await json(await call(`/sessions/${other}`, await bearer(other)))).body.id).toBe(other)
  })

  it("ended and removed sessions are refused too; a pending one (an unfinished task) is not", async () => {
    const { userId, sessionIds } = await seedUser(3)
    const statuses = ["ended", "removed", "pending"] as const
    for (const [i, status] of statuses.entries()) await clerkSays(userId, sessionIds[i]!, status)
    const answers = await Promise.all(sessionIds.map(async (id) => (await call("/me", await bearer(id))).status))
    expect(answers).toEqual([401, 401, 200])
    expect(await env.CLERK_SESSION_EVENTS.get(`ended:${sessionIds[2]}`)).toBeNull()
  })

  it("a delivery signed with another secret is a 400 and records nothing; an unsigned POST the same", async () => {
    const { userId, sessionIds } = await seedUser(1)
    await clerkSays(userId, sessionIds[0]!, "ended")
    const forged = (await run(clerk.webhookDeliveries)).filter((d) => d.endpointId === stranger.id)
    expect(forged.map((d) => d.status)).toContain(400)
    expect(forged.every((d) => d.status === 400)).toBe(true)
    await run(clerk.unregisterWebhook(stranger.id)) // its retries stop

    const unsigned = await json(await SELF.fetch("https://worker.test/webhooks/clerk", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "session.revoked", object: "event", data: { id: "sess_forged" } })
    }))
    expect([unsigned.status, unsigned.body.error.code]).toEqual([400, "invalid_webhook"])
    expect(unsigned.body.error.message).toMatch(/^MissingHeaders: /)
    expect(await env.CLERK_SESSION_EVENTS.get("ended:sess_forged")).toBeNull()
  })

  it("a burst of deliveries to one isolate: every one verified and recorded", async () => {
    const { userId, sessionIds } = await seedUser(10)
    await run(Effect.gen(function*() {
      yield* clerk.seedUser({ id: userId })
      for (const id of sessionIds) yield* clerk.seedSession({ id, userId })
      yield* Effect.forEach(sessionIds, (id) => clerk.updateSession(id, { status: "revoked" }), { concurrency: "unbounded" })
      yield* clerk.webhooksSettled
    }))
    const recorded = await Promise.all(sessionIds.map((id) => env.CLERK_SESSION_EVENTS.get(`ended:${id}`)))
    expect(recorded).toEqual(sessionIds.map(() => "session.revoked"))
  })
})
