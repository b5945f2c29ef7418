/**
 * A line's runtime example (examples/<line>/<runtime>.ts) bundled with esbuild into one ES
 * module, with that line's condition and `effect` (scripts/lines.mjs): how examples/effect3/node.ts
 * says to run it on Node, and how the Effect 4 examples run here, where the checkout's own
 * `effect` is the Effect 3 one (an app with effect 4 installed runs them as they are).
 */
import { build } from "esbuild"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { lineConditions, linePlugin } from "../../../scripts/lines.mjs"
import { root } from "./run.js"

export const bundleExample = async (
  name: string,
  { line = "effect3", runtime = "node" }: { readonly line?: "effect3" | "effect4"; readonly runtime?: "node" | "deno" | "bun" } = {}
): Promise<string> => {
  const dir = join(root, ".tmp/examples")
  mkdirSync(dir, { recursive: true })
  const outfile = join(dir, `${name}.mjs`)
  await build({
    entryPoints: [join(root, "examples", line, `${runtime}.ts`)],
    bundle: true,
    platform: runtime === "node" ? "node" : "neutral",
    mainFields: ["module", "main"],
    format: "esm",
    target: "es2022",
    outfile,
    conditions: [...lineConditions(line), ...(runtime === "node" ? [] : [runtime, "import", "default"])],
    plugins: [linePlugin(line)],
    logLevel: "warning"
  })
  return outfile
}

/** examples/effect3/node.ts, bundled (once per file name). */
export const bundleNodeExample = (name: string): Promise<string> => bundleExample(name)
