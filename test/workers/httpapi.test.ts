/**
 * The README's HttpApi Worker (examples/<line>/httpapi-worker.ts) inside workerd, against the
 * Clerk emulator served from Node: ClerkAuth in front of an HttpApi endpoint — a cold burst of
 * concurrent requests to one fresh handler, all answered with one JWKS fetch; the 401 reasons,
 * the 403 of `CurrentSession.require`, and the OpenAPI document the Worker serves.
 */
import { describe, expect, it } from "vitest"
import { httpApiWorker } from "#test-line/ExampleWorker"
import { bearer, clerkSecretKey, clerkUrl, requests, reset, seedUser } from "./support.js"

// The emulator's sessions come from http://localhost:3000 (their tokens' azp).
const env = { CLERK_SECRET_KEY: clerkSecretKey, CLERK_API_URL: clerkUrl, APP_ORIGIN: "http://localhost:3000" }
const call = (path: string, headers: Record<string, string> = {}) =>
  httpApiWorker.fetch(new Request(`https://worker.test${path}`, { headers }), env)
const json = async (response: Response) => ({ status: response.status, body: await response.json() as any })

describe("the HttpApi Worker with ClerkAuth, in workerd", () => {
  it("a cold burst of 20 concurrent requests: every one answered from the token, with one JWKS fetch", async () => {
    await reset()
    const reader = await seedUser(1, ["active"], { role: "org:member", permissions: ["org:invoices:read"] })
    const manager = await seedUser(1, ["active"], { role: "org:admin", permissions: ["org:invoices:read", "org:invoices:manage"] })
    const [asReader, asManager] = [await bearer(reader.sessionIds[0]!), await bearer(manager.sessionIds[0]!)]
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call("/invoices", i % 2 === 0 ? asReader : asManager).then(json)))
    expect(answers.filter((a, i) =>
      a.status === 200 && a.body.organization === (i % 2 === 0 ? reader : manager).organizationId && a.body.canManage === (i % 2 === 1)
    )).toHaveLength(20)
    expect((await requests()).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/jwks"])
  })

  it("no token, a malformed one, a session without the permission: 401 with the reason, 403 ClerkForbidden", async () => {
    const outsider = await seedUser(1, ["active"], { role: "org:member", permissions: [] })
    const missing = await json(await call("/invoices"))
    const malformed = await json(await call("/invoices", { cookie: "__session=not-a-jwt" }))
    const forbidden = await json(await call("/invoices", await bearer(outsider.sessionIds[0]!)))
    expect([missing.status, missing.body._tag, missing.body.reason]).toEqual([401, "ClerkUnauthenticated", "missing"])
    expect([malformed.status, malformed.body.reason]).toEqual([401, "malformed"])
    expect([forbidden.status, forbidden.body._tag, forbidden.body.errors[0].code]).toEqual([403, "ClerkForbidden", "authorization_invalid"])
    expect(JSON.stringify([missing, malformed, forbidden])).not.toMatch(/eyJ|sk_test_|stack/)
  })

  it("serves its OpenAPI document: the bearer and __session cookie schemes, and /invoices' 401 / 403 / 503", async () => {
    const { body, status } = await json(await call("/openapi.json"))
    expect(status).toBe(200)
    expect(Object.keys(body.components.securitySchemes).sort()).toEqual(["bearer", "cookie"])
    expect(body.components.securitySchemes.cookie).toMatchObject({ type: "apiKey", in: "cookie", name: "__session" })
    const list = body.paths["/invoices"].get
    expect(list.security).toEqual([{ bearer: [] }, { cookie: [] }])
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(["200", "401", "403", "503"]))
  })
})
