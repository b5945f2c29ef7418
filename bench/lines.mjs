/**
 * The two release lines, as esbuild sees them. One copy of every bench body (bench/*.ts,
 * bench/workers/*.ts) is bundled once per line:
 *
 *   - effect-clerk is `src/` itself; its `#line/<Facade>` imports resolve through package.json
 *     "imports" (the `effect4` condition picks src/line/effect4, the default src/line/effect3).
 *   - `effect` (and `effect/*`): the root node_modules' effect 3 for the Effect 3 line;
 *     lines/effect4/node_modules' effect 4 for the Effect 4 line. For Node bundles that keep
 *     packages external, the Effect 4 line's `effect` imports become absolute paths into
 *     lines/effect4, so the bundle can live anywhere and still load effect 4.
 *   - What the bench bodies themselves spell differently on the two lines (where the HTTP
 *     client lives, installing a tracer, the bare program's Schema class) is in bench/line/<line>/.
 *     The bodies import the Effect 3 spelling (`./line/effect3/Http.js`, which the root
 *     tsconfig type-checks); on the Effect 4 line the import is redirected to bench/line/effect4/.
 *   - On the Effect 4 line, importing @effect/platform is an error: that line has none.
 */
import { isAbsolute, join, resolve } from "node:path"

// Run from the repository root (scripts/bench.mjs changes to it; bench/fleet.ts is bundled,
// so this file's own URL would not say where the repository is).
const root = process.cwd()
const benchDir = join(root, "bench")
const effect4Dir = join(root, "lines", "effect4")

export const LINES = ["effect3", "effect4"]

/** The version of `effect` a line bundles. */
export const effectDirOf = (line) => line === "effect4" ? join(effect4Dir, "node_modules", "effect") : join(root, "node_modules", "effect")

/** Conditions to add to a build's own for `line` (the package.json "imports" condition). */
export const lineConditions = (line) => (line === "effect4" ? ["effect4"] : [])

/**
 * The esbuild plugin for `line`. `external`: leave every package out of the bundle, as
 * esbuild's `packages: "external"` does (Node bundles), the Effect 4 line's `effect` as
 * absolute paths into lines/effect4 (`packages: "external"` itself would leave the bare
 * `effect` specifiers, which Node would resolve to the root's effect 3).
 */
export const linePlugin = (line, { external = false } = {}) => ({
  name: `effect-clerk-bench-${line}`,
  setup(build) {
    if (line === "effect3") {
      if (external) {
      build.onResolve({ filter: /^[^./#]/ }, (args) =>
        isAbsolute(args.path) || args.pluginData?.benchLine ? undefined : { path: args.path, external: true })
    }
      return
    }
    // bench/line/effect3/X → bench/line/effect4/X, for importers in bench/ only.
    build.onResolve({ filter: /(^|\/)line\/effect3\// }, (args) => {
      if (!args.importer.startsWith(benchDir + "/")) return undefined
      const target = resolve(args.resolveDir, args.path).replace(`${join("bench", "line", "effect3")}/`, `${join("bench", "line", "effect4")}/`)
      return { path: target.replace(/\.js$/, ".ts") }
    })
    build.onResolve({ filter: /^@effect\/platform(\/|$)/ }, (args) => ({
      errors: [{ text: `${args.path} imported on the Effect 4 line (by ${args.importer}); use bench/line/effect4` }]
    }))
    build.onResolve({ filter: /^effect(\/|$)/ }, async (args) => {
      if (args.pluginData?.benchLine) return undefined
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: effect4Dir,
        pluginData: { benchLine: true }
      })
      if (found.errors.length > 0) return { errors: found.errors }
      return external ? { path: found.path, external: true } : { path: found.path }
    })
    if (external) {
      build.onResolve({ filter: /^[^./#]/ }, (args) =>
        isAbsolute(args.path) || args.pluginData?.benchLine ? undefined : { path: args.path, external: true })
    }
  }
})
