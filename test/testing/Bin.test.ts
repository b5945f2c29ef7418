/**
 * The `effect-clerk-emulator` bin and the `npm start` demo as a user runs them: each bundled
 * with esbuild into a temporary directory, spawned with node, talked to over HTTP (the
 * demo's printed curl commands are run as printed), and stopped with a signal.
 */
import { FetchHttpClient, LINE } from "#test-line/Testing"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { build } from "esbuild"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"
import {
  demoCommands,
  renderCommand,
  renderCommands,
  runCommands,
  startDemoEmulator
} from "../../demo/main.js"
import { buildDemo } from "../../demo/start.mjs"
import { lineConditions, linePlugin } from "../../scripts/lines.mjs"
import { payloadOf } from "./support.js"

const root = new URL("../../", import.meta.url).pathname
/** The bin and the demo are Node programs: run them with Node even when this suite runs on Deno or Bun. */
const nodeBinary = (globalThis as any).Deno !== undefined || process.versions.bun !== undefined ? "node" : process.execPath
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "effect-clerk-bin-"))
  await build({
    entryPoints: { emulator: join(root, "src/testing/node/bin/emulator.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    // This suite's line: its facades and its effect (the bin a user installs is that line's).
    conditions: lineConditions(LINE),
    plugins: [linePlugin(LINE)],
    logLevel: "error"
  })
  // The demo as `npm start` (Effect 3) or `npm run start:effect4` builds it, for this suite's line.
  await buildDemo(LINE, join(dir, "demo.mjs"))
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Running {
  readonly child: ChildProcess
  readonly output: () => string
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or timeout). */
  readonly waitFor: (pattern: RegExp) => Promise<RegExpExecArray>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const start = (script: string, args: ReadonlyArray<string> = [], env: Record<string, string> = {}): Running => {
  const child = spawn(nodeBinary, [join(dir, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  const waiters: Array<() => void> = []
  child.stdout!.on("data", (chunk) => {
    out += chunk
    waiters.forEach((w) => w())
  })
  child.stderr!.on("data", (chunk) => {
    out += chunk
    waiters.forEach((w) => w())
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      resolve({ code, signal })
      waiters.forEach((w) => w())
    })
  )
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`)), 30_000)
      const check = () => {
        const match = pattern.exec(out)
        if (match !== null) {
          clearTimeout(timer)
          resolve(match)
        } else if (child.exitCode !== null) {
          clearTimeout(timer)
          reject(new Error(`exited ${child.exitCode} before ${pattern}:\n${out}`))
        }
      }
      waiters.push(check)
      check()
    })
  return { child, output: () => out, waitFor, exited }
}

/**
 * Send `signal`, wait for the exit, and return whether it shut down cleanly: printed
 * `stoppedLine` and exited 0. (Deno's child_process reports any child it signalled as killed
 * by that signal even when the child exited 0, so there the printed line is the proof.)
 */
const stop = async (running: Running, signal: NodeJS.Signals, stoppedLine: string) => {
  if (running.child.exitCode === null) running.child.kill(signal)
  const timer = setTimeout(() => running.child.kill("SIGKILL"), 10_000)
  const result = await running.exited
  clearTimeout(timer)
  const printed = running.output().trim().split("\n").at(-1) === stoppedLine
  const exitedZero = (globalThis as any).Deno !== undefined ? result.signal === signal : result.code === 0
  return { clean: printed && exitedZero, result, output: running.output() }
}

const get = (url: string, key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` } })

/** A port nobody listens on any more (bound, then released). */
const busyPort = () =>
  new Promise<{ port: number; release: () => Promise<void> }>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        release: () => new Promise((done) => server.close(() => done()))
      })
    })
  })

