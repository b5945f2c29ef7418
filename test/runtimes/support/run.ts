/** Run another runtime's process from a test: output captured, a deadline, its group killed after. */
import { spawn } from "node:child_process"
import { createServer } from "node:net"

export const root = new URL("../../../", import.meta.url).pathname
export const bin = (name: string) => `${root}node_modules/.bin/${name}`

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** stdout's lines, trimmed, empty ones dropped. */
  readonly lines: ReadonlyArray<string>
}

/** Run `cmd` in the repository root with `env` added; fail the test if it outlives `timeoutMs`. */
export const run = (
  cmd: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string | undefined>; readonly timeoutMs?: number } = {}
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL")
      reject(new Error(`${cmd} ${args.join(" ")} still running after ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, lines: stdout.split("\n").map((l) => l.trim()).filter((l) => l.length > 0) })
    })
  })

/**
 * What every runtime example prints against its own emulator (the session id and time vary):
 * list → get → template token → revoke → one typed error.
 */
export const expectedExampleOutput: ReadonlyArray<RegExp> = [
  /^emulator: serving on http:\/\/127\.0\.0\.1:\d+$/,
  /^list: 2 active sessions for user_demo$/,
  /^list: newest is (sess_\w+) \(Firefox in Lyon\)$/,
  /^get: (sess_\w+) is active, last active \d{4}-\d\d-\d\dT[\d:.]+Z$/,
  /^token: demo_template JWT for user_demo \(logged as <redacted>\)$/,
  /^revoke: (sess_\w+) is now revoked$/,
  /^typed error: ClerkNotFound 404 resource_not_found$/
]

/** A port free on 127.0.0.1 right now (for servers, like wrangler dev, that cannot take port 0). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
