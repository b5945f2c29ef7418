/**
 * The `npm start` demo's second half: the example Worker (`examples/effect3/worker` or `examples/effect4/worker`, wired by the
 * root `wrangler.toml`, or `wrangler.effect4.toml` on the Effect 4 line) under `wrangler dev`,
 * with no compatibility flags, pointed at the demo's emulator (test/runtimes/wrangler-dev.test.ts starts it the same way). Node only;
 * needs a checkout with `npm ci` done (wrangler is a dev dependency).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEMO_SESSION_ID, DEMO_TEMPLATE, DEMO_USER_ID } from "../src/testing/node/bin/demoData.js"
import type { DemoCommand } from "./commands.js"

export interface DemoWorkerOptions {
  /** The emulator's base URL (the Worker's CLERK_API_URL). */
  readonly emulatorUrl: string
  readonly secretKey: string
  /** Default: `PORT`, else 8787. */
  readonly port?: number | undefined
  /** Where the wrangler config and `node_modules/.bin/wrangler` are (default: the working directory). */
  readonly cwd?: string | undefined
  /** The wrangler config, relative to `cwd` (default `wrangler.toml`; the Effect 4 line's is `wrangler.effect4.toml`). */
  readonly config?: string | undefined
  /** How long to wait for the first answer (default 90 s). */
  readonly timeoutMs?: number | undefined
  /** workerd's inspector port (default: wrangler's, 9229); set it where several may run. */
  readonly inspectorPort?: number | undefined
  /** The Worker's DEMO_USERS: the users its sign-in page offers (none: no demo sign-in). */
  readonly demoUsers?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly email?: string }> | undefined
  /** The Worker's CLERK_WEBHOOK_SIGNING_SECRET (none: it takes no webhooks). */
  readonly webhookSigningSecret?: string | undefined
}

export interface RunningWorker {
  readonly url: string
  /** Resolves once the Worker answers; rejects (with wrangler stopped) if it cannot start. */
  readonly ready: Promise<void>
  /** Stops wrangler and everything it started (its process group). Safe to call twice. */
  readonly stop: () => Promise<void>
  /** Everything wrangler has printed so far (stdout and stderr). */
  readonly output: () => string
  /** wrangler's pid, which is also its process group's id. */
  readonly pid: number | undefined
}

/**
 * Start `wrangler dev` in its own process group; `ready` resolves once the Worker answers.
 * Throws at once when wrangler or the config is missing.
 */
export const startDemoWorker = (options: DemoWorkerOptions): RunningWorker => {
  const cwd = options.cwd ?? process.cwd()
  const wrangler = join(cwd, "node_modules/.bin/wrangler")
  const config = options.config ?? "wrangler.toml"
  if (!existsSync(wrangler) || !existsSync(join(cwd, config))) {
    throw new Error(`wrangler or ${config} not found (run npm start from a checkout after npm ci)`)
  }
  const port = options.port ?? Number(process.env.PORT ?? 8787)
  const scratch = mkdtempSync(join(tmpdir(), "effect-clerk-demo-worker-"))
  let output = ""
  const child: ChildProcess = spawn(
    wrangler,
    [
      "dev",
      "--config", config,
      "--ip", "127.0.0.1",
      "--port", String(port),
      ...(options.inspectorPort === undefined ? [] : ["--inspector-port", String(options.inspectorPort)]),
      "--show-interactive-dev-session=false",
      "--persist-to", join(scratch, "state"),
      // --var wins over a developer's .dev.vars.
      "--var", `CLERK_SECRET_KEY:${options.secretKey}`,
      "--var", `CLERK_API_URL:${options.emulatorUrl}`,
      ...(options.demoUsers === undefined ? [] : ["--var", `DEMO_USERS:${JSON.stringify(options.demoUsers)}`]),
      ...(options.webhookSigningSecret === undefined ? [] : ["--var", `CLERK_WEBHOOK_SIGNING_SECRET:${options.webhookSigningSecret}`])
    ],
    {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        // Without a writable config home wrangler can spin at 100% CPU and never serve.
        XDG_CONFIG_HOME: join(scratch, "config"),
        NO_COLOR: "1"
      }
    }
  )
  child.stdout!.on("data", (chunk) => (output += chunk))
  child.stderr!.on("data", (chunk) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const running = () => child.exitCode === null && child.signalCode === null

  let stopped: Promise<void> | undefined
  const stop = () =>
    stopped ??= (async () => {
      if (running()) {
        try {
          process.kill(-child.pid!, "SIGTERM")
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL")
          } catch {}
        }, 5_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(scratch, { recursive: true, force: true })
    })()

  const url = `http://127.0.0.1:${port}`
  const ready = (async () => {
    const deadline = Date.now() + (options.timeoutMs ?? 90_000)
    for (;;) {
      if (stopped !== undefined) throw new Error("stopped before it was ready")
      if (!running()) {
        await stop()
        const last = output.trim().split("\n").filter((line) => /error|address/i.test(line)).at(-1)
        throw new Error(`wrangler dev exited${last ? `: ${last.trim()}` : ""}`)
      }
      const answer = await fetch(`${url}/me`).then(
        async (res) => ({ status: res.status, body: await res.text() }),
        () => undefined
      )
      // The Worker answers /me without a token with ClerkAuth's JSON 401; anything else is another server on the port.
      if (answer?.status === 401 && answer.body.includes(`"ClerkUnauthenticated"`)) return
      if (answer !== undefined) {
        await stop()
        throw new Error(`port ${port} answers, but not with the example Worker; set PORT to another port`)
      }
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`wrangler dev did not answer on port ${port} in time`)
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  })()
  return { url, ready, stop, output: () => output, pid: child.pid }
}

