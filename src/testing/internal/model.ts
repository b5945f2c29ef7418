/**
 * The emulator's data, as its callers see it: the users, organizations, sessions and JWT
 * templates it holds (`Emulated*`), what seeding takes (`Seed*Input`, `EmulatorSeed`), and the
 * requests it logs (`EmulatorRequest`, by `EmulatorRoute`). Types only, shared by the
 * emulator's service (ClerkEmulator.ts, which re-exports them), its state and its routes.
 */
import type * as Redacted from "effect/Redacted"
import type { KnownSessionStatus } from "../../Session.js"
import type { Fault } from "../Fault.js"

/**
 * The emulator's operations, named like the `Sessions` methods (plus `getJwks`): what
 * `injectFault({ route })` targets and what the request log records.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type EmulatorRoute, Fault } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const route: EmulatorRoute = "getSessionList"
 *   yield* clerk.injectFault(Fault.status(503), { route, times: 1 })
 *   yield* (yield* Sessions).getSessionList({ userId: "user_1" })
 *   // The 503, then the SDK's retry.
 *   return (yield* clerk.requests).filter((request) => request.route === route).map((request) => request.status)
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // [ 503, 200 ]
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type EmulatorRoute =
  | "getSessionList"
  | "createSession"
  | "getSession"
  | "revokeSession"
  | "verifySession"
  | "createSessionToken"
  | "createSessionTokenFromTemplate"
  | "refreshSession"
  | "getJwks"

/**
 * Where a session was last active from: the `latest_activity` of {@link SeedSessionInput}
 * and {@link EmulatedSession}, which `Sessions` reads back as a `SessionActivity`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type EmulatedDevice } from "effect-clerk/testing"
 *
 * const phone: EmulatedDevice = { deviceType: "mobile", isMobile: true, browserName: "Safari", city: "Lisbon", country: "PT" }
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   yield* clerk.seedSession({ userId: "user_1", device: phone })
 *   // Clerk sends latest_activity in list responses only (see `latestActivity` in the options).
 *   const page = yield* (yield* Sessions).getSessionList({ userId: "user_1" })
 *   const activity = page.data[0]?.latestActivity
 *   return `${activity?.browserName} in ${activity?.city}, mobile: ${activity?.isMobile}`
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // Safari in Lisbon, mobile: true
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatedDevice {
  /** e.g. `desktop`, `mobile`, `tablet`. */
  readonly deviceType?: string | undefined
  readonly isMobile?: boolean | undefined
  readonly browserName?: string | undefined
  readonly browserVersion?: string | undefined
  readonly ipAddress?: string | undefined
  readonly city?: string | undefined
  readonly country?: string | undefined
}

/**
 * A user to seed with `seedUser` (or in {@link EmulatorSeed}'s `users`). Every field is
 * optional: `id` defaults to a random `user_…`, `createdAt` to the `Clock`'s now, and the
 * names and e-mail to `null`. They fill JWT templates' `{{user.…}}` shortcodes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type SeedUserInput } from "effect-clerk/testing"
 *
 * const ada: SeedUserInput = {
 *   id: "user_ada",
 *   firstName: "Ada",
 *   lastName: "Lovelace",
 *   emailAddress: "ada@example.com",
 *   publicMetadata: { plan: "pro" }
 * }
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const user = yield* clerk.seedUser(ada)
 *   return `${user.id}: ${user.firstName} ${user.lastName} <${user.emailAddress}>`
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // user_ada: Ada Lovelace <ada@example.com>
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SeedUserInput {
  readonly id?: string | undefined
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly username?: string | undefined
  readonly emailAddress?: string | undefined
  readonly publicMetadata?: Readonly<Record<string, unknown>> | undefined
  readonly createdAt?: number | Date | undefined
  /** The user's Clerk Billing plan: the session token's `pla` lists it as `u:<plan>`. */
  readonly plan?: string | undefined
  /** Features the user's plan grants: the token's `fea` lists them as `u:<feature>`. */
  readonly features?: ReadonlyArray<string> | undefined
}

