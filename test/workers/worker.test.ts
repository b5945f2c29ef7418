/**
 * The example Worker inside workerd (`SELF` is `wrangler.toml`'s main module), against the
 * Clerk emulator served from Node: every route, every Clerk failure's HTTP answer, input
 * that must be a 400, and one runtime per isolate.
 */
import { SELF } from "cloudflare:test"
import { beforeEach, describe, expect, it } from "vitest"
import { handlerFor, runtimesBuilt } from "../../examples/worker/runtime.js"
import { claimsOf, clerkUrl, injectFault, requests, reset, seedUser } from "./support.js"

const call = (path: string, init?: RequestInit) => SELF.fetch(`https://worker.test${path}`, init)
const post = (path: string) => call(path, { method: "POST" })
const json = async (res: Response) => ({ status: res.status, body: await res.json() as any })

/** No answer from this API may leak a stack trace or an internal detail. */
const expectCleanError = (body: any) => {
  expect(Object.keys(body)).toEqual(["error"])
  expect(typeof body.error.code).toBe("string")
  expect(body.error.message).not.toMatch(/\n\s+at |\.ts:\d+|sk_test_/)
}

beforeEach(() => reset())

describe("routes", () => {
  it("GET /users/:userId/sessions lists the user's sessions, newest first, with ISO timestamps", async () => {
    const { userId, sessionIds } = await seedUser(3, ["active", "ended", "active"])
    const { status, body } = await json(await call(`/users/${userId}/sessions`))
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
    const active = await json(await call(`/users/${userId}/sessions?status=active&limit=2&offset=1`))
    expect(active.status).toBe(200)
    expect(active.body.totalCount).toBe(3)
    expect(active.body.data.map((s: any) => s.id)).toEqual([sessionIds[2], sessionIds[0]])
    const sent = (await requests()).filter((r) => r.route === "getSessionList")
    expect(sent).toHaveLength(1)
  })

  it("GET /sessions/:id returns the session", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const { status, body } = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(status).toBe(200)
    expect(body).toMatchObject({ id: sessionIds[0], userId, status: "active" })
    expect(Date.parse(body.expireAt)).toBeGreaterThan(Date.now())
  })

  it("POST /sessions/:id/revoke revokes it, and Clerk's state shows it", async () => {
    const { sessionIds } = await seedUser(1)
    const revoked = await json(await post(`/sessions/${sessionIds[0]}/revoke`))
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ id: sessionIds[0], status: "revoked" })
    const after = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(after.body.status).toBe("revoked")
  })

  it("POST /sessions/:id/tokens/:template mints a JWT from the template for that session", async () => {
    const { userId, sessionIds } = await seedUser(1)
    const { status, body } = await json(await post(`/sessions/${sessionIds[0]}/tokens/demo_template`))
    expect(status).toBe(200)
    expect(body.object).toBe("token")
    expect(body.jwt.split(".")).toHaveLength(3)
    expect(claimsOf(body.jwt)).toMatchObject({ sub: userId, app: "effect-clerk-example" })
  })

  it("sends Clerk the configured secret key on every call", async () => {
    const { sessionIds } = await seedUser(1)
    await call(`/sessions/${sessionIds[0]}`)
    const log = await requests()
    expect(log.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ["GET", `/v1/sessions/${sessionIds[0]}`, "valid"]
    ])
  })
})