/** How long the demo's W1 token lives: long enough to paste the rest by hand (Clerk's default is 60 s). */
export const DEMO_TOKEN_SECONDS = 3600

/**
 * The request that mints a session token for `user_demo`'s laptop session at the emulator
 * (the demo's W1).
 */
export const demoTokenRequest = (emulatorUrl: string, secretKey: string) => ({
  method: "POST" as const,
  url: `${emulatorUrl}/v1/sessions/${DEMO_SESSION_ID}/tokens`,
  headers: { Authorization: `Bearer ${secretKey}` },
  body: { expires_in_seconds: DEMO_TOKEN_SECONDS }
})

/**
 * The commands the demo prints for the Worker at `workerUrl`, in the order to paste them: a
 * session token first (minted at the emulator), then the Worker verifying it networklessly
 * and acting for its user.
 */
export const workerCommands = (workerUrl: string, emulatorUrl: string, secretKey: string): ReadonlyArray<DemoCommand> => {
  const auth = { Authorization: "Bearer $TOKEN" }
  return [
    {
      title: `Get a session token for ${DEMO_USER_ID} from the emulator (valid ${DEMO_TOKEN_SECONDS / 60} minutes here; Clerk's default is 60 s)`,
      requests: [{ ...demoTokenRequest(emulatorUrl, secretKey), saveToken: true }]
    },
    {
      title: "The networkless way: the Worker verifies the token itself with TokenVerifier (keys from /v1/jwks, fetched once) and says who you are; no call to Clerk",
      requests: [{ method: "GET", url: `${workerUrl}/me`, headers: auth }]
    },
    {
      title: "What the Worker's isolates share (wrangler dev's local KV and Durable Object, no account): the JWKS it stored in KV, which a cold isolate reads instead of asking Clerk, and one Clerk request budget for the fleet",
      requests: [{ method: "GET", url: `${workerUrl}/fleet`, headers: auth }]
    },
    {
      title: `The Worker lists ${DEMO_USER_ID}'s sessions (camelCase, ISO dates)`,
      requests: [{ method: "GET", url: `${workerUrl}/users/${DEMO_USER_ID}/sessions`, headers: auth }]
    },
    {
      title: "Gets one",
      requests: [{ method: "GET", url: `${workerUrl}/sessions/${DEMO_SESSION_ID}`, headers: auth }]
    },
    {
      title: `Mints a ${DEMO_TEMPLATE} token`,
      requests: [{ method: "POST", url: `${workerUrl}/sessions/${DEMO_SESSION_ID}/tokens/${DEMO_TEMPLATE}`, headers: auth }]
    },
    {
      title: "Revokes the pending tablet session",
      requests: [{ method: "POST", url: `${workerUrl}/sessions/sess_demo_tablet/revoke`, headers: auth }]
    },
    {
      title: "Answers a Clerk 404 with its code, another user's data with 403, no token with 401 (saying how to get one)",
      requests: [
        { method: "GET", url: `${workerUrl}/sessions/sess_does_not_exist`, headers: auth, showStatus: true },
        { method: "GET", url: `${workerUrl}/users/user_someone_else/sessions`, headers: auth, showStatus: true },
        { method: "GET", url: `${workerUrl}/users/${DEMO_USER_ID}/sessions`, showStatus: true }
      ]
    }
  ]
}
