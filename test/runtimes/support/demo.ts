/**
 * The `npm start` demo (Effect 3 line) and `npm run start:effect4` as a user runs them: built
 * by demo/start.mjs for the line, spawned with node, its emulator and its example Worker under
 * wrangler dev (the line's wrangler config) answering every printed command in the printed
 * order, and Ctrl-C stopping both. wrangler-dev.test.ts and effect4-wrangler-dev.test.ts run it.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import {
  DEMO_SECRET_KEY,
  demoCommands,
  renderCommand,
  renderCommands,
  runCommands
} from "../../../demo/main.js"
import { buildDemo } from "../../../demo/start.mjs"
import { workerCommands } from "../../../demo/worker.js"
import { freePort, root, run } from "./run.js"

export const demoSuite = (line: "effect3" | "effect4") => {
  describe(`${line === "effect4" ? "npm run start:effect4" : "npm start"}: the demo's example Worker under wrangler dev`, () => {
    it("prints Worker commands whose exchanges work in the printed order, and Ctrl-C stops wrangler too", async () => {
      const dir = mkdtempSync(join(tmpdir(), "effect-clerk-demo-"))
      // Built exactly as the npm script builds it (demo/start.mjs), for this line.
      await buildDemo(line, join(dir, "demo.mjs"))
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
        const emulatorUrl = /Emulator {2}(http:\/\/127\.0\.0\.1:\d+)\/v1 /.exec(out)![1]
        const workerUrl = `http://127.0.0.1:${port}`
        expect(out).toContain(`effect-clerk demo (${line === "effect4" ? "Effect 4" : "Effect 3"} line): an offline Clerk Backend API`)
        expect(out).toContain(`  Worker    ${workerUrl}   (wrangler dev, no compatibility flags`)
        // One URL to open in a browser: the sign-in page, listing the demo users.
        const opened = [...out.matchAll(/^ {2}Open (\S+) in a browser/gm)].map((m) => m[1])
        expect(opened).toEqual([`${workerUrl}/sign-in`])
        const signIn = await fetch(opened[0]!, { headers: { accept: "text/html" } })
        expect([signIn.status, signIn.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"])
        const html = await signIn.text()
        expect(html).toContain(`<button type="submit" name="user_id" value="user_demo" class="primary"><span>Ada Lovelace</span>`)
        expect(html).toContain(`value="user_grace"`)
        // What it printed is these commands, rendered: the emulator's, then the Worker's (W1 first: the token).
        const emulatorCommands = demoCommands(emulatorUrl, DEMO_SECRET_KEY)
        const commands = workerCommands(workerUrl, emulatorUrl, DEMO_SECRET_KEY)
        expect(out).toContain(renderCommands(emulatorCommands).join("\n"))
        expect(out).toContain(renderCommands(commands, "W").join("\n"))
        expect(commands[0].requests[0]).toMatchObject({ url: `${emulatorUrl}/v1/sessions/sess_demo_laptop/tokens`, saveToken: true })

        // Everything printed, sent in the printed order as from a fresh shell (no $TOKEN yet).
        const exchanges = await runCommands([...emulatorCommands, ...commands])
        expect(exchanges.slice(0, emulatorCommands.length).flat().map((e) => e.status)).toEqual([200, 200, 200, 200, 410, 200, 200, 404])
        const [[token], [me], [fleet], [list], [get1], [template], [revoke], [notFound, forbidden, anonymous]] = exchanges.slice(emulatorCommands.length)
        const tokenClaims = JSON.parse(Buffer.from(token.body.split(".")[1], "base64url").toString())
        expect(tokenClaims).toMatchObject({ sub: "user_demo", sid: "sess_demo_laptop" })
        expect(tokenClaims.exp - tokenClaims.iat).toBe(3600)
        expect([me.status, JSON.parse(me.body)]).toMatchObject([200, { userId: "user_demo", sessionId: "sess_demo_laptop" }])
        // W2's verification fetched the JWKS once and stored it in wrangler dev's local KV. The
        // Worker writes the entry after answering (ctx.waitUntil), so W3 sent at once can beat
        // the write on a loaded machine; a person pasting the commands never does. Ask again
        // until the write has landed (bounded): what is asserted below is unchanged.
        let fleetBody = fleet.body
        for (let attempt = 0; attempt < 50 && JSON.parse(fleetBody).jwksStore?.stored === null; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          const headers = Object.fromEntries(Object.entries(fleet.request.headers ?? {}).map(([k, v]) => [k, v.split("$TOKEN").join(token.body)]))
          const again = await fetch(fleet.request.url, { headers })
          expect(again.status).toBe(200)
          fleetBody = await again.text()
        }
        const shared = JSON.parse(fleetBody)
        expect(fleet.status).toBe(200)
        const tokenKid = JSON.parse(Buffer.from(token.body.split(".")[0], "base64url").toString()).kid
        expect(shared.jwksStore.stored.kids).toEqual([tokenKid])
        // Only the kids and when Clerk served them: no API URL, no store key.
        expect(Object.keys(shared.jwksStore.stored).sort()).toEqual(["fetchedAt", "kids"])
        expect(fleetBody).not.toContain(emulatorUrl)
        expect(shared.rateLimiter).toBe("one Clerk request budget for every isolate (Durable Object)")
        expect(list.status).toBe(200)
        expect(JSON.parse(list.body).data.map((s: any) => s.id)).toContain("sess_demo_laptop")
        expect([get1.status, JSON.parse(get1.body)]).toMatchObject([200, { id: "sess_demo_laptop", userId: "user_demo", status: "active" }])
        expect(template.status).toBe(200)
        expect(JSON.parse(Buffer.from(JSON.parse(template.body).jwt.split(".")[1], "base64url").toString())).toMatchObject({
          sub: "user_demo",
          greeting: "Hello, Ada!"
        })
        expect([revoke.status, JSON.parse(revoke.body)]).toMatchObject([200, { id: "sess_demo_tablet", status: "revoked" }])
        expect([notFound.status, JSON.parse(notFound.body).error.code]).toEqual([404, "resource_not_found"])
        expect([forbidden.status, JSON.parse(forbidden.body).error.code]).toEqual([403, "forbidden"])
        expect([anonymous.status, JSON.parse(anonymous.body)]).toEqual([401, {
          _tag: "ClerkUnauthenticated",
          reason: "missing",
          message: "Sign in: the request carries no session token"
        }])

        // And the printed lines, pasted into one shell in order, do the same.
        const result = await run("bash", ["-c", `set -e\n${[...emulatorCommands, ...commands].map(renderCommand).join("\n")}`])
        expect(result.code).toBe(0)
        const lines = result.lines.slice(7)
        expect(lines).toHaveLength(9)
        expect(JSON.parse(lines[0])).toMatchObject({ userId: "user_demo", sessionId: "sess_demo_laptop" })
        expect(JSON.parse(lines[1]).jwksStore.stored.kids).toEqual(shared.jwksStore.stored.kids)
        expect(JSON.parse(lines[5])).toMatchObject({ id: "sess_demo_tablet", status: "revoked" })
        expect(lines[6]).toMatch(/"code":"resource_not_found".* HTTP 404$/)
        expect(lines[7]).toMatch(/"code":"forbidden".* HTTP 403$/)
        expect(lines[8]).toMatch(/"_tag":"ClerkUnauthenticated".* HTTP 401$/)
        expect(lines[8]).toContain(`"reason":"missing"`)
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
}
