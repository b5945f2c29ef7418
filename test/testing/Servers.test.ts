/**
 * The emulator over real HTTP on each runtime: `serveEmulator` under Deno (Deno.serve) and
 * Bun (Bun.serve), spawned as child processes and driven from here with the SDK over
 * FetchHttpClient; and the Node adapter's lifecycle (ports, stop() with hung requests).
 */
import { FetchHttpClient } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { ClerkClient } from "../../src/ClerkClient.js"
import { Sessions } from "../../src/Sessions.js"
import { ClerkEmulator, Fault, serveEmulator } from "../../src/testing/index.js"
import { serve } from "../../src/testing/node/index.js"

const root = new URL("../../", import.meta.url).pathname

/** Start the fixture under `cmd`; resolves with its URL and a way to stop it (close stdin). */
const startFixture = (cmd: string, args: ReadonlyArray<string>) =>
  new Promise<{ runtime: string; url: string; stop: () => Promise<{ code: number | null; output: string }> }>(
    (resolve, reject) => {
      const child = spawn(cmd, [...args, "test/testing/fixtures/serve.ts"], {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true
      })
      let output = ""
      let stderr = ""
      child.stderr.on("data", (chunk) => (stderr += chunk))
      const timer = setTimeout(() => {
        process.kill(-child.pid!, "SIGKILL")
        reject(new Error(`${cmd} did not start in time: ${stderr}`))
      }, 60_000)
      const exited = new Promise<{ code: number | null; output: string }>((done) =>
        child.on("close", (code) => {
          clearTimeout(timer)
          done({ code, output })
        })
      )
      const lines = createInterface({ input: child.stdout })
      lines.on("line", (line) => {
        output += line + "\n"
        if (line.startsWith("{")) {
          const { runtime, url } = JSON.parse(line)
          resolve({
            runtime,
            url,
            stop: () => {
              child.stdin.end()
              return exited
            }
          })
        }
      })
      child.on("error", reject)
    }
  )

/** The SDK against `url` with the fixture's key. */
const sessionsAt = (url: string) =>
  Sessions.layer.pipe(
    Layer.provide(ClerkClient.layer({ secretKey: Redacted.make("sk_test_runtime"), apiUrl: url, retry: false })),
    Layer.provide(FetchHttpClient.layer)
  )

const exerciseServedEmulator = async (cmd: string, args: ReadonlyArray<string>, runtime: RegExp) => {
  const fixture = await startFixture(cmd, args)
  try {
    expect(fixture.runtime).toMatch(runtime)
    expect(fixture.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const session = await Effect.runPromise(
      Effect.flatMap(Sessions, (s) => s.getSession("sess_runtime")).pipe(Effect.provide(sessionsAt(fixture.url)))
    )
    expect([session.id, session.userId, session.status]).toEqual(["sess_runtime", "user_runtime", "active"])
    const missing = await Effect.runPromise(
      Effect.flip(Effect.flatMap(Sessions, (s) => s.getSession("sess_nope"))).pipe(Effect.provide(sessionsAt(fixture.url)))
    )
    expect(missing._tag).toBe("ClerkNotFound")
    // The scripted drop: headers, 20 bytes, then the connection is gone.
    const response = await fetch(`${fixture.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_runtime" } })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    let received = 0
    const outcome = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return "ended"
          received += value.length
        }
      } catch {
        return "dropped"
      }
    })()
    expect(outcome).toBe("dropped")
    expect(received).toBe(20)
  } finally {
    const { code, output } = await fixture.stop()
    expect(output.trim().split("\n").at(-1)).toBe("stopped")
    expect(code).toBe(0)
  }
  // Stopped means stopped: nothing listens there any more.
  const after = await fetch(`${fixture.url}/v1/jwks`).then(() => "answered", () => "refused")
  expect(after).toBe("refused")
}

describe("serveEmulator on other runtimes", () => {
  it("Deno: Deno.serve answers the SDK, drops mid-body on cue, and stops", async () => {
    await exerciseServedEmulator(
      `${root}node_modules/.bin/deno`,
      ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read"],
      /^deno 2\./
    )
  }, 90_000)

  it("Bun: Bun.serve answers the SDK, drops mid-body on cue, and stops", async () => {
    await exerciseServedEmulator(`${root}node_modules/.bin/bun`, ["run"], /^bun 1\./)
  }, 90_000)

  it("in this very runtime: serves on Deno and Bun, and on Node refuses, pointing at effect-clerk/testing/node", async () => {
    const emulator = await ClerkEmulator.start()
    const g = globalThis as { Deno?: unknown; Bun?: unknown }
    if (g.Deno === undefined && g.Bun === undefined) {
      await expect(serveEmulator(emulator)).rejects.toThrow(/effect-clerk\/testing\/node/)
      return
    }
    const server = await serveEmulator(emulator)
    try {
      const response = await fetch(`${server.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_emulator" } })
      expect(response.status).toBe(200)
      expect((await response.json()).keys[0].kid).toBe(emulator.instanceId)
    } finally {
      await server.stop()
    }
    expect(await fetch(`${server.url}/v1/jwks`).then(() => "answered", () => "refused")).toBe("refused")
  })
})