/**
 * A seeded user, as `seedUser` returns it: every field set, `null` where nothing was given.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type EmulatedUser } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const user: EmulatedUser = yield* clerk.seedUser({ firstName: "Ada" })
 *   // A random Clerk-like id (user_ and 27 characters); fields not given are null.
 *   return { random: user.id.startsWith("user_"), firstName: user.firstName, lastName: user.lastName }
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // { random: true, firstName: 'Ada', lastName: null }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatedUser {
  readonly id: string
  readonly firstName: string | null
  readonly lastName: string | null
  readonly username: string | null
  readonly emailAddress: string | null
  readonly publicMetadata: Readonly<Record<string, unknown>>
  readonly createdAt: number
}

/**
 * A membership to seed with `seedMembership`: `role` like `org:admin`, `permissions` like
 * `org:dashboard:read`. A session active in the organization carries them in its token
 * (`o.rol`, `o.per`, `o.fpm`, `fea`). The user is created if it does not exist.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { TokenVerifier } from "effect-clerk"
 * import { ClerkEmulator, type SeedMembershipInput } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const org = yield* clerk.seedOrganization({ slug: "acme" })
 *   const admin: SeedMembershipInput = { organizationId: org.id, userId: "user_1", role: "org:admin", permissions: ["org:billing:manage"] }
 *   yield* clerk.seedMembership(admin)
 *   const session = yield* clerk.seedSession({ userId: "user_1", activeOrganizationId: org.id })
 *   const claims = yield* (yield* TokenVerifier).verify(yield* clerk.mintToken(session.id))
 *   // v2 claims: the role without its org: prefix, the actions, the features.
 *   return [claims.o?.rol, claims.o?.per, claims.fea]
 * }).pipe(Effect.provide(TokenVerifier.layer({ authorizedParties: ["http://localhost:3000"] }).pipe(Layer.provideMerge(ClerkEmulator.layerClient()))))
 *
 * Effect.runPromise(program).then(console.log) // [ 'admin', 'manage', 'o:billing' ]
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SeedMembershipInput {
  readonly organizationId: string
  readonly userId: string
  /** Default `org:member`. */
  readonly role?: string | undefined
  /** `org:<feature>:<action>` permissions, which become the token's `o.per`/`o.fpm` and `fea`. */
  readonly permissions?: ReadonlyArray<string> | undefined
}

/**
 * An organization to seed with `seedOrganization`: only `slug` is required (`name`
 * defaults to it, `id` to a random `org_…`); `members` become memberships, their users
 * created if need be.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type SeedOrganizationInput } from "effect-clerk/testing"
 *
 * const acme: SeedOrganizationInput = {
 *   slug: "acme",
 *   name: "Acme Inc.",
 *   members: [{ userId: "user_ada", role: "org:admin" }, { userId: "user_bob" }]
 * }
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const org = yield* clerk.seedOrganization(acme)
 *   const session = yield* clerk.seedSession({ userId: "user_bob", activeOrganizationId: org.id })
 *   return session.lastActiveOrganizationId === org.id
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // true
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SeedOrganizationInput {
  readonly id?: string | undefined
  readonly slug: string
  readonly name?: string | undefined
  readonly publicMetadata?: Readonly<Record<string, unknown>> | undefined
  readonly members?: ReadonlyArray<Omit<SeedMembershipInput, "organizationId">> | undefined
  /** The organization's Clerk Billing plan: a member's token (while it is active) lists it in `pla` as `o:<plan>`. */
  readonly plan?: string | undefined
  /**
   * Features the organization's plan grants: `fea` lists them as `o:<feature>` (after those of
   * the member's permissions, each with its `fpm` mask; 0 when no permission names it).
   */
  readonly features?: ReadonlyArray<string> | undefined
}

