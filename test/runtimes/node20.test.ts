/** examples/effect3/node.ts, bundled as its header says, on this Node (20): its own emulator, or the Clerk the environment names. */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ClerkEmulator } from "../../src/testing/index.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"
import { bundleNodeExample } from "./support/nodeExample.js"
import { expectedExampleOutput, run } from "./support/run.js"

describe("Node 20", () => {
  it("runs examples/effect3/node.ts against its emulator (node:http)", async () => {
    const result = await run(process.execPath, [await bundleNodeExample("node20")])
    expect(process.version).toMatch(/^v20\./)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.lines).toHaveLength(expectedExampleOutput.length)
    result.lines.forEach((line, i) => expect(line).toMatch(expectedExampleOutput[i]))
  })

  it("with CLERK_API_URL, CLERK_SECRET_KEY and CLERK_USER_ID set, talks to that Clerk instead", async () => {
    const clerk = await ClerkEmulator.start({ secretKey: "sk_test_elsewhere" })
    await Effect.runPromise(clerk.seed({
      users: [{ id: "user_elsewhere" }],
      templates: [{ name: "my_template" }],
      sessions: [{ id: "sess_elsewhere", userId: "user_elsewhere" }]
    }))
    const served = await NodeClerkEmulator.serve(clerk)
    try {
      const result = await run(process.execPath, [await bundleNodeExample("node20-configured")], {
        env: {
          CLERK_API_URL: served.url,
          CLERK_SECRET_KEY: "sk_test_elsewhere",
          CLERK_USER_ID: "user_elsewhere",
          CLERK_JWT_TEMPLATE: "my_template"
        }
      })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.lines).toEqual([
        `clerk: ${served.url}`,
        "list: 1 active sessions for user_elsewhere",
        "list: newest is sess_elsewhere",
        expect.stringMatching(/^get: sess_elsewhere is active, last active /),
        "token: my_template JWT for user_elsewhere (logged as <redacted>)",
        "revoke: sess_elsewhere is now revoked",
        "typed error: ClerkNotFound 404 resource_not_found"
      ])
      const log = await Effect.runPromise(clerk.requests)
      expect(log.map((r) => [r.route, r.authorization])).toEqual([
        ["getSessionList", "valid"],
        ["getSession", "valid"],
        ["createSessionTokenFromTemplate", "valid"],
        ["revokeSession", "valid"],
        ["getSession", "valid"]
      ])
    } finally {
      await served.stop()
    }
  })
})
