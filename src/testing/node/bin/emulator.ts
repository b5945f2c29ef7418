#!/usr/bin/env node
/**
 * `effect-clerk-emulator`: the Clerk Backend API emulator as a standalone HTTP server.
 *
 *   effect-clerk-emulator [--port N] [--host H] [--secret-key sk_test_…]
 *                         [--instance development|production] [--verify gone|legacy]
 *                         [--seed FILE.json] [--demo]
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import * as Effect from "effect/Effect"
import { ClerkEmulator, DEFAULT_EMULATOR_SECRET_KEY, type EmulatorSeed } from "../../index.js"
import { serve } from "../index.js"
import { DEMO_SECRET_KEY, demoSeed } from "./demoData.js"

const USAGE = `Usage: effect-clerk-emulator [options]

An offline Clerk Backend API (/v1/sessions*, /v1/jwks) for tests and local development.

Options:
  --port N             port to listen on (default 4010; 0 = any free port)
  --host H             interface to bind (default 127.0.0.1)
  --secret-key KEY     the secret key to accept (default ${DEFAULT_EMULATOR_SECRET_KEY})
  --instance KIND      development (default) or production (refuses POST /v1/sessions)
  --verify MODE        gone (default: 410 like Clerk) or legacy (old 200 behaviour)
  --seed FILE.json     seed data: {"users":[…],"organizations":[…],"memberships":[…],"templates":[…],"sessions":[…]}
  --demo               seed the npm-start demo data (user_demo, demo_template, …) and print its
                       ids; its secret key is sk_test_demo (as npm start's) unless --secret-key is given
  -h, --help           show this help
`

const fail = (message: string): never => {
  console.error(`effect-clerk-emulator: ${message}\n\n${USAGE}`)
  process.exit(2)
}

interface Args {
  port: number
  host: string
  secretKey: string | undefined
  instance: "development" | "production" | undefined
  verify: "gone" | "legacy"
  seed: string | undefined
  demo: boolean
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const args: Args = {
    port: 4010,
    host: "127.0.0.1",
    secretKey: undefined,
    instance: undefined,
    verify: "gone",
    seed: undefined,
    demo: false
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined]
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`)
    switch (flag) {
      case "-h":
      case "--help":
        console.log(USAGE)
        process.exit(0)
        break
      case "--port": {
        const raw = value()
        const port = Number(raw)
        if (!/^\d+$/.test(raw) || port > 65535) fail(`--port must be an integer in 0..65535, got ${raw}`)
        args.port = port
        break
      }
      case "--host":
        args.host = value()
        break
      case "--secret-key":
        args.secretKey = value()
        break
      case "--instance": {
        const kind = value()
        if (kind !== "development" && kind !== "production") fail(`--instance must be development or production`)
        args.instance = kind as Args["instance"]
        break
      }
      case "--verify": {
        const mode = value()
        if (mode !== "gone" && mode !== "legacy") fail(`--verify must be gone or legacy`)
        args.verify = mode as Args["verify"]
        break
      }
      case "--seed":
        args.seed = value()
        break
      case "--demo":
        args.demo = true
        break
      default:
        fail(`unknown option ${flag}`)
    }
  }
  return args
}

const args = parseArgs(process.argv.slice(2))
// --demo speaks npm start's key, so its printed commands and the README's work against either.
const secretKey = args.secretKey ?? (args.demo ? DEMO_SECRET_KEY : DEFAULT_EMULATOR_SECRET_KEY)
const emulator = await ClerkEmulator.start({
  secretKey,
  instance: args.instance,
  verifyEndpoint: args.verify
})
const demo = args.demo ? demoSeed(Date.now()) : undefined
if (demo !== undefined) await Effect.runPromise(emulator.seed(demo))
if (args.seed !== undefined) {
  let data: EmulatorSeed
  try {
    data = JSON.parse(readFileSync(args.seed, "utf8"))
  } catch (error) {
    fail(`cannot read --seed ${args.seed}: ${String(error)}`)
  }
  await Effect.runPromise(emulator.seed(data!))
}

let server: Awaited<ReturnType<typeof serve>>
try {
  server = await serve(emulator, { port: args.port, hostname: args.host })
} catch (error) {
  const code = (error as { code?: string }).code
  console.error(
    code === "EADDRINUSE"
      ? `effect-clerk-emulator: port ${args.port} is in use; pass --port with another port (0 = any free port)`
      : `effect-clerk-emulator: cannot listen: ${String(error)}`
  )
  process.exit(1)
}
console.log(
  `effect-clerk-emulator listening on ${server.url} (Clerk Backend API at ${server.url}/v1, ` +
    `${emulator.production ? "production" : "development"} instance, secret key ${secretKey})`
)
if (demo !== undefined) {
  // The ids to try the API with (the quick start lists user_demo's sessions).
  for (const user of demo.users ?? []) {
    const sessions = (demo.sessions ?? []).filter((s) => s.userId === user.id).map((s) => s.id)
    console.log(`  user ${user.id}: sessions ${sessions.join(", ")}`)
  }
  console.log(`  JWT templates: ${(demo.templates ?? []).map((t) => t.name).join(", ")}`)
}

let stopping = false
const shutdown = () => {
  if (stopping) return
  stopping = true
  server.stop().then(() => {
    console.log("effect-clerk-emulator: stopped")
    process.exit(0)
  }, () => process.exit(1))
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)