/**
 * A seeded organization, as `seedOrganization` returns it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type EmulatedOrganization } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const org: EmulatedOrganization = yield* clerk.seedOrganization({ slug: "acme" })
 *   // Its id (org_…) is what seedMembership and seedSession's activeOrganizationId take.
 *   return { id: org.id.startsWith("org_"), slug: org.slug, name: org.name }
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // { id: true, slug: 'acme', name: 'acme' }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatedOrganization {
  readonly id: string
  readonly slug: string
  readonly name: string
  readonly publicMetadata: Readonly<Record<string, unknown>>
  readonly createdAt: number
}

/**
 * A session to seed. Only `userId` is required (the user is created if it does not exist).
 * Times are epoch milliseconds or `Date`s and default to the `Clock`'s now;
 * `expireAt`/`abandonAt` default to `lastActiveAt` + the instance's lifetimes, so a session
 * seeded in the past may already be `expired` when read.
 *
 * @example
 * ```ts
 * import { Clock, Effect } from "effect"
 * import { ClerkEmulator, type SeedSessionInput } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const now = yield* Clock.currentTimeMillis
 *   // Last active 8 days ago: past expire_at (7 days after the last activity by default).
 *   const stale: SeedSessionInput = { userId: "user_1", lastActiveAt: now - 8 * 24 * 60 * 60 * 1000 }
 *   const onboarding: SeedSessionInput = { userId: "user_1", tasks: ["choose-organization"] }
 *   const sessions = [yield* clerk.seedSession(stale), yield* clerk.seedSession(onboarding)]
 *   return sessions.map((session) => session.status)
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // [ 'expired', 'pending' ]
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SeedSessionInput {
  readonly userId: string
  readonly id?: string | undefined
  /** Sessions sharing a `clientId` are on one device (multi-session). Default: a new client. */
  readonly clientId?: string | undefined
  /** Default `active` (or `pending` when `tasks` are given). */
  readonly status?: typeof KnownSessionStatus.Type | undefined
  readonly createdAt?: number | Date | undefined
  readonly lastActiveAt?: number | Date | undefined
  readonly expireAt?: number | Date | undefined
  readonly abandonAt?: number | Date | undefined
  readonly device?: EmulatedDevice | null | undefined
  /** An impersonation actor (`{ sub, iss, … }`): `actor` on the session, `act` in its tokens. */
  readonly actor?: Readonly<Record<string, unknown>> | null | undefined
  /** A seeded organization; the user becomes an `org:member` of it if not yet a member. */
  readonly activeOrganizationId?: string | null | undefined
  /** Pending task keys (`choose-organization`, `reset-password`, `setup-mfa`). */
  readonly tasks?: ReadonlyArray<string> | undefined
  /** The token `azp` (default: the instance's `origin`); `null` for none. */
  readonly origin?: string | null | undefined
  /** The `__refresh` cookie value `refreshSession` accepts (default: random). */
  readonly refreshToken?: string | undefined
  /** Whether a second factor was verified at sign-in (`fva[1]`; default false, i.e. -1). */
  readonly secondFactor?: boolean | undefined
}

