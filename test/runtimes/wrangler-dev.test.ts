/**
 * The example Worker under `wrangler dev`, exactly as wrangler.toml wires it: no
 * compatibility flags (so no Node.js compatibility), against the Clerk emulator served from
 * this process. Started in its own process group and stopped by it (wrangler spawns esbuild
 * and workerd).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ClerkEmulator, Fault } from "../../src/testing/index.js"
import { type RunningWorker, startDemoWorker } from "../../src/testing/node/bin/demoWorker.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"
import type { ServedEmulator } from "../../src/testing/index.js"
import { build } from "esbuild"
import { root, run } from "./support/run.js"

const SECRET_KEY = "sk_test_wrangler_dev"

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

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
    cwd: root
  })
  base = worker.url
  await worker.ready.catch((error) => {
    throw new Error(`${error.message}:\n${worker?.output()}`)
  })
}, 120_000)

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

describe("wrangler dev, no compatibility flags", () => {
  it("wrangler.toml sets no compatibility flags and a date both workerd builds accept", () => {
    const toml = readFileSync(join(root, "wrangler.toml"), "utf8")
    expect(toml).not.toMatch(/^\s*compatibility_flags/m)
    expect(toml).toMatch(/^main = "examples\/worker\/index\.ts"$/m)
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

  it("requires a session token, verified by jose on workerd without Node compatibility", async () => {
    const anonymous = await call("GET", "/users/user_wrangler/sessions", null)
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, "unauthenticated"])
    const forged = await call("GET", "/users/user_wrangler/sessions", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    expect([forged.status, forged.body.error.code]).toEqual([401, "invalid_token"])
    const other = await call("GET", "/users/user_someone_else/sessions")
    expect([other.status, other.body.error.code]).toEqual([403, "forbidden"])
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

describe("npm start: the demo's example Worker under wrangler dev", () => {
  it("prints Worker commands that work as printed, and Ctrl-C stops wrangler too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "effect-clerk-demo-"))
    await build({
      entryPoints: [join(root, "src/testing/node/bin/demo.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: join(dir, "demo.mjs"),
      logLevel: "error"
    })
    const port = await freePort()
    const demo = spawn(process.execPath, [join(dir, "demo.mjs")], {
      cwd: root,
      env: { ...process.env, EMULATOR_PORT: "0", PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    demo.stdout!.on("data", (chunk) => (out += chunk))
    demo.stderr!.on("data", (chunk) => (out += chunk))
    const exited = new Promise<number | null>((resolve) => demo.on("exit", (code) => resolve(code)))
    try {
      const deadline = Date.now() + 90_000
      while (!out.includes("Ctrl-C stops the demo (emulator and Worker).")) {
        if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`no Worker block:\n${out}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      expect(out).toContain(`  Worker    http://127.0.0.1:${port}   (wrangler dev, no compatibility flags`)
      // The W1..W6 commands, run in one shell as a user would paste them.
      const commands = [...out.matchAll(/^# W\d\. .*\n((?:.+\n)+)/gm)].map((m) => m[1].trim())
      expect(commands).toHaveLength(6)
      const result = await run("bash", ["-c", `set -e\n${commands.join("\n")}`])
      expect(result.code).toBe(0)
      const [list, get1, template, revoke, notFound, forbidden, anonymous] = result.lines
      expect(JSON.parse(list).data.map((s: any) => s.id)).toContain("sess_demo_laptop")
      expect(JSON.parse(get1)).toMatchObject({ id: "sess_demo_laptop", userId: "user_demo", status: "active" })
      expect(JSON.parse(Buffer.from(JSON.parse(template).jwt.split(".")[1], "base64url").toString())).toMatchObject({
        sub: "user_demo",
        greeting: "Hello, Ada!"
      })
      expect(JSON.parse(revoke)).toMatchObject({ id: "sess_demo_tablet", status: "revoked" })
      expect(notFound).toMatch(/"code":"resource_not_found".* HTTP 404$/)
      expect(forbidden).toMatch(/"code":"forbidden".* HTTP 403$/)
      expect(anonymous).toMatch(/"code":"unauthenticated".* HTTP 401$/)
    } finally {
      demo.kill("SIGINT")
      expect(await exited).toBe(0)
      rmSync(dir, { recursive: true, force: true })
    }
    expect(out.trim().split("\n").at(-1)).toBe("Demo stopped.")
    // wrangler (and its workerd) went with it.
    expect(await fetch(`http://127.0.0.1:${port}/`).then(() => "answered", () => "refused")).toBe("refused")
  }, 150_000)
})
