/**
 * Shared by test/consumer's globalSetup and tests: the release lines and their apps, the
 * effect 3 → 4 rewrite of the consumer code, running a command with a time bound and output
 * worth reading when it fails.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The release lines, each packed as pack/effect-clerk-<line>.tgz. */
export const LINES = ["effect3", "effect4"] as const
export type Line = (typeof LINES)[number]

/**
 * The apps each line's tarball is installed into: the newest effect of the line the registry
 * serves (and, on effect 3, @effect/platform 0.97), and the oldest the peer ranges allow
 * (effect 3.22.0 / @effect/platform 0.97.0; effect 4.1.0).
 */
export const APPS = { effect3: ["latest", "oldest"], effect4: ["latest", "oldest"] } as const satisfies Record<Line, ReadonlyArray<string>>
export type AppName = (typeof APPS)[Line][number]

/**
 * The lines this run covers: CONSUMER_LINE=effect3 or effect4 (scripts/test.mjs runs the suite
 * once per line, as consumer-effect3 and consumer-effect4); unset, both.
 */
export const selectedLines = (): ReadonlyArray<Line> => {
  const wanted = process.env.CONSUMER_LINE
  if (wanted === undefined || wanted === "") return LINES
  const lines = wanted.split(",")
  for (const line of lines) if (!(LINES as ReadonlyArray<string>).includes(line)) throw new Error(`CONSUMER_LINE: unknown line ${line}`)
  return lines as Array<Line>
}

/** Node 24 (runtimes/node24, `npm ci --prefix runtimes/node24`): vitest 5 needs Node >= 22. */
export const node24 = process.env.CONSUMER_NODE24 ??
  fileURLToPath(new URL("../../runtimes/node24/node_modules/node/bin/node", import.meta.url))

export interface ConsumerApp {
  readonly line: Line
  readonly name: AppName
  /** The app folder (under os.tmpdir()), with the tarball and its peers installed. */
  readonly dir: string
  /** What npm installed next to effect-clerk. */
  readonly effect: string
  /** @effect/platform as installed, `undefined` when the app has none (effect 4). */
  readonly platform: string | undefined
}

export interface ConsumerContext {
  /** pack/effect-clerk-<line>.tgz, as `npm run pack` wrote it, for each line of this run. */
  readonly tarballs: Partial<Record<Line, string>>
  readonly apps: ReadonlyArray<ConsumerApp>
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: ConsumerContext
  }
}

/**
 * The consumer code copied into each app: the app's file name → its source in this repository.
 * test/consumer/app is written once (rewritten by `toEffect4` for effect 4); the README's quick
 * start is each line's own (examples/effect3/quickstart.ts, examples/effect4/quickstart.ts),
 * copied as it stands.
 */
export const CONSUMER_FILES = {
  "program.ts": "test/consumer/app/program.ts",
  "app.test.ts": "test/consumer/app/app.test.ts",
  "portable.ts": "test/consumer/app/portable.ts",
  "quickstart.ts": { effect3: "examples/effect3/quickstart.ts", effect4: "examples/effect4/quickstart.ts" }
} as const

/** Where a consumer file of `line` comes from, and whether it is rewritten by `toEffect4` (shared files on effect 4). */
export const consumerSource = (
  from: (typeof CONSUMER_FILES)[keyof typeof CONSUMER_FILES],
  line: "effect3" | "effect4"
): { readonly path: string; readonly rewritten: boolean } =>
  typeof from === "string" ? { path: from, rewritten: line === "effect4" } : { path: from[line], rewritten: false }

/**
 * The consumer code of the Effect 4 app: test/consumer/app/*.ts with only Effect's own imports
 * changed, as a user moving from effect 3 to 4 changes them: `@effect/platform` (and
 * `@effect/platform/X`) become `effect/http` (`effect/http/X`). Lines that are not an import
 * (or the `} from` end of one) are never touched; apps.test.ts checks that.
 */
export const toEffect4 = (source: string): string =>
  source
    .split("\n")
    .map((line) =>
      /^(import\b|\}\s*from\b)/.test(line)
        ? line.replace(/(\bfrom\s+)(["'])@effect\/platform(\/[A-Za-z]+)?\2/, (_, from, quote, sub = "") => `${from}${quote}effect/http${sub}${quote}`)
        : line
    )
    .join("\n")

export interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

/**
 * Run `cmd args` in `cwd` and collect its output; after `timeout` ms the process group is
 * killed and `timedOut` is set. Never rejects: check `code`.
 */
export const run = (
  cmd: string,
  args: ReadonlyArray<string>,
  { cwd, timeout = 120_000, env = {} }: { cwd: string; timeout?: number; env?: Record<string, string> }
): Promise<Run> =>
  new Promise((resolve) => {
    // Without the npm_* variables `npm test` sets (npm_config_local_prefix names this checkout):
    // the app's npm must see only the app.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
    const child = spawn(cmd, args, {
      cwd,
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, "SIGKILL")
      } catch {}
    }, timeout)
    child.on("error", (error) => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}`, timedOut })
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })

/** A failed run, described for a test failure: the command, where, how it ended and the tail of its output. */
export const describeRun = (what: string, cwd: string, result: Run): string => {
  const tail = (text: string) => text.trim().split("\n").slice(-40).join("\n")
  const ended = result.timedOut ? "timed out (killed)" : `exited ${result.code ?? result.signal}`
  return `${what} in ${cwd} ${ended}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`
}

/** `run`, throwing `describeRun`'s text unless it exited 0. */
export const runOk = async (
  what: string,
  cmd: string,
  args: ReadonlyArray<string>,
  options: { cwd: string; timeout?: number; env?: Record<string, string> }
): Promise<Run> => {
  const result = await run(cmd, args, options)
  if (result.code !== 0) throw new Error(describeRun(what, options.cwd, result))
  return result
}
