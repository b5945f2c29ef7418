#!/usr/bin/env node
// `npm start` (the Effect 3 line) and `npm run start:effect4`: bundle demo/main.ts for the line
// with esbuild — the line's condition and its `effect` (scripts/lines.mjs), so the emulator
// runs on that line's Effect too — into .tmp/demo/<line>.mjs, then run it. The Worker it starts
// under wrangler dev is the line's own (wrangler.toml, or wrangler.effect4.toml).
// `buildDemo(line, outfile)` is what the tests run, so they start the demo exactly so.
import { build } from "esbuild"
import { join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { LINES, lineConditions, linePlugin } from "../scripts/lines.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))

/** Bundle the demo for `line` into `outfile`, an ES module that starts the demo when run. */
export const buildDemo = async (line, outfile) => {
  if (!LINES.includes(line)) throw new Error(`demo: unknown line ${line} (known: ${LINES.join(", ")})`)
  await build({
    stdin: {
      contents: `import { main } from "./demo/main.ts"\nawait main(${JSON.stringify(line)})\n`,
      resolveDir: root,
      sourcefile: `demo-${line}.ts`,
      loader: "ts"
    },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: lineConditions(line),
    plugins: [linePlugin(line)],
    logLevel: "warning"
  })
  return outfile
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const line = process.argv[2] ?? "effect3"
  const outfile = join(root, ".tmp", "demo", `${line}.mjs`)
  await buildDemo(line, outfile)
  console.log(`demo: built ${relative(root, outfile)} for the ${line} line`)
  await import(pathToFileURL(outfile).href)
}