describe("Clerk failures as HTTP answers", () => {
  it("an unknown session is a 404 carrying Clerk's code", async () => {
    const { status, body } = await json(await call("/sessions/sess_doesnotexist"))
    expect(status).toBe(404)
    expect(body.error.code).toBe("resource_not_found")
    expectCleanError(body)
  })

  it("an unknown JWT template is a 404 carrying Clerk's code", async () => {
    const { sessionIds } = await seedUser(1)
    const { status, body } = await json(await post(`/sessions/${sessionIds[0]}/tokens/no_such_template`))
    expect(status).toBe(404)
    expect(body.error.code).toBe("resource_not_found")
  })

  it("a 429 with a long Retry-After is a 503 that passes Retry-After on, without waiting", async () => {
    const { sessionIds } = await seedUser(1)
    await injectFault({ fault: "rateLimited", retryAfter: 120, route: "getSession" })
    const started = Date.now()
    const res = await call(`/sessions/${sessionIds[0]}`)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(res.status).toBe(503)
    expect(res.headers.get("retry-after")).toBe("120")
    const body = await res.json() as any
    expect(body.error.code).toBe("rate_limited")
    expect((await requests()).filter((r) => r.route === "getSession")).toHaveLength(1)
  })

  it("a 429 with a short Retry-After is waited out and retried", async () => {
    const { sessionIds } = await seedUser(1)
    await injectFault({ fault: "rateLimited", retryAfter: 1, route: "getSession" })
    const started = Date.now()
    const res = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect((await requests()).map((r) => r.status)).toEqual([429, 200])
  })

  it("Clerk refusing the secret key is a 502 'misconfigured secret key'", async () => {
    const handler = handlerFor({ CLERK_SECRET_KEY: "sk_test_not_the_right_one", CLERK_API_URL: clerkUrl })
    const { status, body } = await json(await handler(new Request("https://worker.test/sessions/sess_any")))
    expect(status).toBe(502)
    expect(body.error.code).toBe("misconfigured_secret_key")
    expect(body.error.message).toContain("misconfigured secret key")
    expectCleanError(body)
    expect((await requests()).map((r) => r.authorization)).toEqual(["invalid"])
  })

  it("a missing CLERK_SECRET_KEY is a 500 naming the variable, on every request", async () => {
    const handler = handlerFor({ CLERK_API_URL: clerkUrl })
    for (let i = 0; i < 2; i++) {
      const { status, body } = await json(await handler(new Request("https://worker.test/sessions/sess_any")))
      expect(status).toBe(500)
      expect(body.error.code).toBe("worker_misconfigured")
      expect(body.error.message).toContain("CLERK_SECRET_KEY")
      expectCleanError(body)
    }
    expect(await requests()).toEqual([])
  })

  it("Clerk too slow is a 504", async () => {
    const handler = handlerFor({ CLERK_SECRET_KEY: "sk_test_workerd_suite", CLERK_API_URL: clerkUrl, CLERK_TIMEOUT: "150 millis" })
    const { sessionIds } = await seedUser(1)
    await injectFault({ fault: "hang", route: "getSession", times: 10 })
    const { status, body } = await json(await handler(new Request(`https://worker.test/sessions/${sessionIds[0]}`)))
    expect(status).toBe(504)
    expect(body.error.code).toBe("clerk_timeout")
    expectCleanError(body)
    // The first try and the Worker's two retries.
    expect((await requests()).filter((r) => r.route === "getSession")).toHaveLength(3)
  })

  it("Clerk unreachable is a 502", async () => {
    const handler = handlerFor({ CLERK_SECRET_KEY: "sk_test_workerd_suite", CLERK_API_URL: "http://127.0.0.1:9" })
    const { status, body } = await json(await handler(new Request("https://worker.test/sessions/sess_any")))
    expect(status).toBe(502)
    expect(body.error.code).toBe("clerk_unreachable")
    expectCleanError(body)
  })

  it("a Clerk 500 is a 502, and an HTML error page from a proxy too", async () => {
    const { sessionIds } = await seedUser(1)
    await injectFault({ fault: "status", status: 500, route: "getSession" })
    const first = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(first.status).toBe(502)
    expect(first.body.error.code).toBe("clerk_error")
    await injectFault({ fault: "html", status: 502, route: "getSession", times: 3 })
    const second = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(second.status).toBe(502)
    expect(second.body.error.code).toBe("clerk_error")
  })

  it("a body that is not what Clerk documents is a 502", async () => {
    const { sessionIds } = await seedUser(1)
    await injectFault({ fault: "wrongShape", route: "getSession" })
    const { status, body } = await json(await call(`/sessions/${sessionIds[0]}`))
    expect(status).toBe(502)
    expect(body.error.code).toBe("clerk_bad_response")
    expectCleanError(body)
  })
})

