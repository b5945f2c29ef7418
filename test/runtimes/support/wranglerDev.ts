/**
 * The example Worker under `wrangler dev` with no compatibility flags (so no Node.js
 * compatibility), against the Clerk emulator served from this process: the checks both
 * release lines share. wrangler-dev.test.ts runs them on wrangler.toml (the Effect 3 line, as
 * `npm start` serves it), effect4-wrangler-dev.test.ts on wrangler.effect4.toml (the same
 * Worker source bundled for effect 4). wrangler runs in its own process group and is stopped
 * by it (it spawns esbuild and workerd).
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClerkEmulator, Fault, type ServedEmulator } from "../../../src/testing/index.js"
import { type RunningWorker, startDemoWorker } from "../../../demo/worker.js"
import { NodeClerkEmulator } from "../../../src/testing/node/index.js"
import { freePort, root } from "./run.js"

export interface WranglerDevSuite {
  /** The wrangler config, relative to the repository root. */
  readonly config: string
  /** What its `main` line must be. */
  readonly main: RegExp
  /** The directory holding that config as `wrangler.toml` and `node_modules/.bin/wrangler` (where `startDemoWorker` runs wrangler). */
  readonly cwd: () => string
}

/** The checks of the example Worker under `wrangler dev`, for one wrangler config. */
export const wranglerDevSuite = ({ config, cwd, main }: WranglerDevSuite) => {
  const SECRET_KEY = "sk_test_wrangler_dev"
  // The Worker's webhook endpoint's signing secret, as the Dashboard would show it (24 random bytes).
  const WEBHOOK_SECRET = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`

  let emulator: ClerkEmulator.Service
  let served: ServedEmulator
  let worker: RunningWorker | undefined
  let base: string
  const sessionIds: Array<string> = []

  beforeAll(async () => {
    emulator = await ClerkEmulator.start({ secretKey: SECRET_KEY })
    await Effect.runPromise(emulator.seedTemplate({ name: "demo_template", claims: { via: "wrangler-dev" } }))
    for (const minutesAgo of [30, 20, 10]) {
      const session = await Effect.runPromise(
        emulator.seedSession({ userId: "user_wrangler", createdAt: Date.now() - minutesAgo * 60_000 })
      )
      sessionIds.push(session.id)
    }
    served = await NodeClerkEmulator.serve(emulator)

    // The same wrangler dev the `npm start` demo runs (its own process group, scratch state).
    worker = startDemoWorker({
      emulatorUrl: served.url,
      secretKey: SECRET_KEY,
      port: await freePort(),
      inspectorPort: await freePort(),
      cwd: cwd(),
      webhookSigningSecret: WEBHOOK_SECRET,
      // The Effect 4 line's first start also bundles the Worker (its [build] command).
      timeoutMs: 150_000
    })
    base = worker.url
    await worker.ready.catch((error) => {
      throw new Error(`${error.message}:\n${worker?.output()}`)
    })
  }, 180_000)

  afterAll(async () => {
    await worker?.stop()
    await served?.stop()
  })

  /** Call the Worker as user_wrangler, with a fresh session token for one of their sessions. */
  const call = async (method: string, path: string, token: string | null = "mint") => {
    const jwt = token === "mint" ? await Effect.runPromise(emulator.mintToken(sessionIds[0])) : token
    const headers: Record<string, string> = jwt === null ? {} : { authorization: `Bearer ${jwt}` }
    const res = await fetch(`${base}${path}`, { method, headers })
    return { status: res.status, headers: res.headers, body: await res.json() as any }
  }

  describe(`wrangler dev, no compatibility flags (${config})`, () => {
    it(`${config} sets no compatibility flags and a date both workerd builds accept`, () => {
      const toml = readFileSync(join(root, config), "utf8")
      expect(toml).not.toMatch(/^\s*compatibility_flags/m)
      expect(toml).toMatch(main)
      const date = /^compatibility_date = "(\d{4}-\d{2}-\d{2})"$/m.exec(toml)?.[1]
      expect(date! <= "2026-03-10").toBe(true)
      expect(worker!.output()).not.toMatch(/nodejs_compat/)
    })

    it("GET /users/:userId/sessions", async () => {
      const { status, body } = await call("GET", "/users/user_wrangler/sessions")
      expect(status).toBe(200)
      expect(body.totalCount).toBe(3)
      expect(body.data.map((s: any) => s.id)).toEqual([...sessionIds].reverse())
    })

    it("GET /sessions/:id", async () => {
      const { status, body } = await call("GET", `/sessions/${sessionIds[0]}`)
      expect(status).toBe(200)
      expect(body).toMatchObject({ id: sessionIds[0], userId: "user_wrangler", status: "active" })
    })

    it("GET /me: the caller's verified claims, with no call to Clerk", async () => {
      const before = (await Effect.runPromise(emulator.requests)).length
      const { status, body } = await call("GET", "/me")
      expect(status).toBe(200)
      expect(body).toMatchObject({ userId: "user_wrangler", sessionId: sessionIds[0], issuer: emulator.issuer })
      expect(Date.parse(body.expiresAt) - Date.parse(body.issuedAt)).toBe(60_000)
      expect((await Effect.runPromise(emulator.requests)).length).toBe(before)
    })

    it("POST /sessions/:id/tokens/:template", async () => {
      const { status, body } = await call("POST", `/sessions/${sessionIds[1]}/tokens/demo_template`)
      expect(status).toBe(200)
      const payload = JSON.parse(Buffer.from(body.jwt.split(".")[1], "base64url").toString())
      expect(payload).toMatchObject({ sub: "user_wrangler", via: "wrangler-dev" })
    })

    it("POST /sessions/:id/revoke", async () => {
      const { status, body } = await call("POST", `/sessions/${sessionIds[2]}/revoke`)
      expect(status).toBe(200)
      expect(body.status).toBe("revoked")
      expect((await Effect.runPromise(emulator.getSession(sessionIds[2])))?.status).toBe("revoked")
    })

    it("requires a session token (ClerkAuth), verified by jose on workerd without Node compatibility", async () => {
      const anonymous = await call("GET", "/users/user_wrangler/sessions", null)
      expect([anonymous.status, anonymous.body]).toEqual([
        401,
        { _tag: "ClerkUnauthenticated", reason: "missing", message: "Sign in: the request carries no session token" }
      ])
      const forged = await call("GET", "/users/user_wrangler/sessions", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
      // Its header names no kid: no key of the instance's JWKS signed it.
      expect([forged.status, forged.body._tag, forged.body.reason]).toEqual([401, "ClerkUnauthenticated", "unknown-key"])
      const other = await call("GET", "/users/user_someone_else/sessions")
      expect([other.status, other.body.error.code]).toEqual([403, "forbidden"])
    })

    it("Clerk's webhooks over the socket: the Worker revokes a session at Clerk, Clerk tells it so, and the session's unexpired token is refused", async () => {
      const endpoint = await Effect.runPromise(emulator.registerWebhook(`${base}/webhooks/clerk`, { secret: WEBHOOK_SECRET }))
      const session = await Effect.runPromise(emulator.seedSession({ userId: "user_wrangler" }))
      const token = await Effect.runPromise(emulator.mintToken(session.id))
      expect((await call("GET", "/me", token)).status).toBe(200)

      const revoked = await call("POST", `/sessions/${session.id}/revoke`, token)
      expect([revoked.status, revoked.body.status, revoked.body.error]).toEqual([200, "revoked", undefined])
      await Effect.runPromise(emulator.webhooksSettled)
      const deliveries = await Effect.runPromise(emulator.webhookDeliveries)
      expect(deliveries.map((d) => [d.endpointId, d.eventType, d.attempt, d.status])).toEqual([[endpoint.id, "session.revoked", 1, 204]])

      const refused = await call("GET", "/me", token)
      expect([refused.status, refused.body.error.code]).toEqual([401, "session_ended"])
      expect(worker!.output()).not.toContain(WEBHOOK_SECRET)
    })

    it("maps Clerk failures and bad input to HTTP answers", async () => {
      const missing = await call("GET", "/sessions/sess_nope")
      expect([missing.status, missing.body.error.code]).toEqual([404, "resource_not_found"])

      await Effect.runPromise(emulator.injectFault(Fault.rateLimited({ retryAfter: 90 }), { route: "getSession" }))
      const limited = await call("GET", `/sessions/${sessionIds[0]}`)
      expect([limited.status, limited.headers.get("retry-after"), limited.body.error.code]).toEqual([503, "90", "rate_limited"])

      const bad = await call("GET", "/users/user_wrangler/sessions?limit=0")
      expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_input"])
      const blank = await call("POST", "/sessions//revoke")
      expect([blank.status, blank.body.error.message]).toEqual([400, "id is required"])
    })

    it("sent Clerk one authenticated request per call (and the JWKS once), and the secret never showed in wrangler's output", async () => {
      const log = await Effect.runPromise(emulator.requests)
      expect(log.every((r) => r.authorization === "valid")).toBe(true)
      expect(log.map((r) => r.route)).toEqual([
        "getJwks",
        "getSessionList",
        "getSession",
        "getSession",
        "createSessionTokenFromTemplate",
        "getSession",
        "revokeSession",
        // the webhook test's revoke
        "getSession",
        "revokeSession",
        "getSession",
        "getSession"
      ])
      expect(worker!.output()).not.toContain(SECRET_KEY)
    })

    it("stops with its whole process group", async () => {
      const pid = worker!.pid!
      await worker!.stop()
      // esbuild and workerd go with it (once reaped: allow a moment).
      const groupAlive = () => {
        try {
          process.kill(-pid, 0)
          return true
        } catch {
          return false
        }
      }
      const deadline = Date.now() + 30_000
      while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      expect(groupAlive()).toBe(false)
    })
  })
}
