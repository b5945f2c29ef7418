// The two release lines, for every esbuild bundle the repository makes (the demo, the example
// Worker on the Effect 4 line, the bench). A line is picked the one way the whole repository
// picks it, the `effect4` condition: package.json "imports" then maps `#line/*` (the library's
// facades), `#test-line/*` and `#bench-line/*` to that line's modules. What a condition cannot
// say is where the `effect` package of a line is installed, so this is the one place that does:
// the root node_modules' effect 3 for the Effect 3 line, lines/effect4/node_modules' effect 4 (an
// npm workspace) for the Effect 4 line. (TypeScript's side of the same fact is the `paths` of
// tsconfig.effect4.json; vitest's, lines/effect4/vitest.config.ts's resolver.)
import { existsSync } from "node:fs"
import { isAbsolute, join } from "node:path"
import { fileURLToPath } from "node:url"

// This file's parent, or, where it is bundled into a script under node_modules/.cache (the bench
// bundles bench/fleet.ts, which imports it), the folder that node_modules is in.
const here = fileURLToPath(new URL(".", import.meta.url))
const root = here.includes("/node_modules/") ? here.slice(0, here.indexOf("/node_modules/") + 1) : join(here, "..")

/** @type {ReadonlyArray<"effect3" | "effect4">} */
export const LINES = ["effect3", "effect4"]

/** The folder a line's bundles take `effect` (and `effect/*`) from. */
export const effectDirOf = (line) => line === "effect4" ? join(root, "lines/effect4/node_modules/effect") : join(root, "node_modules/effect")

/** The conditions to add to a build's own for `line`: `effect4`, or none (the default is Effect 3). */
export const lineConditions = (line) => (line === "effect4" ? ["effect4"] : [])

/**
 * The esbuild plugin of `line`: on the Effect 4 line `effect` and `effect/*` resolve from
 * lines/effect4 (as Node resolves them there, by effect's "exports") and `@effect/platform` is
 * an error (that line has none). `external`: leave every package out of the bundle, as
 * esbuild's `packages: "external"` would, with the Effect 4 line's `effect` as absolute paths
 * into lines/effect4 (bare `effect` specifiers would load the root's effect 3 under Node).
 */
export const linePlugin = (line, { external = false } = {}) => ({
  name: `effect-clerk-line-${line}`,
  setup(build) {
    if (line === "effect4") {
      if (!existsSync(join(effectDirOf("effect4"), "package.json"))) {
        throw new Error("the Effect 4 line needs lines/effect4/node_modules/effect: run `npm ci` in the repository root")
      }
      build.onResolve({ filter: /^@effect\/platform(\/|$)/ }, (args) => ({
        errors: [{ text: `${args.path} imported on the Effect 4 line (by ${args.importer}): that line's HTTP modules are effect/http` }]
      }))
      build.onResolve({ filter: /^effect(\/|$)/ }, async (args) => {
        if (args.pluginData?.effectLine) return undefined
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: join(root, "lines/effect4"), pluginData: { effectLine: true } })
        if (found.errors.length > 0) return { errors: found.errors }
        return external ? { path: found.path, external: true } : { path: found.path }
      })
    }
    if (external) {
      build.onResolve({ filter: /^[^./#]/ }, (args) =>
        isAbsolute(args.path) || args.pluginData?.effectLine ? undefined : { path: args.path, external: true })
    }
  }
})
