#!/usr/bin/env node
// `npm run pack`: build and write the installable tarball of each release line to pack/:
//
//   pack/effect-clerk-effect3.tgz   the Effect 3 line: effect ^3.22.0 and @effect/platform ^0.97.0,
//                                   version = package.json "version" (e.g. 0.1.0)
//   pack/effect-clerk-effect4.tgz   the Effect 4 line: effect ^4.1.0 only (HTTP is effect/http),
//                                   version = the next major of package.json "version":
//                                   MAJOR.MINOR.PATCH[-pre] → (MAJOR + 1).0.0, e.g. 0.1.0 → 1.0.0,
//                                   1.4.2 → 2.0.0 (so the lines never share a version and a
//                                   `^` range on one never picks up the other)
//
// `node scripts/pack.mjs effect4` packs only that line. Each tarball has a fixed name so tests
// and users can install it without knowing the version (`npm i ./pack/effect-clerk-effect4.tgz`);
// both are a normal npm package named `effect-clerk`.
//
// Each line is staged from scratch in pack/.stage-<line>/ (the checkout's dist/ is left alone):
//   dist/          `node scripts/build.mjs <line> --out …`: that line's compile, `#line/` imports
//                  rewritten to relative paths into dist/line/<line>/, so no "imports" map or
//                  condition is needed; the other line's facades are never compiled in
//   src/           the sources the source and declaration maps point at (src/ without the other
//                  line's src/line/<other>); the maps are re-pointed at this copy
//   package.json   derived from this one: name, description, license, type, sideEffects,
//                  exports, bin, engines and dependencies as they are; the line's version and
//                  peers; "files" without the other line's folders; no repo-only fields
//                  (imports, scripts, devDependencies, allowScripts)
//   LICENSE
//   README.md      for users of that line (scripts/package-readme.md): its install command, its
//                  own quick start (examples/<line>/quickstart.ts), configuration and links; not
//                  the repository's README (contributors' commands, both lines, the demo)
// The User-Agent's version (dist/internal/version.js, VERSION) is set to the tarball's version,
// and every JSDoc `@since` to the line's version of that release (effect4: 0.1.0 → 1.0.0).
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"

const root = new URL("..", import.meta.url).pathname
const packDir = join(root, "pack")
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))

/** The Effect 4 line's version: the next major after package.json's version (0.x.y → 1.0.0). */
const nextMajor = (version) => {
  const match = /^(\d+)\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.exec(version)
  if (!match) throw new Error(`pack: package.json version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH`)
  return `${Number(match[1]) + 1}.0.0`
}

/** Release line → its version and peer dependencies. */
const LINES = {
  effect3: {
    version: pkg.version,
    since: (version) => version,
    peerDependencies: pkg.peerDependencies,
    readme: {
      lineName: "Effect 3",
      otherLine: "For Effect 4 (`effect` 4.1 or later) install effect-clerk 1.x instead.",
      install: `npm i effect-clerk@^${pkg.version.split(".")[0]} effect@${pkg.peerDependencies.effect} @effect/platform@${pkg.peerDependencies["@effect/platform"]}`,
      peerNote: " and `@effect/platform`"
    }
  },
  // effect 4 carries HTTP itself (effect/http): no @effect/platform. 4.1.0 is the first 4.x the
  // line's facades are written against (lines/effect4 develops on 4.1.5).
  // `@since` in the sources gives the Effect 3 line's version; the Effect 4 tarball's JSDoc gives
  // its own line's version of that release, as its version does (0.1.0 → 1.0.0).
  effect4: {
    version: nextMajor(pkg.version),
    since: nextMajor,
    peerDependencies: { effect: "^4.1.0" },
    readme: {
      lineName: "Effect 4",
      otherLine: "For Effect 3 (`effect` 3.22 with `@effect/platform` 0.97) install effect-clerk 0.x instead.",
      install: `npm i effect-clerk@^${nextMajor(pkg.version).split(".")[0]} effect@^4.1.0`,
      peerNote: ""
    }
  }
}

const sh = (cmd, args, cwd, env = process.env) => {
  const result = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 300_000, stdio: ["ignore", "pipe", "pipe"] })
  if (result.status !== 0) {
    console.error(`pack: \`${[cmd, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`)
    console.error(result.stdout, result.stderr)
    process.exit(1)
  }
  return result.stdout
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

/** Replace the one `VERSION = "…"` literal of a file; anything but exactly one is an error. */
const setVersion = (file, version) => {
  const text = readFileSync(file, "utf8")
  const pattern = /(\bVERSION\s*=\s*)"[^"]*"/g
  const found = text.match(pattern) ?? []
  if (found.length !== 1) throw new Error(`pack: expected one VERSION literal in ${relative(root, file)}, found ${found.length}`)
  writeFileSync(file, text.replace(pattern, (_, before) => `${before}"${version}"`))
}