/**
 * A session as the emulator holds it, after any time-based transition: what `seedSession`,
 * `updateSession`, `getSession` and `listSessions` return, read without going through the
 * API (so without a request in the log). Times are epoch milliseconds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type EmulatedSession } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const seeded = yield* clerk.seedSession({ userId: "user_1" })
 *   yield* (yield* Sessions).revokeSession(seeded.id)
 *   const session: EmulatedSession | undefined = yield* clerk.getSession(seeded.id)
 *   return session?.status
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // revoked
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatedSession {
  readonly id: string
  readonly userId: string
  readonly clientId: string
  readonly status: typeof KnownSessionStatus.Type
  readonly actor: Readonly<Record<string, unknown>> | null
  readonly lastActiveOrganizationId: string | null
  readonly lastActiveAt: number
  readonly device: EmulatedDevice | null
  readonly expireAt: number
  readonly abandonAt: number
  readonly createdAt: number
  readonly updatedAt: number
  readonly tasks: ReadonlyArray<string>
  readonly origin: string | null
  readonly refreshToken: string
}

/**
 * What `updateSession` may change: the status, the times, the active organization and the
 * pending tasks of a session, as if the user had acted elsewhere.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type UpdateSessionInput } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   // The user signed out on another device.
 *   const signedOut: UpdateSessionInput = { status: "ended" }
 *   yield* clerk.updateSession(session.id, signedOut)
 *   return (yield* (yield* Sessions).getSession(session.id)).status
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // ended
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface UpdateSessionInput {
  readonly status?: typeof KnownSessionStatus.Type | undefined
  readonly lastActiveAt?: number | Date | undefined
  readonly expireAt?: number | Date | undefined
  readonly abandonAt?: number | Date | undefined
  readonly activeOrganizationId?: string | null | undefined
  readonly tasks?: ReadonlyArray<string> | undefined
}

/**
 * A JWT template. `claims` may use shortcodes: a string that is exactly `{{user.first_name}}`
 * becomes that value (null when unknown), `"Hi {{user.first_name}}"` is interpolated.
 * Known roots: `user` (`id, first_name, last_name, full_name, username,
 * primary_email_address, email_verified, public_metadata, created_at`), `org` (`id, name,
 * slug, role, permissions, public_metadata`; null without an active organization) and
 * `session` (`id, actor`).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type SeedTemplateInput } from "effect-clerk/testing"
 *
 * const supabase: SeedTemplateInput = { name: "supabase", claims: { email: "{{user.primary_email_address}}", greeting: "Hi {{user.first_name}}" } }
 * const payloadOf = (jwt: string) => JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")))
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   yield* clerk.seedTemplate(supabase)
 *   yield* clerk.seedUser({ id: "user_1", firstName: "Ada", emailAddress: "ada@example.com" })
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   const token = yield* (yield* Sessions).createSessionTokenFromTemplate(session.id, "supabase")
 *   const { email, greeting } = payloadOf(Redacted.value(token.jwt)) // the token's claims
 *   return { email, greeting }
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // { email: 'ada@example.com', greeting: 'Hi Ada' }
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SeedTemplateInput {
  readonly name: string
  readonly claims?: Readonly<Record<string, unknown>> | undefined
  /** Token lifetime in seconds, 30..315360000 (default 60). */
  readonly lifetime?: number | undefined
  /** Seconds `nbf` lies before `iat`, 0..300 (default 5). */
  readonly allowedClockSkew?: number | undefined
}

/**
 * A seeded JWT template, as `seedTemplate` returns it, with its defaults filled in.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type EmulatedTemplate } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const template: EmulatedTemplate = yield* clerk.seedTemplate({ name: "hasura" })
 *   // The defaults: tokens live 60 s, nbf 5 s before iat, no custom claims.
 *   return [template.lifetime, template.allowedClockSkew, template.claims]
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // [ 60, 5, {} ]
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatedTemplate {
  readonly name: string
  readonly claims: Readonly<Record<string, unknown>>
  readonly lifetime: number
  readonly allowedClockSkew: number
}

/**
 * One request the emulator received. The `Authorization` header is never kept: `headers`
 * omits it and `authorization` says whether it was missing, carried the instance's key,
 * or not.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type EmulatorRequest } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   yield* (yield* Sessions).getSession(session.id)
 *   const log: ReadonlyArray<EmulatorRequest> = yield* clerk.requests
 *   return log.map((request) => `${request.method} ${request.route} ${request.status} (key: ${request.authorization})`)
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // [ 'GET getSession 200 (key: valid)' ]
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatorRequest {
  readonly method: string
  /** The path without the query, e.g. `/v1/sessions/sess_123`. */
  readonly path: string
  /** The matched route, `undefined` for an unknown path. */
  readonly route: EmulatorRoute | undefined
  readonly query: Readonly<Record<string, string>>
  /** Lower-cased request headers, without `authorization`. */
  readonly headers: Readonly<Record<string, string>>
  readonly authorization: "missing" | "valid" | "invalid"
  /** The JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown
  /** When it arrived, in epoch ms of the handling fiber's `Clock`. */
  readonly at: number
  /** The status answered (`undefined` while pending, e.g. `Fault.hang`). */
  readonly status: number | undefined
  /** The fault that answered it, if any. */
  readonly fault: Fault["_tag"] | undefined
}

