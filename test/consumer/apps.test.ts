/**
 * Each line's tarball in an application, for each app the globalSetup installed (effect 3: the
 * newest effect 3 / @effect/platform 0.97 the registry serves and the oldest the peer ranges
 * allow; effect 4: the newest effect 4): the consumer code is the same on both lines but for
 * Effect's own imports; strict type-checks of it against every shipped .d.ts under NodeNext and
 * Bundler resolution; the consumer program run by Node 20 and 24, Deno and Bun, as each runs
 * an app's node_modules, against the emulator (in-process and over the Node adapter's
 * socket); the app's own vitest file (vitest 3 on
 * Node 20 for effect 3, vitest 5 on Node 24 for effect 4); ESM-only loading; the shipped bin.
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, inject, it } from "vitest"
import { CONSUMER_FILES, consumerSource, type Line, describeRun, node24, run } from "./support.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const effect4Pkg = JSON.parse(readFileSync(join(root, "lines/effect4/package.json"), "utf8"))
const { apps } = inject("consumer")

/** "3.22.4" → [3, 22, 4], for an at-least comparison. */
const parts = (version: string) => version.split(".").map(Number)
const atLeast = (version: string, floor: string) => {
  const [a, b] = [parts(version), parts(floor)]
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!
  return true
}

/** What differs between the lines, as a user of each sees it. */
const LINE: Record<Line, {
  /** effect-clerk's version in the tarball: package.json's; the Effect 4 line's is the next major (scripts/pack.mjs). */
  readonly version: string
  /** The effect the repo develops the line against: the newest the registry serves is at least this. */
  readonly devEffect: string
  /** How a defect of the SessionsTest stub reads (effect 3's dieMessage is a RuntimeException, effect 4's an Error). */
  readonly stub: string
  /** The node that runs the app's vitest: vitest 5 needs Node >= 22. */
  readonly vitestNode: string
}> = {
  effect3: {
    version: pkg.version,
    devEffect: pkg.devDependencies.effect,
    stub: "RuntimeException: SessionsTest: getSession was not stubbed",
    vitestNode: process.execPath
  },
  effect4: {
    version: `${parts(pkg.version)[0]! + 1}.0.0`,
    devEffect: effect4Pkg.devDependencies.effect,
    stub: "Error: SessionsTest: getSession was not stubbed",
    vitestNode: node24
  }
}
const devBin = (name: string) => join(root, "node_modules/.bin", name)

/** The secret key the apps' `effect-clerk-emulator --demo` accepts. */
const DEMO_KEY = "sk_test_consumer"

/**
 * The runtimes the consumer program runs on, each from the app's own node_modules: this Node,
 * Node 24, Deno and Bun. Deno gets no permission but the loopback network (the emulator's
 * socket), and on effect 3 one environment variable: @effect/platform's index loads msgpackr,
 * which reads MSGPACKR_NATIVE_ACCELERATION_DISABLED as it loads. effect-clerk itself reads none.
 */
const runtimesOf = (line: Line) => [
  ["Node 20", process.execPath, []],
  ["Node 24", node24, []],
  ["Deno", devBin("deno"), [
    "run",
    "--allow-net=127.0.0.1",
    ...(line === "effect3" ? ["--allow-env=MSGPACKR_NATIVE_ACCELERATION_DISABLED"] : [])
  ]],
  ["Bun", devBin("bun"), []]
] as const

