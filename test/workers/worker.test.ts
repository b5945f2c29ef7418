/**
 * The example Worker inside workerd (`SELF` is `wrangler.toml`'s main module), against the
 * Clerk emulator served from Node: every route with a session token, who may see and revoke
 * what, every Clerk failure's HTTP answer, input that must be a 400, and one runtime (and
 * one JWKS fetch) per isolate.
 */
import { SELF } from "cloudflare:test"
import { beforeEach, describe, expect, it } from "vitest"
import { handlerFor, runtimesBuilt } from "#test-line/ExampleWorker"
import {
  bearer,
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

const call = (path: string, init?: RequestInit) => SELF.fetch(`https://worker.test${path}`, init)
const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers })
const post = (path: string, headers: Record<string, string> = {}) => call(path, { method: "POST", headers })
const json = async (res: Response) => ({ status: res.status, headers: res.headers, body: await res.json() as any })

/** What reached Clerk besides the JWKS (fetched once per isolate, whenever a token is first checked). */
const clerkCalls = async () => (await requests()).filter((r) => r.route !== "getJwks")

/** No answer from this API may leak a stack trace, a secret or a token. */
const expectCleanError = (body: any) => {
  expect(Object.keys(body)).toEqual(["error"])
  expect(typeof body.error.code).toBe("string")
  expect(body.error.message).not.toMatch(/\n\s+at |\.ts:\d+|sk_test_|eyJ/)
}

/** ClerkAuth's 401 / 503 (effect-clerk/http): its tag, a reason, a message for the user; nothing else. */
const expectCleanRefusal = (body: any, tag: "ClerkUnauthenticated" | "ClerkAuthUnavailable") => {
  expect(Object.keys(body).sort()).toEqual(tag === "ClerkUnauthenticated" ? ["_tag", "message", "reason"] : ["_tag", "message"])
  expect(body._tag).toBe(tag)
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |\.ts:\d+|sk_test_|eyJ/)
}

/** Another isolate's worth of Worker: a fresh runtime for a configuration no other test uses. */
let configs = 0
const freshHandler = (env: Record<string, string>) =>
  handlerFor({ CLERK_SECRET_KEY: clerkSecretKey, CLERK_API_URL: clerkUrl, CLERK_TIMEOUT: `${4000 + ++configs} millis`, ...env })
const request = (path: string, init: RequestInit = {}) => new Request(`https://worker.test${path}`, init)

beforeEach(() => reset())

