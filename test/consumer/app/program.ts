/**
 * A consumer program written against the published package only (`effect-clerk`,
 * `effect-clerk/testing`, `effect-clerk/testing/node`), as an app that installed the tarball
 * would. test/consumer type-checks it with `tsc --strict` (skipLibCheck off) under NodeNext
 * and Bundler resolution, then runs the NodeNext build with node. It prints one
 * `RESULT {json}` line that the suite checks value by value.
 *
 * The Effect 4 app runs this same file with only Effect's own imports changed
 * (`@effect/platform` → `effect/http`, test/consumer/support.ts `toEffect4`): what a user moving
 * from effect 3 to 4 changes. So it uses only spellings effect 3 and 4 share.
 */
import { FetchHttpClient } from "@effect/platform"
import { Cause, Effect, Exit, Layer, Redacted } from "effect"
import { ClerkClient, ClerkTokenMissing, type SessionClaims, Sessions, TokenVerifier } from "effect-clerk"
import { ClerkEmulator, ClerkEmulatorServer, SessionsTest } from "effect-clerk/testing"
import { NodeClerkEmulator } from "effect-clerk/testing/node"

const check = (condition: boolean, what: string): void => {
  if (!condition) throw new Error(`consumer program: ${what}`)
}

const payload = (jwt: string): Record<string, unknown> =>
  JSON.parse(atob((jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")))

// The user's flow: list, get, template token, verify it networklessly, revoke, one typed error.
const flow = Effect.gen(function*() {
  const clerk = yield* ClerkEmulator
  const sessions = yield* Sessions
  const verifier = yield* TokenVerifier
  yield* clerk.seedUser({ id: "user_consumer" })
  yield* clerk.seedTemplate({ name: "consumer_template", claims: { app: "consumer" } })
  const seeded = yield* clerk.seedSession({
    userId: "user_consumer",
    device: { browserName: "Firefox", city: "Lyon", isMobile: true }
  })
  yield* clerk.seedSession({ userId: "user_consumer", status: "ended" })

  const page = yield* sessions.getSessionList({ userId: "user_consumer", status: "active" })
  const session = yield* sessions.getSession(seeded.id)
  const token = yield* sessions.createSessionTokenFromTemplate(session.id, "consumer_template")
  const templateClaims = payload(Redacted.value(token.jwt))
  const sessionToken = yield* sessions.createSessionToken(session.id)
  const claims: SessionClaims = yield* verifier.verify(sessionToken.jwt)
  const fromRequest = yield* verifier.authenticateRequest(
    new Request("https://app.example/me", { headers: { authorization: `Bearer ${Redacted.value(sessionToken.jwt)}` } })
  )
  const missing = yield* verifier.authenticateRequest(new Request("https://app.example/me")).pipe(
    Effect.as("no error"),
    Effect.catchTag("ClerkTokenMissing", (e: ClerkTokenMissing) => Effect.succeed(e._tag))
  )
  const revoked = yield* sessions.revokeSession(session.id)
  const notFound = yield* sessions.getSession("sess_missing").pipe(
    Effect.as("no error"),
    Effect.catchTag("ClerkNotFound", (e) => Effect.succeed(`${e._tag} ${e.status} ${e.errors[0]?.code}`))
  )
  const badToken = yield* verifier.verify("not.a.jwt").pipe(
    Effect.as("no error"),
    Effect.catchTag("ClerkTokenInvalid", (e) => Effect.succeed(`${e._tag} ${e.reason}`))
  )
  // What every request told Clerk about its client: effect-clerk/<the installed version>.
  const userAgents = [...new Set((yield* clerk.requests).map((r) => r.headers["user-agent"]))]
  return {
    listed: page.data.map((s) => s.id),
    totalCount: page.totalCount,
    browser: page.data[0]?.latestActivity?.browserName,
    isMobile: page.data[0]?.latestActivity?.isMobile,
    got: session.id,
    gotStatus: session.status,
    templateSub: templateClaims.sub,
    templateApp: templateClaims.app,
    tokenLogged: String(token.jwt),
    verifiedSid: claims.sid,
    verifiedSub: claims.sub,
    requestSid: fromRequest.sid,
    missing,
    revoked: revoked.status,
    notFound,
    badToken,
    userAgents
  }
})

// In-process: the emulator's HttpClient under ClerkClient.layer.
const inProcess = Layer.mergeAll(Sessions.layer, TokenVerifier.layer()).pipe(
  Layer.provideMerge(ClerkClient.layer({ secretKey: Redacted.make("sk_test_emulator") })),
  Layer.provideMerge(ClerkEmulator.layer())
)

// Over a real 127.0.0.1 socket, served by the Node adapter, through FetchHttpClient: the
// server's URL is read inside the program (Effect.provide), the one spelling effect 3 and 4
// share (Layer.unwrapEffect is Layer.unwrap on effect 4).
const overSocket = Effect.gen(function*() {
  const server = yield* ClerkEmulatorServer
  return yield* flow.pipe(Effect.provide(
    Layer.mergeAll(Sessions.layer, TokenVerifier.layer()).pipe(
      Layer.provideMerge(ClerkClient.layer({ secretKey: Redacted.make("sk_test_emulator"), apiUrl: server.url })),
      Layer.provide(FetchHttpClient.layer)
    )
  ))
}).pipe(Effect.provide(NodeClerkEmulator.layer()))

// The stub: no Clerk at all. The defect read from the Exit (Effect.catchAllDefect is
// Effect.catchDefect on effect 4).
const stubbed = Effect.gen(function*() {
  const sessions = yield* Sessions
  const exit = yield* Effect.exit(sessions.getSession("sess_any"))
  return Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : "no error"
}).pipe(Effect.provide(SessionsTest.layer({})))

const main = Effect.gen(function*() {
  const local = yield* flow.pipe(Effect.provide(inProcess))
  const socket = yield* overSocket
  const stub = yield* stubbed
  check(local.revoked === "revoked" && socket.revoked === "revoked", "revoke")
  return { local, socket, stub }
})

Effect.runPromise(Effect.scoped(main)).then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
