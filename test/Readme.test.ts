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

  it("shows the fleet Worker exactly as examples/effect3/fleet/worker.ts (which the type-check compiles and the burst suite runs on workerd)", () => {
    expect(readme).toContain("```ts\n" + read("examples/effect3/fleet/worker.ts") + "```")
    expect(readme).not.toContain("examples/worker/wrangler.toml")
  })

  it("shows both lines' protected-routes examples exactly as examples/<line>/protected-routes.ts (which the type-checks compile)", () => {
    for (const line of ["effect3", "effect4"]) {
      expect(readme).toContain("```ts\n" + read(`examples/${line}/protected-routes.ts`) + "```")
    }
  })

  it("shows both lines' HttpApi Worker exactly as examples/<line>/httpapi-worker.ts (run in workerd by test/workers/httpapi.test.ts), each under 40 lines", () => {
    for (const line of ["effect3", "effect4"]) {
      const example = read(`examples/${line}/httpapi-worker.ts`)
      expect(readme).toContain("```ts\n" + example + "```")
      expect(example.trimEnd().split("\n").length).toBeLessThan(40)
      expect(example).toContain(".middleware(ClerkAuth)")
    }
  })

  it("shows the testing example exactly as test/examples/TestingWithTheEmulator.test.ts (which runs)", () => {
    expect(readme).toContain("```ts\n" + read("test/examples/TestingWithTheEmulator.test.ts") + "```")
  })

  it("shows the webhook example exactly as test/examples/WebhooksWithTheEmulator.test.ts (which runs), in the Webhooks section", () => {
    const section = readme.slice(readme.indexOf("## Webhooks"), readme.indexOf("## Testing your app offline"))
    expect(section).toContain("```ts\n" + read("test/examples/WebhooksWithTheEmulator.test.ts") + "```")
    expect(section).toContain("ClerkWebhooks.verifyRequest")
  })

  it("shows the quick start exactly as examples/effect3/quickstart.ts (which the type-check compiles)", () => {
    const quickstart = readme.match(/```ts\n([\s\S]*?)```/)?.[1]
    expect(quickstart).toBe(read("examples/effect3/quickstart.ts"))
    expect(quickstart).toContain("Effect.catchTags")
    for (const call of ["getSessionList", "getSession", "createSessionTokenFromTemplate", "revokeSession"]) {
      expect(quickstart).toContain(`sessions.${call}(`)
    }
  })

  it("shows the Effect 4 quick start exactly as examples/effect4/quickstart.ts (tsconfig.effect4.test.json compiles it), one import away from Effect 3's", () => {
    const effect4 = read("examples/effect4/quickstart.ts")
    const section = readme.slice(readme.indexOf("## Effect 3 or Effect 4"))
    const shown = section.match(/```ts\n([\s\S]*?)```/)?.[1]
    expect(shown).toBe(effect4)
    expect(readme).not.toContain("```diff")
    const [first, ...rest] = read("examples/effect3/quickstart.ts").split("\n")
    const [first4, ...rest4] = effect4.split("\n")
    expect(first).toBe('import { FetchHttpClient } from "@effect/platform"')
    expect(first4).toBe('import { FetchHttpClient } from "effect/http"')
    expect(rest4).toEqual(rest)
  })
})