describe("routes, with the caller's session token", () => {
  it("GET /users/:userId/sessions lists the user's sessions, newest first, with ISO timestamps", async () => {
    const { userId, sessionIds } = await seedUser(3, ["active", "ended", "active"])
    const { status, body } = await json(await get(`/users/${userId}/sessions`, await bearer(sessionIds[2])))
    expect(status).toBe(200)
    expect(body.totalCount).toBe(3)
    expect(body.data.map((s: any) => s.id)).toEqual([...sessionIds].reverse())
    expect(body.data.map((s: any) => s.status)).toEqual(["active", "ended", "active"])
    expect(body.data.every((s: any) => s.userId === userId)).toBe(true)
    expect(body.data[0].createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(body.data[0].latestActivity).toMatchObject({ browserName: "Firefox", city: "Lyon", country: "FR" })
  })

  it("passes status, limit and offset through to Clerk", async () => {
    const { userId, sessionIds } = await seedUser(4, ["active", "revoked", "active", "active"])
    const active = await json(await get(`/users/${userId}/sessions?status=active&limit=2&offset=1`, await bearer(sessionIds[3])))
    expect(active.status).toBe(200)
    expect(active.body.totalCount).toBe(3)
    expect(active.body.data.map((s: any) => s.id)).toEqual([sessionIds[2], sessionIds[0]])
    expect((await clerkCalls()).map((r) => r.route)).toEqual(["getSessionList"])
  })

  it("GET /sessions/:id returns the session", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const { status, body } = await json(await get(`/sessions/${sessionIds[0]}`, await bearer(sessionIds[0])))
    expect(status).toBe(200)
    expect(body).toMatchObject({ id: sessionIds[0], userId, status: "active" })
    expect(Date.parse(body.expireAt)).toBeGreaterThan(Date.now())
  })

  it("POST /sessions/:id/revoke revokes one of the caller's sessions", async () => {
    const { sessionIds } = await seedUser(2)
    const auth = await bearer(sessionIds[1])
    const revoked = await json(await post(`/sessions/${sessionIds[0]}/revoke`, auth))
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ id: sessionIds[0], status: "revoked" })
    expect((await json(await get(`/sessions/${sessionIds[0]}`, auth))).body.status).toBe("revoked")
  })

  it("POST /sessions/:id/tokens/:template mints a JWT from the template for that session", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const { status, body } = await json(await post(`/sessions/${sessionIds[0]}/tokens/demo_template`, await bearer(sessionIds[0])))
    expect(status).toBe(200)
    expect(body.object).toBe("token")
    expect(claimsOf(body.jwt)).toMatchObject({ sub: userId, app: "effect-clerk-example" })
  })

  it("accepts the token from the __session cookie too", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const cookie = `theme=dark; __session=${await mintToken(sessionIds[0])}`
    const { status, body } = await json(await get(`/users/${userId}/sessions`, { cookie }))
    expect(status).toBe(200)
    expect(body.totalCount).toBe(1)
  })

  it("GET /me reads CurrentSession: who the token says, the organization role, and has() for a permission", async () => {
    const admin = await seedUser(1, undefined, { role: "org:admin", permissions: ["org:sys_memberships:manage"] })
    const member = await seedUser(1, undefined, { role: "org:member", permissions: ["org:sys_memberships:read"] })
    const asAdmin = await json(await get("/me", await bearer(admin.sessionIds[0])))
    expect(asAdmin.status).toBe(200)
    expect(asAdmin.body).toMatchObject({
      userId: admin.userId,
      sessionId: admin.sessionIds[0],
      organizationId: admin.organizationId,
      organizationRole: "org:admin",
      canManageOrganization: true,
      verifiedBy: "TokenVerifier, in this Worker (no call to Clerk)"
    })
    const asMember = await json(await get("/me", await bearer(member.sessionIds[0])))
    expect([asMember.body.organizationRole, asMember.body.canManageOrganization]).toEqual(["org:member", false])
    expect(await clerkCalls()).toEqual([])
  })

  it("GET /openapi.json is the API's OpenAPI document: every route, the two security schemes, each answer", async () => {
    const { status, body: spec } = await json(await get("/openapi.json"))
    expect(status).toBe(200)
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/fleet",
      "/me",
      "/sessions/{id}",
      "/sessions/{id}/revoke",
      "/sessions/{id}/tokens/{template}",
      "/users/{userId}/sessions",
      "/webhooks/clerk"
    ])
    // An HTTP auth scheme's name is case-insensitive (RFC 9110): effect 3 writes "bearer", effect 4 "Bearer".
    expect(Object.values(spec.components.securitySchemes).map((s: any) => [s.type, (s.scheme ?? s.in).toLowerCase(), s.name ?? null])).toEqual([
      ["http", "bearer", null],
      ["apiKey", "cookie", "__session"]
    ])
    const revoke = spec.paths["/sessions/{id}/revoke"].post
    expect(Object.keys(revoke.responses).sort()).toEqual(["200", "400", "401", "403", "404", "409", "410", "422", "502", "503", "504"])
    // 403 is both ClerkAuth's (ClerkForbidden, from CurrentSession.require) and the handler's own
    // ({ error: { code, message } }, another user's session).
    const resolve = (schema: any) => (schema.$ref ? spec.components.schemas[schema.$ref.split("/").pop()] : schema)
    const forbidden = resolve(revoke.responses["403"].content["application/json"].schema)
    const shapes = (forbidden.anyOf ?? forbidden.oneOf ?? [forbidden]).map(resolve)
    expect(shapes.some((shape: any) => shape.required?.includes("error"))).toBe(true)
    expect(shapes.some((shape: any) => shape.properties?._tag?.enum?.includes("ClerkForbidden"))).toBe(true)
    expect(revoke.security.length).toBe(2)
    // Clerk's webhooks are not behind ClerkAuth: Svix signs them.
    const webhook = spec.paths["/webhooks/clerk"].post
    expect(webhook.security).toEqual([])
    expect(Object.keys(webhook.responses).sort()).toEqual(["204", "400", "404"])
  })

  it("sends Clerk the configured secret key", async () => {
    const { sessionIds } = await seedUser(1)
    await get(`/sessions/${sessionIds[0]}`, await bearer(sessionIds[0]))
    expect((await clerkCalls()).map((r) => [r.method, r.path, r.authorization])).toEqual([
      ["GET", `/v1/sessions/${sessionIds[0]}`, "valid"]
    ])
  })
})

