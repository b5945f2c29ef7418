#!/usr/bin/env node
// The example Worker for the Effect 4 line, bundled for `wrangler dev -c wrangler.effect4.toml`
// (its [build] command runs this): examples/worker/index.ts → .wrangler/effect4-worker/index.js,
// one ES module with
//   - `effect` and `effect/*` from lines/effect4's effect 4 (resolved as Node resolves them
//     there: effect's "exports"), never the root's effect 3;
//   - `effect-clerk` from src/ with the `effect4` condition, so its `#line/*` imports pick
//     src/line/effect4 (package.json "imports");
//   - the example's own `./line.js` seam as `./line.effect4.ts`.
// Nothing Node-specific gets in: platform "neutral", workerd's conditions, and the bundle is
// checked by wrangler dev without nodejs_compat (test/runtimes/effect4-wrangler-dev.test.ts).
import { build } from "esbuild"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const here = fileURLToPath(new URL("./", import.meta.url))
const line = createRequire(new URL("../../lines/effect4/package.json", import.meta.url))

/** @type {import("esbuild").Plugin} */
const effect4 = {
  name: "effect-clerk:worker-effect4",
  setup(build) {
    build.onResolve({ filter: /^effect(\/|$)/ }, (args) => ({ path: line.resolve(args.path) }))
    build.onResolve({ filter: /^effect-clerk$/ }, () => ({ path: `${root}src/index.ts` }))
    build.onResolve({ filter: /^\.\/line\.js$/ }, (args) =>
      args.importer.startsWith(here) ? { path: `${here}line.effect4.ts` } : undefined)
  }
}

await build({
  entryPoints: [`${here}index.ts`],
  outfile: `${root}.wrangler/effect4-worker/index.js`,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  // workerd's conditions (as wrangler's own bundler uses), with `effect4` first for `#line/*`.
  conditions: ["effect4", "workerd", "worker", "browser", "import", "default"],
  mainFields: ["module", "main"],
  plugins: [effect4],
  logLevel: "warning"
})
