/**
 * A local npm registry on 127.0.0.1 serving the packages installed in node_modules (and
 * their dependencies), packed on the fly with `tar`. Lets a test run Deno's own npm client
 * (npm: specifiers, `--node-modules-dir=none`) with no internet: point NPM_CONFIG_REGISTRY
 * here.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { dirname, join } from "node:path"

interface Packed {
  readonly name: string
  readonly version: string
  readonly manifest: Record<string, unknown>
  readonly file: string
}

export interface LocalRegistry {
  readonly url: string
  /** `name@version` of every package served. */
  readonly packages: ReadonlyArray<string>
  /** Paths requested so far (packuments and tarballs). */
  readonly requested: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/** Where `name` resolves from `fromDir`, the way Node looks it up (nearest node_modules first). */
const locate = (name: string, fromDir: string, root: string): string => {
  for (let dir = fromDir; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name)
    if (existsSync(join(candidate, "package.json"))) return candidate
    if (dir === root) break
  }
  throw new Error(`npmRegistry: ${name} is not installed (from ${fromDir})`)
}

/**
 * Serve `roots` and everything they depend on (dependencies and peer dependencies;
 * optional dependencies are left out, as an install without them would). Tarballs are
 * cached in `cacheDir` by name and version.
 */
export const startNpmRegistry = async (
  root: string,
  roots: ReadonlyArray<string>,
  cacheDir: string
): Promise<LocalRegistry> => {
  mkdirSync(cacheDir, { recursive: true })
  const packed = new Map<string, Packed>()
  const visit = (name: string, fromDir: string) => {
    const dir = locate(name, fromDir, root)
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, any>
    if (packed.has(name)) {
      if (packed.get(name)!.version !== manifest.version) {
        throw new Error(`npmRegistry: two versions of ${name} needed; serve one name per version`)
      }
      return
    }
    const file = join(cacheDir, `${name.replace("/", "__")}-${manifest.version}.tgz`)
    if (!existsSync(file)) {
      execFileSync("tar", ["-czf", file, "-C", dir, "--exclude=./node_modules", "--transform", "s,^\\.,package,", "."])
    }
    packed.set(name, { name, version: manifest.version, manifest, file })
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (manifest.peerDependenciesMeta?.[dep]?.optional) continue
      visit(dep, dir)
    }
  }
  for (const name of roots) visit(name, root)

  const requested: Array<string> = []
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)
    requested.push(path)
    const tarball = /^\/-\/tarballs\/(.+)$/.exec(path)
    if (tarball) {
      const pkg = [...packed.values()].find((p) => p.file.endsWith(`/${tarball[1]}`))
      if (pkg) {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        return res.end(readFileSync(pkg.file))
      }
    }
    const pkg = packed.get(path.slice(1))
    if (pkg === undefined) {
      res.writeHead(404, { "content-type": "application/json" })
      return res.end(JSON.stringify({ error: "Not found" }))
    }
    const bytes = readFileSync(pkg.file)
    const { optionalDependencies: _optional, scripts: _scripts, devDependencies: _dev, ...manifest } = pkg.manifest
    const body = {
      name: pkg.name,
      "dist-tags": { latest: pkg.version },
      versions: {
        [pkg.version]: {
          ...manifest,
          dist: {
            tarball: `${url}/-/tarballs/${pkg.file.slice(pkg.file.lastIndexOf("/") + 1)}`,
            shasum: createHash("sha1").update(bytes).digest("hex"),
            integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`
          }
        }
      }
    }
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    packages: [...packed.values()].map((p) => `${p.name}@${p.version}`),
    requested,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