describe("a user sees and revokes only their own sessions", () => {
  it("no token is ClerkAuth's 401 asking for one (reason missing, WWW-Authenticate: Bearer), before anything reaches Clerk", async () => {
    const { userId, sessionIds } = await seedUser(1)
    for (const res of [await get(`/users/${userId}/sessions`), await post(`/sessions/${sessionIds[0]}/revoke`), await get("/me")]) {
      const { status, headers, body } = await json(res)
      expect(status).toBe(401)
      expect(headers.get("www-authenticate")).toBe("Bearer")
      expect(body).toEqual({ _tag: "ClerkUnauthenticated", reason: "missing", message: "Sign in: the request carries no session token" })
      expectCleanRefusal(body, "ClerkUnauthenticated")
    }
    expect(await requests()).toEqual([])
  })

  it("a forged, malformed or template token is ClerkAuth's 401 with the reason", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const real = await mintToken(sessionIds[0])
    const [header, payload] = real.split(".")
    const forged = `${header}.${btoa(JSON.stringify({ ...claimsOf(real), sub: "user_someone_else" })).replace(/=+$/, "")}.${real.split(".")[2]}`
    const template = await mintToken(sessionIds[0], "demo_template")
    const cases: ReadonlyArray<[string, string]> = [
      [forged, "invalid-signature"],
      ["not.a.jwt", "malformed"],
      [`${header}.${payload}`, "malformed"],
      [template, "malformed"]
    ]
    for (const [token, reason] of cases) {
      const { status, headers, body } = await json(await get(`/users/${userId}/sessions`, { authorization: `Bearer ${token}` }))
      expect(status).toBe(401)
      expect(headers.get("www-authenticate")).toBe(`Bearer error="invalid_token"`)
      expect(body).toEqual({ _tag: "ClerkUnauthenticated", reason, message: "The session token is not valid: sign in again" })
      expectCleanRefusal(body, "ClerkUnauthenticated")
    }
    // The same from the __session cookie.
    const cookie = await json(await get(`/users/${userId}/sessions`, { cookie: `__session=${forged}` }))
    expect([cookie.status, cookie.body.reason, cookie.headers.get("www-authenticate")]).toEqual([401, "invalid-signature", `Bearer error="invalid_token"`])
    expect(await clerkCalls()).toEqual([])
  })

  it("another user's sessions are a 403: not listed, not shown, not revoked, no token minted", async () => {
    const alice = await seedUser(1)
    const bob = await seedUser(1)
    const asAlice = await bearer(alice.sessionIds[0])
    const answers = [
      await json(await get(`/users/${bob.userId}/sessions`, asAlice)),
      await json(await get(`/sessions/${bob.sessionIds[0]}`, asAlice)),
      await json(await post(`/sessions/${bob.sessionIds[0]}/revoke`, asAlice)),
      await json(await post(`/sessions/${bob.sessionIds[0]}/tokens/demo_template`, asAlice))
    ]
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [403, "forbidden"],
      [403, "forbidden"],
      [403, "forbidden"],
      [403, "forbidden"]
    ])
    expect(answers[0].body.error.message).toBe("You may only list your own sessions")
    expect(answers[2].body.error.message).toBe("This session belongs to another user")
    // Bob's session is untouched: only reads reached Clerk.
    expect((await clerkCalls()).map((r) => r.route)).toEqual(["getSession", "getSession", "getSession"])
    expect((await json(await get(`/sessions/${bob.sessionIds[0]}`, await bearer(bob.sessionIds[0])))).body.status).toBe("active")
  })

  it("CLERK_AUTHORIZED_PARTIES: a token whose azp is not listed is refused", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const path = `/users/${userId}/sessions`
    const strict = freshHandler({ CLERK_AUTHORIZED_PARTIES: "https://app.example.com" })
    const refused = await json(await strict(request(path, { headers: await bearer(sessionIds[0]) })))
    expect([refused.status, refused.body.reason]).toEqual([401, "wrong-authorized-party"])
    // The emulator's tokens carry azp http://localhost:3000.
    const allowing = freshHandler({ CLERK_AUTHORIZED_PARTIES: "https://app.example.com, http://localhost:3000" })
    expect((await allowing(request(path, { headers: await bearer(sessionIds[0]) }))).status).toBe(200)
  })
})