/**
 * Everything to seed at once (`emulator.seed(data)`, or the bin's `--seed FILE.json`), in
 * this order: users, organizations, memberships, templates, sessions.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type EmulatorSeed } from "effect-clerk/testing"
 *
 * const seed: EmulatorSeed = {
 *   users: [{ id: "user_1", firstName: "Ada" }],
 *   organizations: [{ id: "org_1", slug: "acme", members: [{ userId: "user_1", role: "org:admin" }] }],
 *   sessions: [
 *     { id: "sess_laptop", userId: "user_1", activeOrganizationId: "org_1" },
 *     { id: "sess_phone", userId: "user_1", status: "ended" }
 *   ]
 * }
 *
 * const program = Effect.gen(function*() {
 *   yield* (yield* ClerkEmulator).seed(seed)
 *   const page = yield* (yield* Sessions).getSessionList({ userId: "user_1", status: "active" })
 *   return page.data.map((session) => session.id)
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // [ 'sess_laptop' ]
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface EmulatorSeed {
  readonly users?: ReadonlyArray<SeedUserInput> | undefined
  readonly organizations?: ReadonlyArray<SeedOrganizationInput> | undefined
  readonly memberships?: ReadonlyArray<SeedMembershipInput> | undefined
  readonly templates?: ReadonlyArray<SeedTemplateInput> | undefined
  readonly sessions?: ReadonlyArray<SeedSessionInput> | undefined
}

/**
 * Options of `registerWebhook`: the event types the endpoint takes (every type when absent)
 * and its signing secret (a fresh `whsec_` one when absent).
 *
 * @example
 * ```ts
 * import type { RegisterWebhookOptions } from "effect-clerk/testing"
 *
 * const revocationsOnly: RegisterWebhookOptions = { events: ["session.revoked", "session.ended", "session.removed"] }
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface RegisterWebhookOptions {
  /** The event types it takes (`session.revoked`, …); every type when absent. */
  readonly events?: ReadonlyArray<string> | undefined
  /** `whsec_` + base64, as Clerk's Dashboard shows an endpoint's secret; a fresh one when absent. */
  readonly secret?: string | undefined
  /** Deliver in-process to this web handler (your app's `handler`) instead of `fetch`ing the URL. */
  readonly handler?: ((request: Request) => Promise<Response>) | undefined
}

/**
 * A registered webhook endpoint: its id and the secret its deliveries are signed with (what
 * the app under test reads as `CLERK_WEBHOOK_SIGNING_SECRET`).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { ClerkEmulator } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const endpoint = yield* clerk.registerWebhook("http://127.0.0.1:8787/webhooks/clerk")
 *   return Redacted.value(endpoint.signingSecret).startsWith("whsec_")
 * }).pipe(Effect.provide(ClerkEmulator.layer()))
 *
 * Effect.runPromise(program).then(console.log) // true
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface RegisteredWebhook {
  readonly id: string
  readonly signingSecret: Redacted.Redacted<string>
}

/**
 * One attempt to deliver a webhook, as `webhookDeliveries` lists them (oldest first).
 *
 * @example
 * ```ts
 * import type { WebhookDelivery } from "effect-clerk/testing"
 *
 * // Attempts of one message share its messageId (svix-id); a retry has attempt > 1.
 * const retried = (deliveries: ReadonlyArray<WebhookDelivery>) => deliveries.filter((d) => d.attempt > 1)
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookDelivery {
  readonly endpointId: string
  /** `svix-id`: the same on every attempt of one message. */
  readonly messageId: string
  readonly eventType: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The endpoint's HTTP status, or `null` when it could not be reached. */
  readonly status: number | null
  /** When it was made, on the emulator's clock (ms since the epoch). */
  readonly at: number
}
