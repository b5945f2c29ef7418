/**
 * The program `examples/effect4/node.ts`, `deno.ts` and `bun.ts` run unchanged (on the Effect 4 line): list a user's
 * sessions, get one, mint a JWT-template token for it, revoke it, then meet one typed error.
 *
 * With CLERK_API_URL and CLERK_SECRET_KEY set it talks to that Clerk (and needs
 * CLERK_USER_ID; it revokes that user's newest active session, so use a test instance).
 * Without CLERK_API_URL it starts the offline Clerk emulator itself, served over HTTP by
 * the runtime's own server (`serve`), seeded with `user_demo` and `demo_template`.
 */
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { FetchHttpClient } from "effect/http"
import { ClerkClient, Sessions } from "effect-clerk"
import { ClerkEmulator, type ServedEmulator } from "effect-clerk/testing"

/** Who to act on, and with which template. */
interface Target {
  readonly userId: string
  readonly template: string
}

const program = (target: Target) =>
  Effect.gen(function*() {
    const sessions = yield* Sessions

    const page = yield* sessions.getSessionList({ userId: target.userId, status: "active", limit: 10 })
    yield* Console.log(`list: ${page.totalCount} active sessions for ${target.userId}`)
    const newest = page.data[0]
    if (newest === undefined) return

    // The list carries each session's latest activity (device, place); a single GET usually does not.
    const where = [newest.latestActivity?.browserName, newest.latestActivity?.city].filter(Boolean).join(" in ")
    yield* Console.log(`list: newest is ${newest.id}${where ? ` (${where})` : ""}`)

    const session = yield* sessions.getSession(newest.id)
    yield* Console.log(`get: ${session.id} is ${session.status}, last active ${DateTime.formatIso(session.lastActiveAt)}`)

    const token = yield* sessions.createSessionTokenFromTemplate(session.id, target.template)
    // The JWT is Redacted: printing it shows <redacted>; Redacted.value reads it.
    const [, payload = ""] = Redacted.value(token.jwt).split(".")
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string; sid?: string }
    yield* Console.log(`token: ${target.template} JWT for ${claims.sub} (logged as ${token.jwt})`)

    const revoked = yield* sessions.revokeSession(session.id)
    yield* Console.log(`revoke: ${revoked.id} is now ${revoked.status}`)

    // Every failure is a tagged error: handle the ones you expect by tag.
    yield* sessions.getSession("sess_does_not_exist").pipe(
      Effect.andThen((s) => Console.log(`unexpected: found ${s.id}`)),
      Effect.catchTags({
        ClerkNotFound: (e) => Console.log(`typed error: ClerkNotFound ${e.status} ${e.errors[0]?.code}`),
        ClerkInvalidInput: (e) => Console.log(`typed error: ClerkInvalidInput ${e.field} ${e.reason}`)
      })
    )
  })

/** The emulator, seeded, served by `serve` for the scope's lifetime. */
const emulated = (serve: (handler: (request: Request) => Promise<Response>) => Promise<ServedEmulator>) =>
  Effect.gen(function*() {
    const emulator = yield* ClerkEmulator.make({ secretKey: "sk_test_demo" })
    const now = Date.now()
    yield* emulator.seed({
      users: [{ id: "user_demo", firstName: "Ada" }],
      templates: [{ name: "demo_template", claims: { greeting: "Hello, {{user.first_name}}!" } }],
      sessions: [
        { userId: "user_demo", createdAt: now - 60_000, device: { browserName: "Firefox", city: "Lyon" } },
        { userId: "user_demo", createdAt: now - 3_600_000, device: { browserName: "Safari", city: "Paris" } },
        { userId: "user_demo", status: "ended", createdAt: now - 86_400_000 }
      ]
    })
    const server = yield* Effect.acquireRelease(
      Effect.promise(() => serve(emulator.handler)),
      (server) => Effect.promise(() => server.stop())
    )
    yield* Console.log(`emulator: serving on ${server.url}`)
    return {
      client: { secretKey: emulator.secretKey, apiUrl: server.url },
      target: { userId: "user_demo", template: "demo_template" }
    }
  })

/** The Clerk named by the environment. */
const configured = (apiUrl: string) =>
  Effect.gen(function*() {
    const secretKey = yield* Config.Redacted("CLERK_SECRET_KEY")
    const userId = yield* Config.String("CLERK_USER_ID")
    const template = yield* Config.String("CLERK_JWT_TEMPLATE").pipe(Config.withDefault("demo_template"))
    yield* Console.log(`clerk: ${apiUrl}`)
    return { client: { secretKey, apiUrl }, target: { userId, template } }
  })

/**
 * Run the program against the configured Clerk, or against an emulator served by `serve`.
 * Rejects on an unexpected failure.
 */
export const main = (serve: (handler: (request: Request) => Promise<Response>) => Promise<ServedEmulator>) =>
  Effect.gen(function*() {
    const apiUrl = yield* Config.option(Config.String("CLERK_API_URL"))
    const { client, target } = yield* Option.match(apiUrl, { onNone: () => emulated(serve), onSome: configured })
    const live = Sessions.layer.pipe(
      Layer.provide(ClerkClient.layer(client)),
      Layer.provide(FetchHttpClient.layer)
    )
    yield* program(target).pipe(Effect.provide(live))
  }).pipe(Effect.scoped, Effect.runPromise)
