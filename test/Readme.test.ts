import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const root = new URL("../", import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), "utf8")

describe("README", () => {
  const readme = read("README.md")

  it("opens with the two commands a newcomer runs", () => {
    const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)?.[1] ?? ""
    expect(firstBlock).toContain("npm ci && npm start")
    expect(firstBlock).toContain("npm test")
    expect(readme.indexOf("npm ci && npm start")).toBeLessThan(readme.indexOf("## "))
  })

  it("shows the fleet Worker exactly as examples/fleet/worker.ts (which the type-check compiles and the burst suite runs on workerd)", () => {
    expect(readme).toContain("```ts\n" + read("examples/fleet/worker.ts") + "```")
    expect(readme).not.toContain("examples/worker/wrangler.toml")
  })

  it("shows the testing example exactly as test/examples/TestingWithTheEmulator.test.ts (which runs)", () => {
    expect(readme).toContain("```ts\n" + read("test/examples/TestingWithTheEmulator.test.ts") + "```")
  })

  it("shows the quick start exactly as examples/quickstart.ts (which the type-check compiles)", () => {
    const quickstart = readme.match(/```ts\n([\s\S]*?)```/)?.[1]
    expect(quickstart).toBe(read("examples/quickstart.ts"))
    expect(quickstart).toContain("Effect.catchTags")
    for (const call of ["getSessionList", "getSession", "createSessionTokenFromTemplate", "revokeSession"]) {
      expect(quickstart).toContain(`sessions.${call}(`)
    }
  })

  it("gives the Effect 4 quick start as a one-import diff of examples/quickstart.ts (tsconfig.effect4.test.json compiles it so)", () => {
    const diff = readme.match(/```diff\n([\s\S]*?)```/)?.[1] ?? ""
    const [first, second, third] = read("examples/quickstart.ts").split("\n")
    expect(first).toBe('import { FetchHttpClient } from "@effect/platform"')
    expect(diff).toBe(`-${first}\n+import { FetchHttpClient } from "effect/http"\n ${second}\n ${third}\n`)
  })
})