describe.each(apps.map((app) => [`${app.line} tarball`, app.name, app] as const))("the %s in a fresh app with the %s effect", (_, name, app) => {
  const line = LINE[app.line]
  const inApp = (cmd: string, args: ReadonlyArray<string>, timeout?: number) =>
    run(cmd, args, { cwd: app.dir, env: { DENO_NO_UPDATE_CHECK: "1" }, ...(timeout === undefined ? {} : { timeout }) })

  /**
   * The app's `effect-clerk-emulator --demo` on a free port for the length of `use(url)`;
   * then SIGTERM, and its exit code.
   */
  const withDemoEmulator = async (use: (url: string) => Promise<void>): Promise<number | null> => {
    const bin = join(app.dir, "node_modules/.bin/effect-clerk-emulator")
    const child = spawn(bin, ["--port", "0", "--demo", "--secret-key", DEMO_KEY], { cwd: app.dir, stdio: ["ignore", "pipe", "pipe"] })
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      let output = ""
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening on" line after 30 s:\n${output}`)), 30_000)
        const onData = (chunk: Buffer) => {
          output += chunk
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
          if (match) {
            clearTimeout(timer)
            resolve(match[1]!)
          }
        }
        child.stdout.on("data", onData)
        child.stderr.on("data", onData)
        child.on("exit", (code) => {
          clearTimeout(timer)
          reject(new Error(`exited ${code} before listening:\n${output}`))
        })
      })
      await use(url)
    } finally {
      child.kill("SIGTERM")
    }
    return exited
  }

  it("installs with a plain npm install, sharing the app's single effect (and @effect/platform on effect 3)", () => {
    if (app.line === "effect3" && name === "oldest") {
      expect([app.effect, app.platform]).toEqual(["3.22.0", "0.97.0"])
    } else if (name === "oldest") {
      expect(app.effect).toBe("4.1.0")
    } else {
      // The newest the registry serves is at least what this repo develops against.
      expect(atLeast(app.effect, line.devEffect), app.effect).toBe(true)
    }
    if (app.line === "effect3") {
      expect(app.effect).toMatch(/^3\.\d+\.\d+$/)
      expect(app.platform).toMatch(/^0\.97\.\d+$/)
      if (name === "latest") expect(atLeast(app.platform!, pkg.devDependencies["@effect/platform"]), app.platform).toBe(true)
    } else {
      expect(app.effect).toMatch(/^4\.\d+\.\d+$/)
      // effect 4 carries HTTP itself: nothing in the app pulls @effect/platform in.
      expect(app.platform).toBeUndefined()
      expect(existsSync(join(app.dir, "node_modules/@effect/platform"))).toBe(false)
    }
    const installed = JSON.parse(readFileSync(join(app.dir, "node_modules/effect-clerk/package.json"), "utf8"))
    expect(installed.name).toBe("effect-clerk")
    expect(installed.version).toBe(line.version)
    // Peers, not nested copies: one Effect runtime and one set of Context tags in the app.
    expect(existsSync(join(app.dir, "node_modules/effect-clerk/node_modules/effect"))).toBe(false)
    expect(existsSync(join(app.dir, "node_modules/effect-clerk/node_modules/@effect/platform"))).toBe(false)
    expect(existsSync(join(app.dir, "node_modules/jose/package.json"))).toBe(true)
  })

  it("runs the consumer code (test/consumer/app with only Effect's own imports changed, and the line's README quick start as written)", () => {
    let changed = 0
    for (const [file, from] of Object.entries(CONSUMER_FILES)) {
      const written = readFileSync(join(root, consumerSource(from, app.line).path), "utf8").split("\n")
      const used = readFileSync(join(app.dir, file), "utf8").split("\n")
      expect(used.length, file).toBe(written.length)
      const specifier = /(\bfrom\s+)(["'])([^"']+)\2/
      for (let i = 0; i < written.length; i++) {
        if (used[i] === written[i]) continue
        changed++
        // An import line, the same but for its module: an @effect/platform module became effect's own.
        expect(written[i], `${file}:${i + 1}`).toMatch(/^import\b/)
        expect(used[i]!.replace(specifier, "$1$2M$2"), `${file}:${i + 1}`).toBe(written[i]!.replace(specifier, "$1$2M$2"))
        expect(specifier.exec(written[i]!)?.[3], `${file}:${i + 1}`).toMatch(/^@effect\/platform(\/|$)/)
        expect(specifier.exec(used[i]!)?.[3], `${file}:${i + 1}`).toMatch(/^effect\/http(\/|$)/)
      }
      // No module of @effect/platform is imported any more (comments may still name it).
      if (app.line === "effect4") expect(used.filter((l) => /\bfrom\s+["']@effect\/platform/.test(l)), file).toEqual([])
    }
    // effect 3: the files as written; effect 4: the FetchHttpClient import (effect/http) at least.
    if (app.line === "effect3") expect(changed).toBe(0)
    else expect(changed).toBeGreaterThan(0)
  })

  const shipped = () =>
    run("tar", ["-tzf", inject("consumer").tarballs[app.line]!], { cwd: app.dir }).then((r) =>
      r.stdout.split("\n").filter((f) => /^package\/dist\/.*\.d\.ts$/.test(f)).map((f) => f.slice("package/".length))
    )

  it.each([
    ["NodeNext", "tsconfig.nodenext.json"],
    ["ESNext + Bundler", "tsconfig.bundler.json"]
  ])("type-checks consumer code and every shipped .d.ts with tsc --strict, skipLibCheck false (%s)", async (_, project) => {
    const config = JSON.parse(readFileSync(join(app.dir, project), "utf8"))
    expect(config.compilerOptions).toMatchObject({ strict: true, skipLibCheck: false })
    const result = await inApp(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project, "--listFiles"], 280_000)
    const diagnostics = result.stdout.split("\n").filter((line) => !line.startsWith("/")).join("\n").trim()
    expect(diagnostics, describeRun(`tsc -p ${project}`, app.dir, result)).toBe("")
    expect(result.code).toBe(0)
    const checked = result.stdout.split("\n").filter((line) => line.includes("/node_modules/effect-clerk/"))
    const dts = await shipped()
    expect(dts.length).toBeGreaterThan(20)
    for (const file of dts) expect(checked.some((line) => line.endsWith(`/node_modules/effect-clerk/${file}`)), file).toBe(true)
  }, 300_000) // tsc takes 7 s on an idle machine, 35 s on a loaded one

  it("type-checks effect-clerk and effect-clerk/testing (all their .d.ts) without @types/node, as a Worker app does", async () => {
    const config = JSON.parse(readFileSync(join(app.dir, "tsconfig.portable.json"), "utf8"))
    expect(config.compilerOptions).toMatchObject({ strict: true, skipLibCheck: false, types: [] })
    const result = await inApp(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.portable.json", "--listFiles"], 280_000)
    const diagnostics = result.stdout.split("\n").filter((line) => !line.startsWith("/")).join("\n").trim()
    expect(diagnostics, describeRun("tsc -p tsconfig.portable.json", app.dir, result)).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain("/node_modules/@types/node/")
    expect(result.stdout).toContain("/node_modules/effect-clerk/dist/testing/ClerkEmulator.d.ts")
  }, 300_000)

  it.each(runtimesOf(app.line))("runs the consumer program on %s: list, get, template token, verify, authenticateRequest, revoke, typed errors, User-Agent", async (_, runtime, args) => {
    // out/program.js is the NodeNext type-check's emit (noEmitOnError), made by the test above.
    expect(existsSync(join(app.dir, "out/program.js")), "out/program.js: the NodeNext type-check did not emit").toBe(true)
    expect(existsSync(runtime), `${runtime}: npm ci (--prefix runtimes/node24)`).toBe(true)
    const result = await inApp(runtime, [...args, "out/program.js"], 60_000)
    expect(result.code, describeRun(`${runtime} ${args.join(" ")} out/program.js`, app.dir, result)).toBe(0)
    const output = result.stdout.split("\n").find((l) => l.startsWith("RESULT "))
    expect(output, result.stdout).toBeDefined()
    const { local, socket, stub } = JSON.parse(output!.slice("RESULT ".length))
    for (const flow of [local, socket]) {
      expect(flow.got).toMatch(/^sess_/)
      expect(flow).toEqual({
        listed: [flow.got],
        totalCount: 1,
        browser: "Firefox",
        isMobile: true,
        got: flow.got,
        gotStatus: "active",
        templateSub: "user_consumer",
        templateApp: "consumer",
        tokenLogged: "<redacted>",
        verifiedSid: flow.got,
        verifiedSub: "user_consumer",
        requestSid: flow.got,
        missing: "ClerkTokenMissing",
        revoked: "revoked",
        notFound: "ClerkNotFound 404 resource_not_found",
        badToken: "ClerkTokenInvalid TokenInvalid",
        // Every request names the tarball's version (dist/internal/version.js as pack.mjs set it).
        userAgents: [`effect-clerk/${line.version}`]
      })
    }
    expect(local.got).not.toBe(socket.got)
    expect(stub).toBe(line.stub)
  })

  it("passes the app's own vitest file (ClerkEmulator.layer, layerSessions, SessionsTest.layer) with the line's vitest and @effect/vitest", async () => {
    const report = join(app.dir, "vitest-report.json")
    const vitest = JSON.parse(readFileSync(join(app.dir, "node_modules/vitest/package.json"), "utf8")).version
    expect(vitest).toBe(app.line === "effect3" ? pkg.devDependencies.vitest : effect4Pkg.devDependencies.vitest)
    const result = await inApp(
      line.vitestNode,
      ["node_modules/vitest/vitest.mjs", "run", "--reporter=json", `--outputFile=${report}`],
      120_000
    )
    expect(result.code, describeRun("vitest run", app.dir, result)).toBe(0)
    const tests = JSON.parse(readFileSync(report, "utf8")).testResults.flatMap((file: any) => file.assertionResults)
    expect(tests.map((t: any) => [t.title, t.status])).toEqual([
      ["revokes every active session (ClerkEmulator.layer under ClerkClient.layer)", "passed"],
      ["survives a 503 from Clerk (layerSessions)", "passed"],
      ["its session tokens verify networklessly", "passed"],
      ["with a stub (SessionsTest.layer)", "passed"]
    ])
  })

  it("is ESM only: import() loads every entry point, require() fails with ERR_PACKAGE_PATH_NOT_EXPORTED", async () => {
    const imported = await inApp(process.execPath, [
      "--input-type=module",
      "-e",
      `const [a, b, c, d] = await Promise.all(["effect-clerk", "effect-clerk/testing", "effect-clerk/testing/node", "effect-clerk/http"].map((m) => import(m)))
       console.log([typeof a.Sessions, typeof a.TokenVerifier, typeof b.ClerkEmulator, typeof c.NodeClerkEmulator.serve, typeof d.ClerkWebhooks.layerConfig].join(" "))`
    ])
    expect(imported.stdout.trim(), describeRun("import()", app.dir, imported)).toBe("function function function function function")
    const required = await inApp(process.execPath, ["-e", `require("effect-clerk")`])
    expect(required.code).not.toBe(0)
    expect(required.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })

  it("ships a working effect-clerk-emulator bin: --help, then --demo on port 0 serves /v1/jwks and the demo sessions", async () => {
    const bin = join(app.dir, "node_modules/.bin/effect-clerk-emulator")
    const help = await inApp(bin, ["--help"])
    expect(help.code, describeRun("effect-clerk-emulator --help", app.dir, help)).toBe(0)
    expect(help.stdout).toContain("Usage: effect-clerk-emulator [options]")

    const exit = await withDemoEmulator(async (url) => {
      const auth = { headers: { authorization: `Bearer ${DEMO_KEY}` } }
      const jwks = await (await fetch(`${url}/v1/jwks`, auth)).json()
      expect(jwks.keys).toHaveLength(1)
      expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" })
      const sessions = await (await fetch(`${url}/v1/sessions?user_id=user_demo&paginated=true`, auth)).json()
      expect(sessions.total_count).toBeGreaterThan(0)
      expect(sessions.data.every((s: any) => s.user_id === "user_demo")).toBe(true)
    })
    expect(exit).toBe(0)
  })

  it("runs the README quick start (compiled under NodeNext) against the shipped bin's --demo emulator", async () => {
    expect(existsSync(join(app.dir, "out/quickstart.js")), "out/quickstart.js: the NodeNext type-check did not emit").toBe(true)
    const exit = await withDemoEmulator(async (url) => {
      const result = await run(process.execPath, ["out/quickstart.js"], {
        cwd: app.dir,
        env: { CLERK_API_URL: url, CLERK_SECRET_KEY: DEMO_KEY }
      })
      expect(result.code, describeRun("node out/quickstart.js", app.dir, result)).toBe(0)
      // No tagged failure was handled (those print to stderr), and each step printed its line.
      expect(result.stderr).toBe("")
      const [listed, got, minted, revoked, ...rest] = result.stdout.trimEnd().split("\n")
      expect(rest).toEqual([])
      expect(Number(/^(\d+) active sessions$/.exec(listed!)?.[1])).toBeGreaterThan(0)
      const id = /^(sess_\w+) last active \S/.exec(got!)?.[1]
      expect(id, got).toBeDefined()
      expect(minted).toBe("minted <redacted>")
      expect(revoked).toBe(`${id} is now revoked`)
    })
    expect(exit).toBe(0)
  })

  it("the README quick start without CLERK_SECRET_KEY prints a readable failure naming it, and exits 1", async () => {
    const result = await run(process.execPath, ["out/quickstart.js"], {
      cwd: app.dir,
      env: { CLERK_API_URL: "http://127.0.0.1:9", CLERK_SECRET_KEY: "" }
    })
    expect(result.code, describeRun("node out/quickstart.js", app.dir, result)).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain("CLERK_SECRET_KEY")
    expect(result.stderr).not.toContain("[object Object]")
    expect(result.stderr).not.toContain("UnhandledPromiseRejection")
  })
})
