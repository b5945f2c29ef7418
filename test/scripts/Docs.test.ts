/**
 * The public exports' JSDoc (scripts/docs.mjs): each declaration a user can import carries the
 * tags docgen reads — `@since` (a released version), `@category` and an `@example` with a
 * ```ts block — and the example checker does report an example that no longer compiles.
 * (`npm test`'s typecheck step type-checks every example on both lines.)
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { check, collect, type Declaration } from "../../scripts/docs.mjs"

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
const CATEGORIES = ["services", "layers", "constructors", "models", "errors", "params", "options", "constants", "schemas", "type-level", "testing", "faults", "servers", "guards", "middleware"]
const semver = (v: string) => v.split(".").map(Number)
const notAfter = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!
  return true
}

describe("public JSDoc", () => {
  const declarations = collect()
  const named = (name: string) => declarations.find((d) => d.name === name && !d.merged)

  it("covers the exports of every entry point", () => {
    expect(declarations.length).toBeGreaterThan(100)
    for (const name of ["Sessions", "ClerkClient", "TokenVerifier", "Session", "ClerkNotFound", "JwksStore", "RateLimiter", "ClerkEmulator", "Fault", "SessionsTest", "PublicJwk", "NodeClerkEmulator", "EmulatedSession", "ClerkWebhooks", "ClerkWebhookInvalid", "ClerkAuth", "ClerkUnauthenticated", "ClerkAuthUnavailable"]) {
      expect(named(name), name).toBeDefined()
    }
  })

  it("gives every export one @since, a version this package has had", () => {
    const wrong = declarations.filter((d) => d.since.length !== 1 || !/^\d+\.\d+\.\d+$/.test(d.since[0]!) || !notAfter(d.since[0]!, pkg.version))
    expect(wrong.map((d) => `${d.file}:${d.line} ${d.name} @since ${d.since.join(",") || "(none)"}`)).toEqual([])
  })

  it("gives every export one @category from the shared list and a ```ts @example importing the package", () => {
    const documented = (d: Declaration) =>
      d.category.length === 1 && CATEGORIES.includes(d.category[0]!.trim()) &&
      d.examples.length > 0 && d.examples.every((e) => /from "effect-clerk(\/testing(\/node)?|\/http)?"/.test(e.code))
    const wrong = declarations.filter((d) => !d.merged && !documented(d))
    expect(wrong.map((d) => `${d.file}:${d.line} ${d.name} (category: ${d.category.join(",") || "none"}, examples: ${d.examples.length})`)).toEqual([])
  })

  it("reports an example that does not compile, naming the export and its line", () => {
    const example = (code: string): Declaration => ({
      file: "src/Sessions.ts", line: 1, name: "Sessions", kind: "class", merged: false, since: ["0.1.0"], category: ["services"],
      examples: [{ code, line: 42 }]
    })
    const good = 'import { Effect } from "effect"\nimport { Sessions } from "effect-clerk"\nexport const program = Effect.flatMap(Sessions, (s) => s.getSession("sess_1"))\n'
    const bad = good.replace('s.getSession("sess_1")', "s.getSession(42)")
    const result = check([example(good), { ...example(bad), name: "Broken" }], "tsconfig.json")
    expect(result.examples).toBe(2)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(/^src\/Sessions\.ts:42 \(Broken, example 1\) line 3 of the example: Argument of type 'number'/)
  }, 120_000)
})