/** Wait until the emulator has logged `n` requests (polling; the test's timeout bounds it). */
const logged = async (emulator: ClerkEmulator.Service, n: number) => {
  while ((await Effect.runPromise(emulator.requests)).length < n) await new Promise((resolve) => setTimeout(resolve, 10))
  return Effect.runPromise(emulator.requests)
}

describe("the Node adapter", () => {
  it("stop() closes hung requests at once and frees the port", async () => {
    const emulator = await ClerkEmulator.start()
    await Effect.runPromise(emulator.injectFault(Fault.hang(), { times: Infinity }))
    const server = await serve(emulator)
    const pending = fetch(`${server.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_emulator" } }).then(
      () => "answered",
      () => "failed"
    )
    const requests = await logged(emulator, 1)
    expect(requests.map((r) => [r.route, r.status, r.fault])).toEqual([["getJwks", undefined, "Hang"]])
    // The request hangs for ever: a stop() that waited for it would never return. Returning well
    // within the test's timeout, with the client's fetch failed, is "at once" on a busy machine.
    const started = Date.now()
    await server.stop()
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await pending).toBe("failed")
    // The same port is free again.
    const again = await serve(emulator, { port: server.port })
    expect(again.port).toBe(server.port)
    await again.stop()
  })

  it("a client that gives up interrupts the handler; a busy port is an EADDRINUSE rejection", async () => {
    const emulator = await ClerkEmulator.start()
    await Effect.runPromise(emulator.injectFault(Fault.delay("1 second")))
    const server = await serve(emulator)
    try {
      // The client gives up once the server has the request (not after a fixed time, which a
      // busy machine may spend before the request even arrives).
      const controller = new AbortController()
      const pending = fetch(`${server.url}/v1/jwks`, {
        headers: { authorization: "Bearer sk_test_emulator" },
        signal: controller.signal
      }).then(() => "answered", (error) => error.name)
      expect((await logged(emulator, 1)).map((r) => [r.fault, r.status])).toEqual([["Delay", undefined]])
      controller.abort()
      expect(await pending).toBe("AbortError")
      // Had the delayed handler kept running, it would have answered 200 by now.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect((await Effect.runPromise(emulator.requests)).map((r) => [r.fault, r.status])).toEqual([["Delay", undefined]])
      const ok = await fetch(`${server.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_emulator" } })
      expect(ok.status).toBe(200)
      expect((await ok.json()).keys[0].kid).toBe(emulator.instanceId)
      await expect(serve(emulator, { port: server.port })).rejects.toMatchObject({ code: "EADDRINUSE" })
    } finally {
      await server.stop()
    }
  })

  it("passes request bodies, query strings and Set-Cookie-free JSON through unchanged", async () => {
    const emulator = await ClerkEmulator.start()
    await Effect.runPromise(emulator.seedUser({ id: "user_n" }))
    const server = await serve(emulator)
    try {
      const created = await fetch(`${server.url}/v1/sessions`, {
        method: "POST",
        headers: { "authorization": "Bearer sk_test_emulator", "content-type": "application/json" },
        body: JSON.stringify({ user_id: "user_n" })
      })
      expect(created.status).toBe(200)
      const session = await created.json()
      const listed = await fetch(`${server.url}/v1/sessions?user_id=user_n&paginated=true&limit=1`, {
        headers: { authorization: "Bearer sk_test_emulator" }
      })
      expect(await listed.json()).toMatchObject({ total_count: 1, data: [{ id: session.id }] })
      const log = await Effect.runPromise(emulator.requests)
      expect(log.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
        ["POST", "/v1/sessions", {}, { user_id: "user_n" }],
        ["GET", "/v1/sessions", { user_id: "user_n", paginated: "true", limit: "1" }, undefined]
      ])
      expect(log[0].headers.host).toBe(`127.0.0.1:${server.port}`)
    } finally {
      await server.stop()
    }
  })
})
