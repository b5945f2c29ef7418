/**
 * Shared by test/consumer's globalSetup and tests: running a command with a time bound and
 * output worth reading when it fails, and the consumer apps the setup installs.
 */
import { spawn } from "node:child_process"

/** The Effect 3 consumer apps: the newest effect / @effect/platform the registry serves, and the oldest the peer ranges allow. */
export const APPS = ["latest", "oldest"] as const
export type AppName = (typeof APPS)[number]

export interface ConsumerApp {
  readonly name: AppName
  /** The app folder (under os.tmpdir()), with the tarball and its peers installed. */
  readonly dir: string
  /** What npm installed next to effect-clerk. */
  readonly effect: string
  readonly platform: string
}

export interface ConsumerContext {
  /** pack/effect-clerk-effect3.tgz, as `npm run pack` wrote it. */
  readonly tarball: string
  readonly apps: Record<AppName, ConsumerApp>
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: ConsumerContext
  }
}

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