/** The README a line's tarball ships: scripts/package-readme.md filled in for that line. */
const packageReadme = (name, line) => {
  const apiVersion = /DEFAULT_API_VERSION = "([^"]+)"/.exec(readFileSync(join(root, "src/ClerkClient.ts"), "utf8"))?.[1]
  const values = {
    ...line.readme,
    version: `${pkg.name}@${line.version}`,
    quickstart: readFileSync(join(root, "examples", name, "quickstart.ts"), "utf8"),
    apiVersion,
    homepage: pkg.homepage,
    bugs: pkg.bugs.url
  }
  const text = readFileSync(join(root, "scripts/package-readme.md"), "utf8").replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (values[key] === undefined) throw new Error(`pack: scripts/package-readme.md names {{${key}}}, which ${name} does not fill`)
    return values[key]
  })
  return text
}

const stage = (name, line) => {
  const other = Object.keys(LINES).filter((l) => l !== name)
  const dir = join(packDir, `.stage-${name}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const dist = join(dir, "dist")
  sh(process.execPath, [join(root, "scripts/build.mjs"), name, "--out", relative(root, dist)], root)

  // The sources, less the other line's facades (never compiled into this line's dist).
  for (const file of walk(join(root, "src"))) {
    const rel = relative(root, file)
    if (other.some((o) => rel.startsWith(`src${sep}line${sep}${o}${sep}`))) continue
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    copyFileSync(file, join(dir, rel))
  }
  // The maps were written in the stage but point at the checkout's src/: point them at the copy.
  for (const map of walk(dist).filter((f) => f.endsWith(".map"))) {
    const json = JSON.parse(readFileSync(map, "utf8"))
    json.sources = json.sources.map((source) => {
      const rel = relative(root, resolve(dirname(map), source))
      if (!rel.startsWith(`src${sep}`)) throw new Error(`pack: ${relative(root, map)} points outside src/: ${source}`)
      return relative(dirname(map), join(dir, rel)).split(sep).join("/")
    })
    writeFileSync(map, JSON.stringify(json))
  }
  // The User-Agent names the tarball's version (same line count: the maps stay right).
  for (const file of ["dist/internal/version.js", "dist/internal/version.d.ts", "src/internal/version.ts"]) {
    setVersion(join(dir, file), line.version)
  }
  // JSDoc `@since` in this line's versions (in place, so line counts and the maps stay right).
  for (const file of [...walk(dist), ...walk(join(dir, "src"))].filter((f) => /\.(js|ts)$/.test(f))) {
    const text = readFileSync(file, "utf8")
    const rewritten = text.replace(/(@since )(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/g, (_, tag, version) => `${tag}${line.since(version)}`)
    if (rewritten !== text) writeFileSync(file, rewritten)
  }
  const leftovers = walk(dist).filter((f) => /\.(js|d\.ts)$/.test(f) && /(\bfrom\s*|\bimport\s*\(\s*)["']#/.test(readFileSync(f, "utf8")))
  if (leftovers.length > 0) throw new Error(`pack: "#" import specifiers left in ${leftovers.map((f) => relative(dir, f)).join(", ")}`)

  const manifest = {
    name: pkg.name,
    version: line.version,
    description: pkg.description,
    license: pkg.license,
    type: pkg.type,
    sideEffects: pkg.sideEffects,
    exports: pkg.exports,
    bin: pkg.bin,
    files: [...pkg.files, ...other.flatMap((o) => [`!dist/line/${o}`, `!src/line/${o}`])],
    keywords: pkg.keywords,
    repository: pkg.repository,
    homepage: pkg.homepage,
    bugs: pkg.bugs,
    engines: pkg.engines,
    peerDependencies: line.peerDependencies,
    dependencies: pkg.dependencies
  }
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"))
  writeFileSync(join(dir, "README.md"), packageReadme(name, line))
  return dir
}

const wanted = process.argv.slice(2)
for (const name of wanted) if (!(name in LINES)) throw new Error(`pack: unknown line ${name} (known: ${Object.keys(LINES).join(", ")})`)

// npm must see only the stage: not the npm_* settings `npm run pack` passes down (the checkout's prefix).
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
mkdirSync(packDir, { recursive: true })
for (const [name, line] of Object.entries(LINES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  const dir = stage(name, line)
  // Pack into a scratch folder, then move: npm names the file after the version, we don't.
  const scratch = mkdtempSync(join(packDir, ".tmp-"))
  try {
    const [report] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", scratch], dir, npmEnv))
    const target = join(packDir, `effect-clerk-${name}.tgz`)
    renameSync(join(scratch, report.filename), target)
    console.log(`pack: ${relative(root, target)} (${report.name}@${report.version}, ${report.entryCount} files, ${report.size} bytes)`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    rmSync(dir, { recursive: true, force: true })
  }
}
