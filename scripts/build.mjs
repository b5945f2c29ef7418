#!/usr/bin/env node
// `npm run build` (the Effect 3 line) and `node scripts/build.mjs effect4`: compile src/ for one
// release line into dist/ (or the directory given by --out), then rewrite every `#line/<Facade>`
// specifier in the emitted .js and .d.ts to a relative path into that line's facades
// (dist/line/<line>/<Facade>.js). The built package then needs no package.json "imports"
// entry and no condition: Node, Deno, Bun, bundlers and TypeScript (NodeNext or Bundler)
// all follow plain relative paths.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const args = process.argv.slice(2)
const line = args.find((a) => !a.startsWith("--")) ?? "effect3"
const outIndex = args.indexOf("--out")
const out = outIndex === -1 ? join(root, "dist") : join(root, args[outIndex + 1])
const PROJECTS = { effect3: "tsconfig.build.json", effect4: "tsconfig.build.effect4.json" }
if (!(line in PROJECTS)) throw new Error(`build: unknown line ${line} (known: ${Object.keys(PROJECTS).join(", ")})`)

// The Effect 4 line compiles against lines/effect4's effect 4 (a workspace: the root `npm ci`
// installs it). Without it tsc would fall back to the root's effect 3 and fail with dozens of
// unrelated type errors, so say what is missing instead.
if (line === "effect4" && !existsSync(join(root, "lines/effect4/node_modules/effect/package.json"))) {
  console.error("build: the Effect 4 line needs lines/effect4/node_modules/effect: run `npm ci` in the repository root (lines/effect4 is one of its workspaces)")
  process.exit(1)
}

rmSync(out, { recursive: true, force: true })
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", PROJECTS[line], "--outDir", out], {
  cwd: root,
  stdio: "inherit"
})
if (tsc.status !== 0) process.exit(tsc.status ?? 1)

const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name)
  return statSync(path).isDirectory() ? walk(path) : [path]
})

const facades = join(out, "line", line)
let rewritten = 0
for (const file of walk(out)) {
  if (!/\.(js|d\.ts)$/.test(file)) continue
  const text = readFileSync(file, "utf8")
  const next = text.replace(/(from\s*|import\s*\(\s*)(["'])#line\/([A-Za-z0-9]+)\2/g, (_, before, quote, facade) => {
    let path = relative(dirname(file), join(facades, `${facade}.js`))
    if (!path.startsWith(".")) path = `./${path}`
    rewritten++
    return `${before}${quote}${path}${quote}`
  })
  if (next !== text) writeFileSync(file, next)
}
const left = walk(out).filter((f) => /\.(js|d\.ts)$/.test(f) && /(from\s*|import\s*\(\s*)["']#line\//.test(readFileSync(f, "utf8")))
if (left.length > 0) {
  console.error(`build: #line/ specifiers left in ${left.map((f) => relative(root, f)).join(", ")}`)
  process.exit(1)
}
console.log(`build: ${line} → ${relative(root, out) || "."} (${rewritten} #line/ specifiers made relative)`)
