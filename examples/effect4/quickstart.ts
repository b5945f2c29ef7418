import { FetchHttpClient } from "effect/http"
import { Cause, Console, DateTime, Effect, Exit, Layer } from "effect"
import { ClerkClient, Sessions } from "effect-clerk"

// List a user's sessions, get one, mint a template token, revoke the session.
const program = Effect.gen(function*() {
  const sessions = yield* Sessions
  const page = yield* sessions.getSessionList({ userId: "user_demo", status: "active", limit: 10 })
  yield* Console.log(`${page.totalCount} active sessions`)

  const first = page.data[0]
  if (first === undefined) return
  const session = yield* sessions.getSession(first.id)
  yield* Console.log(`${session.id} last active ${DateTime.formatIso(session.lastActiveAt)}`)

  const token = yield* sessions.createSessionTokenFromTemplate(session.id, "demo_template")
  yield* Console.log(`minted ${token.jwt}`) // prints <redacted>; use Redacted.value(token.jwt) to send it

  const revoked = yield* sessions.revokeSession(session.id)
  yield* Console.log(`${revoked.id} is now ${revoked.status}`)
})

// Every failure is a tagged error: handle the ones you care about by tag.
const handled = program.pipe(
  Effect.catchTags({
    ClerkNotFound: (e) => Console.error(`not found: ${e.errors[0]?.code} (trace ${e.clerkTraceId})`),
    ClerkRateLimited: (e) => Console.error(`rate limited, retry after ${e.retryAfter}`),
    ClerkUnauthorized: () => Console.error("check CLERK_SECRET_KEY"),
    ClerkInvalidInput: (e) => Console.error(`bad input: ${e.field} ${e.reason}`)
  })
)

// Sessions needs a ClerkClient, which needs an HttpClient (fetch works on every runtime).
// layerConfig reads CLERK_SECRET_KEY (required), CLERK_API_URL (default: Clerk's; point it
// at the emulator to try this offline) and CLERK_API_VERSION from the environment.
const ClerkLive = Sessions.layer.pipe(
  Layer.provide(ClerkClient.layerConfig()),
  Layer.provide(FetchHttpClient.layer)
)

// Run it. A failure nobody handled (a missing CLERK_SECRET_KEY, say) prints as a readable
// cause and sets a failing exit code. (NodeRuntime.runMain from @effect/platform-node, or
// BunRuntime.runMain, does the same and also handles Ctrl-C.)
Effect.runPromiseExit(handled.pipe(Effect.provide(ClerkLive))).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
