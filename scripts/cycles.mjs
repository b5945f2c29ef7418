#!/usr/bin/env node
// Import cycles among the package's modules: every `import … from` / `export … from` of every
// file of src/ — type-only imports included, since a circle of types is a circle a reader
// follows too — resolved as the line resolves it (`#line/X` → src/line/<line>/X.ts, `./x.js`
// → ./x.ts), on each release line. `node scripts/cycles.mjs` prints each cycle and exits 1
// when there is one; test/Package.test.ts runs `findCycles`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const LINES = ["effect3", "effect4"]

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

/** The src/ files `file` imports, on `line`. */
const importsOf = (file, line) => {
  const text = readFileSync(file, "utf8")
  const found = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g)) {
    const specifier = match[1]
    let target
    if (specifier.startsWith("#line/")) target = join(root, "src/line", line, `${specifier.slice(6)}.ts`)
    else if (specifier.startsWith(".")) target = join(dirname(file), specifier.replace(/\.js$/, ".ts"))
    else continue
    if (!existsSync(target)) throw new Error(`cycles: ${relative(root, file)} imports ${specifier}, which resolves to nothing`)
    found.push(target)
  }
  return found
}

/** Every cycle (a list of files, first = last) of src/'s import graph on `line`. */
export const findCycles = (line) => {
  const other = LINES.filter((l) => l !== line).map((l) => join(root, "src/line", l) + "/")
  const files = walk(join(root, "src")).filter((f) => f.endsWith(".ts") && !other.some((o) => f.startsWith(o)))
  const graph = new Map(files.map((f) => [f, importsOf(f, line)]))
  const cycles = []
  const state = new Map()
  const stack = []
  const visit = (file) => {
    state.set(file, "visiting")
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, "done")
  }
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file)
  return { modules: graph.size, cycles }
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  let found = 0
  for (const line of LINES) {
    const { modules, cycles } = findCycles(line)
    for (const cycle of cycles) console.error(`cycles (${line}): ${cycle.join(" → ")}`)
    console.log(`cycles: ${line}: ${modules} modules of src/, ${cycles.length} import cycle(s)`)
    found += cycles.length
  }
  process.exit(found === 0 ? 0 : 1)
}