describe("Clerk failures as HTTP answers", () => {
  it("an unknown session is a 404 carrying Clerk's code", async () => {
    const { sessionIds } = await seedUser(1)
    const { status, body } = await json(await get("/sessions/sess_doesnotexist", await bearer(sessionIds[0])))
    expect(status).toBe(404)
    expect(body.error.code).toBe("resource_not_found")
    expectCleanError(body)
  })

  it("an unknown JWT template is a 404 carrying Clerk's code", async () => {
    const { sessionIds } = await seedUser(1)
    const { status, body } = await json(await post(`/sessions/${sessionIds[0]}/tokens/no_such_template`, await bearer(sessionIds[0])))
    expect(status).toBe(404)
    expect(body.error.code).toBe("resource_not_found")
  })

  it("a 429 with a long Retry-After is a 503 that passes Retry-After on, without waiting", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    await injectFault({ fault: "rateLimited", retryAfter: 120, route: "getSession" })
    const started = Date.now()
    const res = await get(`/sessions/${sessionIds[0]}`, auth)
    // Not the 120 s asked for, nor the 30 s cap: far below both, with room for a busy machine.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(res.status).toBe(503)
    expect(res.headers.get("retry-after")).toBe("120")
    expect(((await res.json()) as any).error.code).toBe("rate_limited")
    expect((await clerkCalls()).map((r) => r.status)).toEqual([429])
  })

  it("a 429 with a short Retry-After is waited out and retried", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    await injectFault({ fault: "rateLimited", retryAfter: 1, route: "getSession" })
    const started = Date.now()
    const res = await json(await get(`/sessions/${sessionIds[0]}`, auth))
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect((await clerkCalls()).map((r) => r.status)).toEqual([429, 200])
  })

  it("Clerk refusing the secret key at the JWKS fetch: no token can be verified, ClerkAuth's 503 (nothing about the key to the caller)", async () => {
    const { sessionIds } = await seedUser(1)
    const handler = freshHandler({ CLERK_SECRET_KEY: "sk_test_not_the_right_one" })
    const { status, body } = await json(await handler(request(`/sessions/${sessionIds[0]}`, { headers: await bearer(sessionIds[0]) })))
    expect(status).toBe(503)
    expect(body).toEqual({ _tag: "ClerkAuthUnavailable", message: "The session could not be verified right now; try again" })
    expectCleanRefusal(body, "ClerkAuthUnavailable")
    expect((await requests()).map((r) => [r.route, r.authorization])).toEqual([["getJwks", "invalid"]])
  })

  it("with CLERK_JWT_KEY tokens verify with no JWKS fetch, and a refused key is still a 502", async () => {
    const { sessionIds } = await seedUser(1)
    const pem = await publicKeyPem()
    const auth = await bearer(sessionIds[0])
    const good = freshHandler({ CLERK_JWT_KEY: pem })
    expect((await good(request(`/sessions/${sessionIds[0]}`, { headers: auth }))).status).toBe(200)
    const wrongKey = freshHandler({ CLERK_JWT_KEY: pem, CLERK_SECRET_KEY: "sk_test_not_the_right_one" })
    const { status, body } = await json(await wrongKey(request(`/sessions/${sessionIds[0]}`, { headers: auth })))
    expect([status, body.error.code]).toEqual([502, "misconfigured_secret_key"])
    expect((await requests()).map((r) => [r.route, r.authorization])).toEqual([
      ["getSession", "valid"],
      ["getSession", "invalid"]
    ])
  })

  it("a missing CLERK_SECRET_KEY is a generic 500 on every request (the log names the variable, the answer does not)", async () => {
    const handler = handlerFor({ CLERK_API_URL: clerkUrl })
    for (let i = 0; i < 2; i++) {
      const { status, body } = await json(await handler(request("/sessions/sess_any")))
      expect([status, body]).toEqual([500, { error: { code: "internal_error", message: "Internal error" } }])
    }
    const page = await handler(request("/", { headers: { accept: "text/html" } }))
    const text = await page.text()
    expect([page.status, page.headers.get("content-type")]).toEqual([500, "text/html; charset=utf-8"])
    expect(text).toContain("Something went wrong")
    expect(text).not.toContain("CLERK_SECRET_KEY")
    expect(await requests()).toEqual([])
  })

  it("Clerk too slow is a 504", async () => {
    const { sessionIds } = await seedUser(1)
    const handler = handlerFor({ CLERK_SECRET_KEY: clerkSecretKey, CLERK_API_URL: clerkUrl, CLERK_TIMEOUT: "150 millis" })
    await injectFault({ fault: "hang", route: "getSession", times: 10 })
    const { status, body } = await json(await handler(request(`/sessions/${sessionIds[0]}`, { headers: await bearer(sessionIds[0]) })))
    expect(status).toBe(504)
    expect(body.error.code).toBe("clerk_timeout")
    expectCleanError(body)
    // The first try and the Worker's two retries.
    expect((await clerkCalls()).map((r) => r.route)).toEqual(["getSession", "getSession", "getSession"])
  })

  it("Clerk unreachable is a 502 (tokens verified with CLERK_JWT_KEY); with no key to verify with, ClerkAuth's 503", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    const withPem = freshHandler({ CLERK_API_URL: "http://127.0.0.1:9", CLERK_JWT_KEY: await publicKeyPem() })
    const { status, body } = await json(await withPem(request(`/sessions/${sessionIds[0]}`, { headers: auth })))
    expect(status).toBe(502)
    expect(body.error.code).toBe("clerk_unreachable")
    expectCleanError(body)
    const withJwks = freshHandler({ CLERK_API_URL: "http://127.0.0.1:9" })
    const unverified = await json(await withJwks(request(`/sessions/${sessionIds[0]}`, { headers: auth })))
    expect([unverified.status, unverified.body._tag]).toEqual([503, "ClerkAuthUnavailable"])
  })

  it("a Clerk 500 is a 502, and an HTML error page from a proxy too", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    await injectFault({ fault: "status", status: 500, route: "getSession" })
    const first = await json(await get(`/sessions/${sessionIds[0]}`, auth))
    expect([first.status, first.body.error.code]).toEqual([502, "clerk_error"])
    await injectFault({ fault: "html", status: 502, route: "getSession", times: 3 })
    const second = await json(await get(`/sessions/${sessionIds[0]}`, auth))
    expect([second.status, second.body.error.code]).toEqual([502, "clerk_error"])
  })

  it("a body that is not what Clerk documents is a 502", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    await injectFault({ fault: "wrongShape", route: "getSession" })
    const { status, body } = await json(await get(`/sessions/${sessionIds[0]}`, auth))
    expect([status, body.error.code]).toEqual([502, "clerk_bad_response"])
    expectCleanError(body)
  })
})

