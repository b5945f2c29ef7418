#!/usr/bin/env node
// `npm run pack`: build and write the installable tarball of each release line to pack/:
//
//   pack/effect-clerk-effect3.tgz   the Effect 3 line (this package.json: effect ^3.22, @effect/platform ^0.97)
//
// `node scripts/pack.mjs effect3` packs only that line. Each line's tarball has a fixed name so
// tests and users can install it without knowing the version (`npm i ./pack/effect-clerk-effect3.tgz`).
// dist/ is rebuilt from scratch first, so nothing stale (a renamed module, the demo) ships.
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const packDir = join(root, "pack")

/** Release line → how to build it and the directory `npm pack` runs in. */
const LINES = {
  effect3: { dir: root, build: [process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"]] }
}

const sh = (cmd, args, cwd) => {
  const result = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, stdio: ["ignore", "pipe", "pipe"] })
  if (result.status !== 0) {
    console.error(`pack: \`${[cmd, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`)
    console.error(result.stdout, result.stderr)
    process.exit(1)
  }
  return result.stdout
}

const wanted = process.argv.slice(2)
for (const name of wanted) if (!(name in LINES)) throw new Error(`pack: unknown line ${name} (known: ${Object.keys(LINES).join(", ")})`)

mkdirSync(packDir, { recursive: true })
for (const [name, line] of Object.entries(LINES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  rmSync(join(line.dir, "dist"), { recursive: true, force: true })
  sh(line.build[0], line.build[1], line.dir)
  // Pack into a scratch folder, then move: npm names the file after the version, we don't.
  const scratch = mkdtempSync(join(packDir, ".tmp-"))
  try {
    const [report] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", scratch], line.dir))
    const target = join(packDir, `effect-clerk-${name}.tgz`)
    renameSync(join(scratch, report.filename), target)
    console.log(`pack: ${target} (${report.name}@${report.version}, ${report.entryCount} files, ${report.size} bytes)`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