describe("bad requests are 400s with a clear message, never a 500", () => {
  const cases: ReadonlyArray<[string, string, string, RegExp]> = [
    ["GET", "/sessions/%20sess_1", "invalid_input", /sessionId must not have leading or trailing whitespace/],
    ["GET", `/sessions/${"s".repeat(513)}`, "invalid_input", /sessionId must be at most 512 characters/],
    ["GET", "/sessions/%ED%A0%80", "invalid_parameter", /^id is not valid percent-encoded UTF-8$/],
    ["GET", "/sessions/%ZZ", "invalid_parameter", /^id is not valid percent-encoded UTF-8$/],
    ["POST", "/sessions/sess_1/tokens/%E0%A4%A", "invalid_parameter", /^template is not valid percent-encoded UTF-8$/],
    ["GET", "/sessions/a%00b", "invalid_input", /sessionId must not contain control characters/],
    ["POST", "/sessions/sess_1/revoke%0A", "route_not_found", /No route/],
    ["GET", "/users//sessions", "missing_parameter", /^userId is required$/],
    ["POST", "/sessions//revoke", "missing_parameter", /^id is required$/],
    ["POST", "/sessions/sess_1/tokens/", "missing_parameter", /^template is required$/],
    ["POST", "/sessions/sess_1/tokens", "missing_parameter", /^template is required$/],
    ["GET", "/users/user_1/sessions?limit=abc", "invalid_query", /^limit must be an integer$/],
    ["GET", "/users/user_1/sessions?limit=1&limit=2", "invalid_query", /^limit must be given once$/],
    ["GET", "/users/user_1/sessions?limit=0", "invalid_input", /limit must be in 1\.\.500, got 0/],
    ["GET", "/users/user_1/sessions?limit=501", "invalid_input", /limit must be in 1\.\.500, got 501/],
    ["GET", "/users/user_1/sessions?offset=-1", "invalid_input", /offset must be in 0\.\./],
    ["GET", "/users/user_1/sessions?status=sleeping", "invalid_input", /status must be one of abandoned, active/]
  ]
  for (const [method, path, code, message] of cases) {
    it(`${method} ${path.length > 60 ? `${path.slice(0, 20)}... (${path.length} chars)` : path} -> ${code}`, async () => {
      const { status, body } = await json(await call(path, { method }))
      expect(status).toBe(code === "route_not_found" ? 404 : 400)
      expect(body.error.code).toBe(code)
      expect(body.error.message).toMatch(message)
      expectCleanError(body)
      // Nothing malformed ever reaches Clerk.
      expect(await requests()).toEqual([])
    })
  }

  it("a path that resolves elsewhere (/sessions/.., /sessions/%2E%2E) is the 404 of where it lands", async () => {
    for (const path of ["/sessions/..", "/sessions/%2E%2E"]) {
      const { status, body } = await json(await call(path))
      expect(status).toBe(404)
      expect(body.error.message).toBe("No route for GET /")
    }
  })

  it("an unknown path is a 404 and a wrong method a 405 with Allow", async () => {
    const unknown = await json(await call("/nope"))
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe("route_not_found")
    const wrong = await call("/sessions/sess_1/revoke")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
  })
})

describe("one runtime per isolate", () => {
  it("serves many requests from the runtime built for the first", async () => {
    const { userId, sessionIds } = await seedUser(2)
    await call(`/sessions/${sessionIds[0]}`)
    const before = runtimesBuilt
    const answers = await Promise.all([
      call(`/users/${userId}/sessions`),
      call(`/sessions/${sessionIds[0]}`),
      call(`/sessions/${sessionIds[1]}`),
      post(`/sessions/${sessionIds[1]}/revoke`),
      call("/sessions/sess_missing")
    ])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 404])
    expect(runtimesBuilt).toBe(before)
  })

  it("builds one runtime per configuration, whatever env object each request brings", async () => {
    const env = () => ({ CLERK_API_URL: clerkUrl, CLERK_SECRET_KEY: "sk_test_workerd_suite", CLERK_TIMEOUT: "4 seconds" })
    const before = runtimesBuilt
    expect(handlerFor(env())).toBe(handlerFor(env()))
    const { sessionIds } = await seedUser(1)
    for (let i = 0; i < 3; i++) {
      expect((await handlerFor(env())(new Request(`https://worker.test/sessions/${sessionIds[0]}`))).status).toBe(200)
    }
    expect(runtimesBuilt).toBe(before + 1)
    // Another configuration is another runtime.
    handlerFor({ ...env(), CLERK_TIMEOUT: "3 seconds" })
    expect(runtimesBuilt).toBe(before + 2)
  })
})