describe("bad requests are 400s with a clear message, never a 500", () => {
  // {user} is the caller's own user id.
  const cases: ReadonlyArray<[string, string, string, RegExp]> = [
    ["GET", "/sessions/%20sess_1", "invalid_input", /sessionId must not have leading or trailing whitespace/],
    ["GET", `/sessions/${"s".repeat(513)}`, "invalid_input", /sessionId must be at most 512 characters/],
    ["GET", "/sessions/a%00b", "invalid_input", /sessionId must not contain control characters/],
    ["POST", "/sessions/a%00b/revoke", "invalid_input", /sessionId must not contain control characters/],
    ["GET", "/sessions/%ED%A0%80", "invalid_parameter", /^id is not valid percent-encoded UTF-8$/],
    ["GET", "/sessions/%ZZ", "invalid_parameter", /^id is not valid percent-encoded UTF-8$/],
    ["POST", "/sessions/sess_1/tokens/%E0%A4%A", "invalid_parameter", /^template is not valid percent-encoded UTF-8$/],
    ["GET", "/users//sessions", "missing_parameter", /^userId is required$/],
    ["POST", "/sessions//revoke", "missing_parameter", /^id is required$/],
    ["POST", "/sessions/sess_1/tokens/", "missing_parameter", /^template is required$/],
    ["POST", "/sessions/sess_1/tokens", "missing_parameter", /^template is required$/],
    ["GET", "/users/{user}/sessions?limit=abc", "invalid_query", /^limit must be an integer$/],
    ["GET", "/users/{user}/sessions?limit=1&limit=2", "invalid_query", /^limit must be given once$/],
    ["GET", "/users/{user}/sessions?limit=0", "invalid_input", /limit must be in 1\.\.500, got 0/],
    ["GET", "/users/{user}/sessions?limit=501", "invalid_input", /limit must be in 1\.\.500, got 501/],
    ["GET", "/users/{user}/sessions?offset=-1", "invalid_input", /offset must be in 0\.\./],
    ["GET", "/users/{user}/sessions?status=sleeping", "invalid_input", /status must be one of abandoned, active/],
    ["POST", "/sessions/sess_1/revoke%0A", "route_not_found", /^No route for POST \/sessions\/sess_1\/revoke%0A$/]
  ]
  for (const [method, template, code, message] of cases) {
    const shown = template.length > 60 ? `${template.slice(0, 20)}... (${template.length} chars)` : template
    it(`${method} ${shown} -> ${code}`, async () => {
      const { userId, sessionIds } = await seedUser(1)
      const path = template.replace("{user}", userId)
      const { status, body } = await json(await call(path, { method, headers: await bearer(sessionIds[0]) }))
      expect(status).toBe(code === "route_not_found" ? 404 : 400)
      expect(body.error.code).toBe(code)
      expect(body.error.message).toMatch(message)
      expectCleanError(body)
      // Nothing malformed ever reaches Clerk.
      expect(await clerkCalls()).toEqual([])
    })
  }

  it("a path that resolves elsewhere (/sessions/.., /sessions/%2E%2E) is the answer of where it lands", async () => {
    for (const path of ["/sessions/..", "/sessions/%2E%2E"]) {
      // `/` is the active devices page: without a session, sign in first.
      const { status, body } = await json(await get(path))
      expect(status).toBe(401)
      expect(body.error).toMatchObject({ code: "sign_in_required", signIn: "/sign-in?reason=missing" })
    }
  })

  it("an unknown path is a 404 and a wrong method a 405 with Allow", async () => {
    const unknown = await json(await get("/nope"))
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "route_not_found"])
    const wrong = await get("/sessions/sess_1/revoke")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
  })
})