const sh = (command: string) =>
  new Promise<string>((resolve, reject) =>
    execFile("bash", ["-c", command], { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}\n${stderr}`)) : resolve(stdout)
    )
  )

describe("effect-clerk-emulator (the bin)", () => {
  it("--port 0: listens, answers with the default key, refuses others, and exits 0 on SIGTERM", async () => {
    const bin = start("emulator.mjs", ["--port", "0"])
    try {
      const [, url] = await bin.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) /)
      expect(bin.output()).toContain("development instance, secret key sk_test_emulator")
      // Only the emulator: the demo's entry point is not bundled into the bin.
      expect(bin.output()).not.toContain("effect-clerk demo")
      expect((await (await get(`${url}/v1/sessions`, "sk_test_emulator")).json())).toEqual([])
      const jwks = await get(`${url}/v1/jwks`, "sk_test_emulator")
      expect(jwks.status).toBe(200)
      const body = await jwks.json()
      expect(body.keys).toHaveLength(1)
      expect(body.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.stringMatching(/^ins_/) })
      const refused = await get(`${url}/v1/sessions`, "sk_test_other")
      expect(refused.status).toBe(401)
      expect((await refused.json()).errors[0].code).toBe("clerk_key_invalid")
    } finally {
      expect(await stop(bin, "SIGTERM", "effect-clerk-emulator: stopped")).toMatchObject({ clean: true })
    }
  }, 60_000)

  it("--seed FILE, --secret-key, --instance production, --verify legacy", async () => {
    const seedFile = join(dir, "seed.json")
    writeFileSync(
      seedFile,
      JSON.stringify({
        users: [{ id: "user_seed", firstName: "Seed" }],
        templates: [{ name: "seeded", claims: { hello: "{{user.first_name}}" } }],
        sessions: [{ id: "sess_seed", userId: "user_seed", device: { browserName: "Safari", city: "Rome" } }]
      })
    )
    const bin = start("emulator.mjs", [
      "--port=0",
      "--seed",
      seedFile,
      "--secret-key",
      "sk_live_bin",
      "--instance",
      "production",
      "--verify",
      "legacy"
    ])
    try {
      const [, url] = await bin.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) /)
      expect(bin.output()).toContain("production instance, secret key sk_live_bin")
      const list = await (await get(`${url}/v1/sessions?user_id=user_seed`, "sk_live_bin")).json()
      expect(list.map((s: any) => [s.id, s.latest_activity.city])).toEqual([["sess_seed", "Rome"]])
      const token = await (await fetch(`${url}/v1/sessions/sess_seed/tokens/seeded`, {
        method: "POST",
        headers: { authorization: "Bearer sk_live_bin" }
      })).json()
      expect(payloadOf(token.jwt)).toMatchObject({ hello: "Seed", sub: "user_seed" })
      const sessionToken = await (await fetch(`${url}/v1/sessions/sess_seed/tokens`, {
        method: "POST",
        headers: { authorization: "Bearer sk_live_bin" }
      })).json()
      const verified = await fetch(`${url}/v1/sessions/sess_seed/verify`, {
        method: "POST",
        headers: { "authorization": "Bearer sk_live_bin", "content-type": "application/json" },
        body: JSON.stringify({ token: sessionToken.jwt })
      })
      expect(verified.status).toBe(200)
      const created = await fetch(`${url}/v1/sessions`, {
        method: "POST",
        headers: { "authorization": "Bearer sk_live_bin", "content-type": "application/json" },
        body: JSON.stringify({ user_id: "user_seed" })
      })
      expect(created.status).toBe(400)
    } finally {
      expect(await stop(bin, "SIGINT", "effect-clerk-emulator: stopped")).toMatchObject({ clean: true })
    }
  }, 60_000)

  it("--demo seeds the demo data, prints its ids, and takes npm start's key (sk_test_demo)", async () => {
    const bin = start("emulator.mjs", ["--port", "0", "--demo"])
    try {
      const [, url] = await bin.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) .*secret key sk_test_demo\)/)
      const [, sessions] = await bin.waitFor(/ {2}user user_demo: sessions (\S.*)\n/)
      await bin.waitFor(/ {2}JWT templates: demo_template\n/)
      const page = await (await get(`${url}/v1/sessions?user_id=user_demo&paginated=true`, "sk_test_demo")).json()
      expect(page.total_count).toBe(6)
      // The printed ids are the seeded ones.
      expect(sessions!.split(", ").sort()).toEqual(page.data.map((s: { id: string }) => s.id).sort())
      const token = await fetch(`${url}/v1/sessions/sess_demo_laptop/tokens/demo_template`, {
        method: "POST",
        headers: { authorization: "Bearer sk_test_demo" }
      })
      expect(payloadOf((await token.json()).jwt).name).toBe("Ada Lovelace")
    } finally {
      expect(await stop(bin, "SIGTERM", "effect-clerk-emulator: stopped")).toMatchObject({ clean: true })
    }
  }, 60_000)

  it("--help exits 0; a bad flag exits 2 with the usage; a busy port exits 1 saying so", async () => {
    const help = start("emulator.mjs", ["--help"])
    expect((await help.exited).code).toBe(0)
    expect(help.output()).toContain("Usage: effect-clerk-emulator [options]")
    const bad = start("emulator.mjs", ["--port", "eighty"])
    expect((await bad.exited).code).toBe(2)
    expect(bad.output()).toContain("--port must be an integer in 0..65535, got eighty")
    const unknown = start("emulator.mjs", ["--colour"])
    expect((await unknown.exited).code).toBe(2)
    expect(unknown.output()).toContain("unknown option --colour")
    const taken = await busyPort()
    try {
      const busy = start("emulator.mjs", ["--port", String(taken.port)])
      expect((await busy.exited).code).toBe(1)
      expect(busy.output()).toContain(`port ${taken.port} is in use`)
    } finally {
      await taken.release()
    }
  }, 60_000)
})

describe("npm start (the demo)", () => {
  it("starts, prints the URLs and curl commands, the commands work as printed, and Ctrl-C stops it", async () => {
    // DEMO_WORKER=0: this suite checks the emulator part; the Worker part has its own suite.
    const demo = start("demo.mjs", [], { EMULATOR_PORT: "0", DEMO_WORKER: "0" })
    let url = ""
    try {
      ;[, url] = await demo.waitFor(/Emulator {2}(http:\/\/127\.0\.0\.1:\d+)\/v1 {3}\(secret key sk_test_demo\)/)
      await demo.waitFor(/Ctrl-C stops the demo\./)
      const printed = demo.output()
      expect(printed).toContain(`effect-clerk demo (${LINE === "effect4" ? "Effect 4" : "Effect 3"} line): an offline Clerk Backend API`)
      expect(printed).toContain(`JWKS      ${url}/v1/jwks`)
      // The printed commands are exactly demoCommands(url) rendered, each under its "# n. title" line.
      const commands = demoCommands(url, "sk_test_demo")
      expect(commands).toHaveLength(6)
      expect(printed).toContain(`Try:\n\n${renderCommands(commands).join("\n")}\nCtrl-C stops the demo.`)

      // Their HTTP exchanges, in the printed order (revoke comes after verify, the error last).
      const [[list], [get1], [template], [minted, verify, jwks], [revoke], [error]] = await runCommands(commands)
      expect(list.status).toBe(200)
      const page = JSON.parse(list.body)
      expect(page.total_count).toBe(6)
      expect(page.data.map((s: any) => [s.id, s.status])).toEqual([
        ["sess_demo_tablet", "pending"],
        ["sess_demo_laptop", "active"],
        ["sess_demo_phone", "active"],
        ["sess_demo_work", "ended"],
        ["sess_demo_stolen", "revoked"],
        ["sess_demo_old", "expired"]
      ])
      expect(new Set(page.data.map((s: any) => s.latest_activity.browser_name)).size).toBeGreaterThanOrEqual(4)
      expect(JSON.parse(get1.body)).toMatchObject({ id: "sess_demo_laptop", status: "active", last_active_organization_id: "org_demo" })
      const claims = payloadOf(JSON.parse(template.body).jwt)
      expect(claims).toMatchObject({
        name: "Ada Lovelace",
        email: "ada@example.com",
        plan: "pro",
        org: "analytical-engines",
        role: "org:admin",
        greeting: "Hello, Ada!",
        sub: "user_demo"
      })
      expect(claims.exp - claims.iat).toBe(300)
      // The token was kept ($TOKEN) and sent to …/verify, which is gone, as on Clerk.
      expect(payloadOf(minted.body)).toMatchObject({ sid: "sess_demo_laptop", sub: "user_demo" })
      expect(verify.request.body).toEqual({ token: "$TOKEN" })
      expect(verify.status).toBe(410)
      expect(JSON.parse(verify.body).errors[0]).toMatchObject({
        code: "operation_deprecated",
        message: "endpoint is deprecated and pending removal"
      })
      expect(jwks.status).toBe(200)
      expect(JSON.parse(jwks.body).keys).toHaveLength(1)
      expect([revoke.status, JSON.parse(revoke.body)]).toMatchObject([200, { id: "sess_demo_phone", status: "revoked" }])
      expect(error.status).toBe(404)
      expect(JSON.parse(error.body).errors[0]).toMatchObject({
        code: "resource_not_found",
        long_message: "No session was found with id sess_does_not_exist"
      })

      // The same lines pasted into one shell, in order, print the same answers.
      const shell = (await sh(`set -e\n${commands.map(renderCommand).join("\n")}`)).trim().split("\n")
      expect(shell).toHaveLength(7)
      expect(JSON.parse(shell[0]).data.map((s: any) => s.id)).toContain("sess_demo_laptop")
      expect(JSON.parse(shell[2]).object).toBe("token")
      expect(shell[3]).toMatch(/^\{"errors":\[\{"message":"endpoint is deprecated and pending removal".*"code":"operation_deprecated".* HTTP 410$/)
      expect(JSON.parse(shell[4]).keys).toHaveLength(1)
      expect(JSON.parse(shell[5])).toMatchObject({ id: "sess_demo_phone", status: "revoked" })
      expect(shell[6]).toMatch(/"code":"resource_not_found".* HTTP 404$/)
      // The SDK sees the same thing, typed.
      const sessions = await Effect.runPromise(
        Effect.flatMap(Sessions, (s) => s.getSessionList({ userId: "user_demo", status: "revoked" })).pipe(
          Effect.provide(
            Sessions.layer.pipe(
              Layer.provide(ClerkClient.layer({ secretKey: Redacted.make("sk_test_demo"), apiUrl: url })),
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
      )
      expect(sessions.data.map((s) => s.id)).toEqual(["sess_demo_phone", "sess_demo_stolen"])
    } finally {
      expect(await stop(demo, "SIGINT", "Demo stopped.")).toMatchObject({ clean: true })
    }
    expect(await fetch(`${url}/v1/jwks`).then(() => "answered", () => "refused")).toBe("refused")
  }, 90_000)

  it("a busy EMULATOR_PORT exits 1 and says which variable to set", async () => {
    const taken = await busyPort()
    try {
      const demo = start("demo.mjs", [], { EMULATOR_PORT: String(taken.port), DEMO_WORKER: "0" })
      expect((await demo.exited).code).toBe(1)
      expect(demo.output()).toContain(`Port ${taken.port} is in use; set EMULATOR_PORT to another port.`)
    } finally {
      await taken.release()
    }
  }, 60_000)

  it("startDemoEmulator() returns {url, stop} with the seeded data, for launchers that add processes", async () => {
    const demo = await startDemoEmulator({ port: 0 })
    try {
      expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(demo.secretKey).toBe("sk_test_demo")
      const statuses = (await Effect.runPromise(demo.emulator.listSessions)).map((s) => s.status).sort()
      // user_demo's six, and user_grace's one.
      expect(statuses).toEqual(["active", "active", "active", "ended", "expired", "pending", "revoked"])
      const response = await get(`${demo.url}/v1/sessions/sess_demo_laptop`, "sk_test_demo")
      expect((await response.json()).user_id).toBe("user_demo")
    } finally {
      await demo.stop()
    }
  })
})
