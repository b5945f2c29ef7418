import { FetchHttpClient } from "@effect/platform"
import { Console, Effect, Layer, Redacted } from "effect"
import { ClerkClient, Sessions } from "effect-clerk"

// List a user's sessions, get one, mint a template token, revoke the session.
const program = Effect.gen(function*() {
  const sessions = yield* Sessions
  const page = yield* sessions.getSessionList({ userId: "user_demo", status: "active", limit: 10 })
  yield* Console.log(`${page.totalCount} active sessions`)

  const first = page.data[0]
  if (first === undefined) return
  const session = yield* sessions.getSession(first.id)
  yield* Console.log(`${session.id} last active ${session.lastActiveAt}`)

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
// Without CLERK_API_URL it talks to Clerk; with it, to that URL (the emulator, say).
const ClerkLive = Sessions.layer.pipe(
  Layer.provide(ClerkClient.layer({
    secretKey: Redacted.make(process.env.CLERK_SECRET_KEY ?? ""),
    apiUrl: process.env.CLERK_API_URL
  })),
  Layer.provide(FetchHttpClient.layer)
)
// Or read CLERK_SECRET_KEY / CLERK_API_URL / CLERK_API_VERSION from the environment:
// Sessions.layer.pipe(Layer.provide(ClerkClient.layerConfig()), Layer.provide(FetchHttpClient.layer))

Effect.runPromise(handled.pipe(Effect.provide(ClerkLive)))