describe("the Active devices page's sign-in and POST rules (the page itself: test/browser)", () => {
  it("over https, sign-in sets __session HttpOnly, SameSite=Lax and Secure, for a session it created in Clerk", async () => {
    const { userId } = await seedUser(1)
    const handler = freshHandler({ DEMO_USERS: JSON.stringify([{ id: userId, name: "Ada" }]) })
    const res = await handler(request("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: `user_id=${userId}`,
      redirect: "manual"
    }))
    expect([res.status, res.headers.get("location")]).toEqual([303, "/"])
    const cookie = res.headers.get("set-cookie")!
    expect(cookie).toMatch(/^__session=eyJ[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/)
    const claims = claimsOf(cookie.slice("__session=".length).split(";")[0]!)
    expect(claims.sub).toBe(userId)
    expect(claims.exp as number - (claims.iat as number)).toBe(3600)
    expect((await clerkCalls()).map((r) => [r.route, r.status])).toEqual([["createSession", 200], ["createSessionToken", 200]])
  })

  it("offers sign-in only to DEMO_USERS, and not at all without them", async () => {
    const { userId } = await seedUser(1)
    const form = (user: string) => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: `user_id=${user}`
    })
    const demo = freshHandler({ DEMO_USERS: JSON.stringify([{ id: userId, name: "Ada" }]) })
    expect((await demo(request("/sign-in", form("user_someone_else")))).status).toBe(400)
    const production = await get("/sign-in")
    expect(await production.text()).toContain("This Worker has no demo sign-in")
    expect((await call("/sign-in", form(userId))).status).toBe(404)
    expect(await clerkCalls()).toEqual([])
    // A malformed DEMO_USERS is a misconfiguration: logged, and a generic 500 to the visitor.
    const broken = await freshHandler({ DEMO_USERS: "[{\"id\":\"\"}]" })(request("/sign-in"))
    const text = await broken.text()
    expect([broken.status, JSON.parse(text)]).toEqual([500, { error: { code: "internal_error", message: "Internal error" } }])
    expect(text).not.toContain("DEMO_USERS")
  })

  it("demo sign-in only against a loopback CLERK_API_URL (the emulator) or with DEMO_INSECURE=1", async () => {
    const { userId } = await seedUser(1)
    const users = JSON.stringify([{ id: userId, name: "Ada" }])
    const signInPage = async (env: Record<string, string>) => (await (await freshHandler(env)(request("/sign-in", { headers: { accept: "text/html" } }))).text())
    // A staging deploy: a real Clerk URL with DEMO_USERS left in.
    expect(await signInPage({ DEMO_USERS: users, CLERK_API_URL: "https://api.clerk.com" })).toContain("This Worker has no demo sign-in")
    expect(await signInPage({ DEMO_USERS: users, CLERK_API_URL: "https://api.clerk.com", DEMO_INSECURE: "1" })).toContain(`value="${userId}"`)
    expect(await signInPage({ DEMO_USERS: users })).toContain(`value="${userId}"`)
  })

  it("a form body over 16 KiB is refused with 413 (by Content-Length, and while streaming), before Clerk is asked", async () => {
    const { userId } = await seedUser(1)
    const handler = freshHandler({ DEMO_USERS: JSON.stringify([{ id: userId, name: "Ada" }]) })
    const big = `user_id=${userId}&pad=${"x".repeat(20 * 1024)}`
    const declared = await handler(request("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: big
    }))
    expect(declared.status).toBe(413)
    // No Content-Length: a stream that keeps going.
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 1024 * 1024) return controller.close()
        sent += 4096
        controller.enqueue(new TextEncoder().encode("x".repeat(4096)))
      }
    })
    const streamed = await handler(new Request("https://worker.test/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: stream,
      duplex: "half"
    } as RequestInit))
    expect(streamed.status).toBe(413)
    expect(sent).toBeLessThan(64 * 1024)
    expect(await clerkCalls()).toEqual([])
  })

  it("every answer is no-store and nosniff with no Referer; pages carry a CSP allowing only their own style and script", async () => {
    const { sessionIds } = await seedUser(1)
    const auth = await bearer(sessionIds[0])
    const api = await get(`/sessions/${sessionIds[0]}`, auth)
    const page = await call("/", { headers: { ...auth, accept: "text/html" } })
    const missing = await get("/nowhere")
    for (const res of [api, page, missing]) {
      expect([res.headers.get("cache-control"), res.headers.get("x-content-type-options"), res.headers.get("referrer-policy")]).toEqual([
        "no-store",
        "nosniff",
        "no-referrer"
      ])
    }
    expect(api.headers.get("content-security-policy")).toBeNull()
    const csp = page.headers.get("content-security-policy")!
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; script-src 'sha256-[A-Za-z0-9+/]{43}='; /)
    expect(csp).toContain("form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    // The hashes are those of the page's own inline style and script.
    const html = await page.text()
    const digest = async (text: string) =>
      btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))))
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
    expect(csp).toContain(`style-src 'sha256-${await digest(style)}'`)
    expect(html).not.toMatch(/ style="/)
  })

  it("refuses a POST another site sent (Origin or Sec-Fetch-Site), before anything reaches Clerk", async () => {
    const { sessionIds } = await seedUser(2)
    const auth = await bearer(sessionIds[0])
    for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "same-site" }, { "sec-fetch-site": "cross-site" }]) {
      const { status, body } = await json(await post(`/sessions/${sessionIds[1]}/revoke`, { ...auth, ...headers }))
      expect([status, body.error.code]).toEqual([403, "cross_origin_request"])
    }
    expect(await clerkCalls()).toEqual([])
    // Its own origin, a typed URL, or no browser at all (curl): allowed.
    for (const headers of [{ origin: "https://worker.test" }, { "sec-fetch-site": "same-origin" }, {}]) {
      expect((await post(`/sessions/${sessionIds[1]}/revoke`, { ...auth, ...headers })).status).toBe(200)
    }
  })
})

