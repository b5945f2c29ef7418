#!/usr/bin/env node
// The example Worker of the Effect 4 line, bundled for `wrangler dev -c wrangler.effect4.toml`
// (its [build] command runs this): examples/effect4/worker/index.ts →
// .wrangler/effect4-worker/index.js, one ES module. The Effect 4 line is picked the way every
// bundle of this repository picks it (scripts/lines.mjs): the `effect4` condition (so
// `effect-clerk`'s `#line/*` imports pick src/line/effect4) and the line's plugin (`effect` from
// lines/effect4, never the root's effect 3; `@effect/platform` an error). Nothing
// Node-specific gets in: platform "neutral" with workerd's conditions, and the bundle is checked
// by wrangler dev without nodejs_compat (test/runtimes/effect4-wrangler-dev.test.ts).
import { build } from "esbuild"
import { fileURLToPath } from "node:url"
import { lineConditions, linePlugin } from "./lines.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))

await build({
  entryPoints: [`${root}examples/effect4/worker/index.ts`],
  outfile: `${root}.wrangler/effect4-worker/index.js`,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  // workerd's conditions (as wrangler's own bundler uses them), after the line's.
  conditions: [...lineConditions("effect4"), "workerd", "worker", "browser", "import", "default"],
  mainFields: ["module", "main"],
  // effect-clerk itself from this checkout's src/ (as tsconfig.json's paths say for wrangler.toml's build).
  alias: { "effect-clerk/http": `${root}src/http/index.ts`, "effect-clerk": `${root}src/index.ts` },
  plugins: [linePlugin("effect4")],
  logLevel: "warning"
})
