/**
 * `npm start`: the emulator over HTTP (port `EMULATOR_PORT`, default 4010, secret key
 * `sk_test_demo`), seeded with user `user_demo`, sessions on several devices in several
 * states and the JWT template `demo_template`; then the URLs and curl commands to try. Its
 * `POST …/verify` answers 410 `operation_deprecated`, as Clerk does.
 * Ctrl-C stops everything it started.
 *
 * Then the example Worker under `wrangler dev` (port `PORT`, default 8787) against that
 * emulator, with its own curl commands, a session token first (`DEMO_WORKER=0` leaves it
 * out). The commands are data (`demoCommands`, `workerCommands`): printed by
 * `renderCommands`, sent by the tests with `runCommands`.
 */
import * as Effect from "effect/Effect"
import { ClerkEmulator } from "../src/testing/index.js"
import { serve } from "../src/testing/node/index.js"
import {
  DEMO_OTHER_USER_ID,
  DEMO_REVOKE_SESSION_ID,
  DEMO_SECRET_KEY,
  DEMO_SESSION_ID,
  DEMO_TEMPLATE,
  DEMO_USER_ID,
  DEMO_USERS,
  demoSeed
} from "../src/testing/node/bin/demoData.js"
import { type DemoCommand, renderCommands } from "./commands.js"
import { type RunningWorker, startDemoWorker, workerCommands } from "./worker.js"

export * from "./commands.js"
export * from "../src/testing/node/bin/demoData.js"

/**
 * The commands the demo prints against the emulator's `/v1` API at `url`, as data
 * (`renderCommands` prints them, `runCommands` sends them).
 */
export const demoCommands = (url: string, secretKey: string = DEMO_SECRET_KEY): ReadonlyArray<DemoCommand> => {
  const api = `${url}/v1`
  const headers = { Authorization: `Bearer ${secretKey}` }
  return [
    {
      title: `List ${DEMO_USER_ID}'s sessions (newest first, {data,total_count} like the SDK asks for)`,
      requests: [{ method: "GET", url: `${api}/sessions?user_id=${DEMO_USER_ID}&paginated=true`, headers }]
    },
    {
      title: `Get one session`,
      requests: [{ method: "GET", url: `${api}/sessions/${DEMO_SESSION_ID}`, headers }]
    },
    {
      title: `Mint a token from the JWT template ${DEMO_TEMPLATE}`,
      requests: [{ method: "POST", url: `${api}/sessions/${DEMO_SESSION_ID}/tokens/${DEMO_TEMPLATE}`, headers }]
    },
    {
      title: `Server-side verification is gone: mint a session token and POST it to …/verify, which answers` +
        ` 410 operation_deprecated as Clerk does (ClerkGone in the SDK). Verify tokens networklessly instead,` +
        ` with TokenVerifier and the keys at /v1/jwks: the Worker below does (W2)`,
      requests: [
        { method: "POST", url: `${api}/sessions/${DEMO_SESSION_ID}/tokens`, headers, saveToken: true },
        { method: "POST", url: `${api}/sessions/${DEMO_SESSION_ID}/verify`, headers, body: { token: "$TOKEN" }, showStatus: true },
        { method: "GET", url: `${api}/jwks`, headers }
      ]
    },
    {
      title: `Revoke a session (its status becomes "revoked")`,
      requests: [{ method: "POST", url: `${api}/sessions/${DEMO_REVOKE_SESSION_ID}/revoke`, headers }]
    },
    {
      title: `A typed error: an unknown session is a 404 resource_not_found (ClerkNotFound in the SDK)`,
      requests: [{ method: "GET", url: `${api}/sessions/sess_does_not_exist`, headers, showStatus: true }]
    }
  ]
}

export interface DemoOptions {
  /** Default: `EMULATOR_PORT`, else 4010. 0 picks a free port. */
  readonly port?: number | undefined
  readonly hostname?: string | undefined
  readonly secretKey?: string | undefined
}

export interface RunningDemo {
  /** The emulator's base URL, without `/v1` (what `ClerkClient`'s `apiUrl` takes). */
  readonly url: string
  readonly secretKey: string
  readonly emulator: ClerkEmulator.Service
  readonly stop: () => Promise<void>
}