describe("one runtime per isolate", () => {
  it("serves many requests from the runtime built for the first", async () => {
    const { userId, sessionIds } = await seedUser(2)
    const auth = await bearer(sessionIds[0])
    await get(`/sessions/${sessionIds[0]}`, auth)
    const before = runtimesBuilt
    const answers = await Promise.all([
      get(`/users/${userId}/sessions`, auth),
      get(`/sessions/${sessionIds[0]}`, auth),
      get(`/sessions/${sessionIds[1]}`, auth),
      post(`/sessions/${sessionIds[1]}/revoke`, auth),
      get("/sessions/sess_missing", auth)
    ])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 404])
    expect(runtimesBuilt).toBe(before)
  })

  it("builds one runtime per configuration, whatever env object each request brings, and fetches the JWKS once", async () => {
    const { sessionIds } = await seedUser(1)
    const env = () => ({ CLERK_API_URL: clerkUrl, CLERK_SECRET_KEY: clerkSecretKey, CLERK_TIMEOUT: "3999 millis" })
    const before = runtimesBuilt
    expect(handlerFor(env())).toBe(handlerFor(env()))
    for (let i = 0; i < 4; i++) {
      const auth = await bearer(sessionIds[0])
      expect((await handlerFor(env())(request(`/sessions/${sessionIds[0]}`, { headers: auth }))).status).toBe(200)
    }
    expect(runtimesBuilt).toBe(before + 1)
    expect((await requests()).map((r) => r.route)).toEqual(["getJwks", "getSession", "getSession", "getSession", "getSession"])
    // Another configuration is another runtime.
    handlerFor({ ...env(), CLERK_TIMEOUT: "3998 millis" })
    expect(runtimesBuilt).toBe(before + 2)
  })
})
