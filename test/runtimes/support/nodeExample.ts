/** examples/effect3/node.ts bundled the way its header says (esbuild, ESM, platform node), once per file. */
import { build } from "esbuild"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { root } from "./run.js"

export const bundleNodeExample = async (name: string): Promise<string> => {
  const dir = join(root, ".tmp/examples")
  mkdirSync(dir, { recursive: true })
  const outfile = join(dir, `${name}.mjs`)
  await build({
    entryPoints: [join(root, "examples/effect3/node.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "warning"
  })
  return outfile
}