/**
 * Start the emulator over HTTP and seed the demo data.
 */
export const startDemoEmulator = async (options: DemoOptions = {}): Promise<RunningDemo> => {
  const secretKey = options.secretKey ?? DEMO_SECRET_KEY
  const port = options.port ?? Number(process.env.EMULATOR_PORT ?? 4010)
  // POST …/verify answers 410 operation_deprecated, as Clerk does (the emulator's default).
  const emulator = await ClerkEmulator.start({ secretKey })
  await Effect.runPromise(emulator.seed(demoSeed(Date.now())))
  const server = await serve(emulator, { port, hostname: options.hostname ?? "127.0.0.1" })
  return { url: server.url, secretKey, emulator, stop: server.stop }
}

/** The repository's two release lines: which wrangler config serves the demo's Worker. */
export type DemoLine = "effect3" | "effect4"

const WRANGLER_CONFIG: Record<DemoLine, string> = { effect3: "wrangler.toml", effect4: "wrangler.effect4.toml" }
const LINE_NAME: Record<DemoLine, string> = { effect3: "Effect 3", effect4: "Effect 4" }

/**
 * The demo, as `npm start` (Effect 3) and `npm run start:effect4` run it: demo/start.mjs
 * bundles this module for the line (the emulator, too, then runs on that line's Effect) and
 * calls `main` with it.
 */
export const main = async (line: DemoLine = "effect3") => {
  let demo: RunningDemo
  try {
    demo = await startDemoEmulator()
  } catch (error) {
    const code = (error as { code?: string }).code
    console.error(
      code === "EADDRINUSE"
        ? `Port ${process.env.EMULATOR_PORT ?? 4010} is in use; set EMULATOR_PORT to another port.`
        : `Could not start the emulator: ${String(error)}`
    )
    process.exit(1)
  }
  const lines = [
    "",
    `effect-clerk demo (${LINE_NAME[line]} line): an offline Clerk Backend API`,
    "",
    `  Emulator  ${demo.url}/v1   (secret key ${demo.secretKey})`,
    `  JWKS      ${demo.url}/v1/jwks`,
    `  Seeded    user ${DEMO_USER_ID}: 6 sessions (2 active, 1 pending, 1 ended, 1 revoked, 1 expired), user ${DEMO_OTHER_USER_ID}: 1 active, JWT template ${DEMO_TEMPLATE}`,
    "",
    "Try:",
    ""
  ]
  lines.push(...renderCommands(demoCommands(demo.url, demo.secretKey)))
  lines.push("Ctrl-C stops the demo.", "")
  console.log(lines.join("\n"))

  let stopping = false
  // The example Worker under wrangler dev, against this emulator (DEMO_WORKER=0 skips it).
  let worker: RunningWorker | undefined
  if (process.env.DEMO_WORKER !== "0") {
    try {
      worker = startDemoWorker({
        config: WRANGLER_CONFIG[line],
        emulatorUrl: demo.url,
        secretKey: demo.secretKey,
        demoUsers: DEMO_USERS
      })
      console.log(`Starting the example Worker (examples/${line}/worker) under wrangler dev on ${worker.url} …`)
      const started = worker
      started.ready.then(() => {
        const block = [
          "",
          `  Worker    ${started.url}   (wrangler dev, no compatibility flags, CLERK_API_URL=${demo.url})`,
          "",
          `  Open ${started.url}/sign-in in a browser: sign in as a demo user and manage their active devices.`,
          ""
        ]
        block.push(...renderCommands(workerCommands(started.url, demo.url, demo.secretKey), "W"))
        block.push("Ctrl-C stops the demo (emulator and Worker).", "")
        console.log(block.join("\n"))
      }, (error) => {
        if (!stopping) console.log(`The example Worker did not start (${error.message}); the emulator keeps running.`)
      })
    } catch (error) {
      console.log(`The example Worker is not started: ${(error as Error).message}.`)
    }
  }

  const shutdown = () => {
    if (stopping) return
    stopping = true
    Promise.all([worker?.stop(), demo.stop()]).then(() => {
      console.log("Demo stopped.")
      process.exit(0)
    }, () => process.exit(1))
  }
  process.on("SIGINT", shutdown)
  process.on("SIGTERM", shutdown)
}
