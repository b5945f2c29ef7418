/**
 * An in-memory Clerk Backend API for tests and demos: users, organizations, clients and
 * sessions with real status transitions, JWT templates, an RS256 signing key served at
 * `/v1/jwks`, Clerk's own error bodies, scripted faults and a request log. One web handler
 * (`Request → Promise<Response>`, on web-standard `Request`/`Response` only) serves it
 * in-process (`ClerkEmulator.layer`: an `HttpClient` for `ClerkClient.layer` and a `fetch`
 * for `ClerkClient.layerFetch`) or over HTTP on any runtime (`serveEmulator`, or
 * `effect-clerk/testing/node`).
 *
 * Time comes from Effect's `Clock` of whoever calls: seeding helpers and in-process
 * requests run in your fiber (so `TestClock` drives expiry, token times and `Fault.delay`);
 * the web `handler` runs on the runtime the emulator was made in.
 *
 * Where Clerk's spec is silent the emulator decides as the real API was observed to:
 * - Auth comes first on every route: no header → 401 `authentication_invalid`, not
 *   `Bearer …` → 401 `authorization_header_format_invalid`, another key → 401
 *   `clerk_key_invalid` (the real body). Faults come before auth: they play the network.
 * - Bodies that are not a JSON object → 400 `request_body_invalid`; a bad field →
 *   `form_param_missing|unknown|type_invalid|value_invalid` with `meta.param_name`, as 422
 *   where the route declares 422 (list, create, token lifetimes) and 400 where it declares
 *   only 400 (refresh, legacy verify).
 * - The list needs neither `user_id` nor `client_id` (Clerk only asks for one); `status`
 *   only takes the spec's query enum (so `pending` is a 422).
 * - Tokens and the legacy verify need a live session (`active`/`pending`): otherwise 404,
 *   as Clerk's old docs say ("Session not found or inactive"). Revoking a finished session
 *   returns it unchanged.
 * - `POST /v1/sessions` on a production instance → 400 `bad_request` (see the route).
 * - Refresh checks, in order: session exists, `expired_token` is ours, has a `sid` equal to
 *   the session, has an `azp` equal to `request_origin`, the refresh token matches, the
 *   session is live; each failure is a 401 with Clerk's `session_refresh` code.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Fetch, HttpClient } from "#line/Http"
import { currentRunner, type FetchIdentifier } from "#line/InProcess"
import { inProcessClient } from "./internal/inProcess.js"
import { catchAllCause, type DurationInput, Service, toDuration } from "#line/Kernel"
import { ClerkClient, type ClerkClientOptions, DEFAULT_API_URL } from "../ClerkClient.js"
import type { KnownSessionStatus } from "../Session.js"
import { Sessions } from "../Sessions.js"
import type { Fault } from "./Fault.js"
import { makeApp } from "./internal/app.js"
import { clerkId } from "./internal/ids.js"
import { generateSigningKey, type PublicJwk, publicKeyPem, signJwt } from "./internal/keys.js"
import { EmulatorState, SeedError } from "./internal/state.js"
import { errorBody, serverErrors } from "./internal/wire.js"

/**
 * The secret key an emulator accepts unless told otherwise (`sk_test_emulator`): give it
 * to a `ClerkClient` you build yourself on {@link ClerkEmulator.layer}'s transport.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { ClerkClient, Sessions } from "effect-clerk"
 * import { ClerkEmulator, DEFAULT_EMULATOR_SECRET_KEY } from "effect-clerk/testing"
 *
 * const ClerkLive = ClerkClient.layerFetch({ secretKey: Redacted.make(DEFAULT_EMULATOR_SECRET_KEY) }).pipe(
 *   Layer.provide(ClerkEmulator.layer()) // its Fetch answers in-process
 * )
 *
 * const program = Effect.gen(function*() {
 *   const page = yield* (yield* Sessions).getSessionList({ userId: "user_1" })
 *   return `${DEFAULT_EMULATOR_SECRET_KEY}: ${page.totalCount} sessions`
 * }).pipe(Effect.provide(Sessions.layer.pipe(Layer.provide(ClerkLive))))
 *
 * Effect.runPromise(program).then(console.log) // sk_test_emulator: 0 sessions
 * ```
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_EMULATOR_SECRET_KEY = "sk_test_emulator"

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
 * Options of {@link ClerkEmulator.make} and its layers: the key it accepts, the kind of
 * instance, what its tokens carry (`iss`, `azp`) and its session and token lifetimes. Every
 * field has a default.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { ClerkEmulator, type ClerkEmulatorOptions } from "effect-clerk/testing"
 *
 * const options: ClerkEmulatorOptions = {
 *   secretKey: "sk_live_emulated", // an sk_live_ key makes a production instance
 *   issuer: "https://clerk.example.com",
 *   origin: "https://app.example.com",
 *   sessionTokenLifetime: Duration.minutes(5)
 * }
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   return { production: clerk.production, issuer: clerk.issuer }
 * }).pipe(Effect.provide(ClerkEmulator.layer(options)))
 *
 * Effect.runPromise(program).then(console.log) // { production: true, issuer: 'https://clerk.example.com' }
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface ClerkEmulatorOptions {
  /** The only secret key accepted (default {@link DEFAULT_EMULATOR_SECRET_KEY}). */
  readonly secretKey?: string | Redacted.Redacted<string> | undefined
  /**
   * `production` refuses `POST /v1/sessions` like Clerk does. Default: `production` for an
   * `sk_live_…` key, else `development`.
   */
  readonly instance?: "development" | "production" | undefined
  /** The instance id `ins_…`, also the `kid` of the first signing key (default: random). */
  readonly instanceId?: string | undefined
  /** The `iss` of every token (default `https://emulator.clerk.accounts.dev`). */
  readonly issuer?: string | undefined
  /** The `azp` of tokens of seeded sessions, `null` for none (default `http://localhost:3000`). */
  readonly origin?: string | null | undefined
  /**
   * `gone` (default): `POST …/verify` answers 410 `operation_deprecated`, as Clerk does today.
   * `legacy`: the old 200 behaviour (the session, if the token belongs to it).
   */
  readonly verifyEndpoint?: "gone" | "legacy" | undefined
  /**
   * `list` (default): `latest_activity` only in list responses, absent from single-session
   * responses, as observed on the real API. `always`: everywhere.
   */
  readonly latestActivity?: "list" | "always" | undefined
  /** Session lifetime from last activity to `expire_at` (default 7 days). */
  readonly sessionLifetime?: DurationInput | undefined
  /** From last activity to `abandon_at` (default 30 days). */
  readonly abandonAfter?: DurationInput | undefined
  /** Default session-token lifetime (default 60 s). */
  readonly sessionTokenLifetime?: DurationInput | undefined
}

/**
 * Options of {@link ClerkEmulator.layerClient} / {@link ClerkEmulator.layerSessions}: the
 * emulator's, plus `client` for the `ClerkClient` (its `secretKey` defaults to the
 * emulator's; give another to see a 401) and the `transport` it is built with.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, type ClerkEmulatorClientOptions } from "effect-clerk/testing"
 *
 * // ClerkClient.layerFetch, sending another key than the emulator accepts.
 * const options: ClerkEmulatorClientOptions = {
 *   transport: "fetch",
 *   client: { secretKey: Redacted.make("sk_test_wrong") }
 * }
 *
 * const program = Effect.gen(function*() {
 *   return yield* (yield* Sessions).getSession("sess_1")
 * }).pipe(
 *   Effect.map((session) => session.status),
 *   Effect.catchTag("ClerkUnauthorized", (e) => Effect.succeed(`${e.status} ${e.errors[0]?.code}`)),
 *   Effect.provide(ClerkEmulator.layerSessions(options))
 * )
 *
 * Effect.runPromise(program).then(console.log) // 401 clerk_key_invalid
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface ClerkEmulatorClientOptions extends ClerkEmulatorOptions {
  readonly client?: Partial<ClerkClientOptions> | undefined
  /**
   * `httpClient` (default): `ClerkClient.layer` over the emulator's `httpClient`.
   * `fetch`: `ClerkClient.layerFetch` over the emulator's `fetch`.
   */
  readonly transport?: "httpClient" | "fetch" | undefined
}

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
 * Options of `mintToken`: a JWT template's token instead of a session token, and a
 * lifetime other than the instance's `sessionTokenLifetime` (or the template's).
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { TokenVerifier } from "effect-clerk"
 * import { ClerkEmulator, type MintTokenOptions } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   const fiveMinutes: MintTokenOptions = { expiresInSeconds: 300 }
 *   const claims = yield* (yield* TokenVerifier).verify(yield* clerk.mintToken(session.id, fiveMinutes))
 *   return claims.exp - claims.iat
 * }).pipe(Effect.provide(TokenVerifier.layer({ authorizedParties: ["http://localhost:3000"] }).pipe(Layer.provideMerge(ClerkEmulator.layerClient()))))
 *
 * Effect.runPromise(program).then(console.log) // 300
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface MintTokenOptions {
  /** A seeded template name: a template token instead of a session token. */
  readonly template?: string | undefined
  readonly expiresInSeconds?: number | undefined
}

/**
 * @since 0.1.0
 */
export declare namespace ClerkEmulator {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** The secret key the emulator accepts. */
    readonly secretKey: Redacted.Redacted<string>
    /** The instance id (`ins_…`). */
    readonly instanceId: string
    /** The `iss` of every token. */
    readonly issuer: string
    /** Whether this is a production instance (no `POST /v1/sessions`). */
    readonly production: boolean
    /** The web handler, run on the runtime the emulator was made in. */
    readonly handler: (request: Request) => Promise<Response>
    /** The same handler as an Effect run in the caller's fiber (its `Clock`). */
    readonly handle: (request: Request) => Effect.Effect<Response>
    /** An `HttpClient` whose every request goes to `handle`: no socket. */
    readonly httpClient: HttpClient
    /**
     * A `fetch` whose every request goes to `handler`: no socket. Like `fetch`, it rejects
     * with the signal's reason (an `AbortError` unless given another) once `init.signal`
     * aborts, and the handler is interrupted. `ClerkEmulator.layer` provides it as
     * `Fetch`, which `ClerkClient.layerFetch` sends with.
     */
    readonly fetch: typeof globalThis.fetch

    /** Seed users, organizations, memberships, templates and sessions in one go. */
    readonly seed: (data: EmulatorSeed) => Effect.Effect<void>
    /** Add (or replace) a user. */
    readonly seedUser: (input?: SeedUserInput) => Effect.Effect<EmulatedUser>
    /** Add an organization and its members. */
    readonly seedOrganization: (input: SeedOrganizationInput) => Effect.Effect<EmulatedOrganization>
    /** Add (or replace) a membership. Dies if the organization does not exist. */
    readonly seedMembership: (input: SeedMembershipInput) => Effect.Effect<void>
    /** Add a session. Dies on an unknown organization or a duplicate id. */
    readonly seedSession: (input: SeedSessionInput) => Effect.Effect<EmulatedSession>
    /** Add (or replace) a JWT template. Dies on an out-of-range lifetime or skew. */
    readonly seedTemplate: (input: SeedTemplateInput) => Effect.Effect<EmulatedTemplate>
    /** Change a session in place (e.g. end it). Dies if it does not exist. */
    readonly updateSession: (sessionId: string, input: UpdateSessionInput) => Effect.Effect<EmulatedSession>
    /** A session now (after time-based transitions), or `undefined`. */
    readonly getSession: (sessionId: string) => Effect.Effect<EmulatedSession | undefined>
    /** Every session now, newest first. */
    readonly listSessions: Effect.Effect<ReadonlyArray<EmulatedSession>>
    /** A token for a live session, as `POST …/tokens[/{template}]` would mint it. Dies otherwise. */
    readonly mintToken: (sessionId: string, options?: MintTokenOptions) => Effect.Effect<string>

    /**
     * A new signing key with a new `kid` (`ins_…`) signs from now on. Clerk's JWKS serves one
     * key per instance, so by default the old key leaves the JWKS at once and tokens signed
     * with it stop verifying; `keepPrevious: true` keeps serving it (an overlap window).
     */
    readonly rotateKey: (options?: { readonly keepPrevious?: boolean }) => Effect.Effect<{ readonly kid: string }>
    /** The `kid` that signs now. */
    readonly currentKid: Effect.Effect<string>
    /** `GET /v1/jwks`'s body. */
    readonly jwks: Effect.Effect<{ readonly keys: ReadonlyArray<PublicJwk> }>
    /** The signing key's public half as SPKI PEM (Clerk's "JWT public key", for `jwtKey`). */
    readonly publicKeyPem: Effect.Effect<string>
    /** Switch `POST …/verify` between Clerk's 410 and the old 200 behaviour. */
    readonly setVerifyEndpoint: (mode: "gone" | "legacy") => Effect.Effect<void>

    /**
     * Answer the next `times` (default 1; `Infinity` for all) requests to `route` (default:
     * any) for which `match` (default: any) holds with `fault`. Faults are used in the order
     * injected. `match` sees the request as the log records it (its `status` still unset), so
     * a fault can target one session id, user or query. It may be called more than once for
     * one request (once per pending fault ahead of it).
     */
    readonly injectFault: (
      fault: Fault,
      options?: {
        readonly route?: EmulatorRoute | undefined
        readonly times?: number | undefined
        readonly match?: ((request: EmulatorRequest) => boolean) | undefined
      }
    ) => Effect.Effect<void>
    /** Forget every pending fault. */
    readonly clearFaults: Effect.Effect<void>
    /** Every request so far, oldest first. */
    readonly requests: Effect.Effect<ReadonlyArray<EmulatorRequest>>
    /** Empty the request log. */
    readonly clearRequests: Effect.Effect<void>
  }
}

/**
 * The emulator service: seeding, faults, the request log and the handler. Get one with
 * {@link ClerkEmulator.layer} (plus an in-process `HttpClient` and `fetch`),
 * {@link ClerkEmulator.layerClient} (plus a `ClerkClient`),
 * {@link ClerkEmulator.layerSessions} (plus a wired `Sessions`), or
 * {@link ClerkEmulator.make}. Your code runs against it through the SDK's whole stack
 * (transport, retries, decoding), with no socket and no Clerk account: below,
 * `signOutEverywhere` is the application code under test.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator } from "effect-clerk/testing"
 *
 * const signOutEverywhere = (userId: string) =>
 *   Effect.gen(function*() {
 *     const sessions = yield* Sessions
 *     const page = yield* sessions.getSessionList({ userId, status: "active" })
 *     yield* Effect.forEach(page.data, (session) => sessions.revokeSession(session.id), { discard: true })
 *     return page.data.length
 *   })
 * const test = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   yield* clerk.seedSession({ userId: "user_1" })
 *   yield* clerk.seedSession({ userId: "user_1", status: "ended" })
 *   const revoked = yield* signOutEverywhere("user_1")
 *   return { revoked, statuses: (yield* clerk.listSessions).map((session) => session.status).sort() }
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(test).then(console.log) // { revoked: 1, statuses: [ 'ended', 'revoked' ] }
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class ClerkEmulator extends Service<ClerkEmulator, ClerkEmulator.Service>()(
  "effect-clerk/testing/ClerkEmulator"
) {
  /**
   * A fresh emulator (generates its RS256 key with jose).
   *
   * @since 0.1.0
   */
  static readonly make = (options?: ClerkEmulatorOptions): Effect.Effect<ClerkEmulator.Service> => make(options ?? {})

  /**
   * `make` as a Promise, on the default runtime, for code outside Effect (scripts, Workers).
   *
   * @since 0.1.0
   */
  static readonly start = (options?: ClerkEmulatorOptions): Promise<ClerkEmulator.Service> =>
    Effect.runPromise(make(options ?? {}))

  /**
   * The emulator plus, routed to it in-process, an `HttpClient` (for `ClerkClient.layer`)
   * and a `Fetch` (for `ClerkClient.layerFetch`). Add either client layer
   * with the emulator's secret key (`sk_test_emulator` unless set) and `Sessions.layer` on
   * top, or use {@link ClerkEmulator.layerSessions}.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options?: ClerkEmulatorOptions
  ): Layer.Layer<ClerkEmulator | HttpClient | FetchIdentifier> =>
    Layer.effectContext(
      Effect.map(make(options ?? {}), (emulator) =>
        Context.make(ClerkEmulator, emulator).pipe(
          Context.add(HttpClient, emulator.httpClient),
          Context.add(Fetch, emulator.fetch)
        ))
    )

  /**
   * The emulator plus a `ClerkClient` using it in-process with its secret key, built by
   * `ClerkClient.layer` or, with `transport: "fetch"`, by `ClerkClient.layerFetch`.
   *
   * @since 0.1.0
   */
  static readonly layerClient = (options?: ClerkEmulatorClientOptions): Layer.Layer<ClerkEmulator | ClerkClient> =>
    Layer.effectContext(
      Effect.gen(function*() {
        const emulator = yield* make(options ?? {})
        const clientOptions = { secretKey: emulator.secretKey, apiUrl: DEFAULT_API_URL, ...options?.client }
        const client = options?.transport === "fetch"
          ? yield* Effect.provide(
            ClerkClient,
            ClerkClient.layerFetch(clientOptions).pipe(Layer.provide(Layer.succeed(Fetch, emulator.fetch)))
          )
          : yield* ClerkClient.make(clientOptions).pipe(Effect.provideService(HttpClient, emulator.httpClient))
        return Context.make(ClerkEmulator, emulator).pipe(Context.add(ClerkClient, client))
      })
    )

  /**
   * `Sessions`, its `ClerkClient` and the emulator behind them, in-process.
   *
   * @since 0.1.0
   */
  static readonly layerSessions = (
    options?: ClerkEmulatorClientOptions
  ): Layer.Layer<Sessions | ClerkClient | ClerkEmulator> =>
    Sessions.layer.pipe(Layer.provideMerge(ClerkEmulator.layerClient(options)))
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("This operation was aborted", "AbortError")

const secretOf = (key: ClerkEmulatorOptions["secretKey"]) =>
  key === undefined ? DEFAULT_EMULATOR_SECRET_KEY : Redacted.isRedacted(key) ? Redacted.value(key) : key

const make = (options: ClerkEmulatorOptions): Effect.Effect<ClerkEmulator.Service> =>
  Effect.gen(function*() {
    const secretKey = secretOf(options.secretKey)
    const production = (options.instance ?? (secretKey.startsWith("sk_live_") ? "production" : "development")) ===
      "production"
    const instanceId = options.instanceId ?? clerkId("ins")
    const state = new EmulatorState(
      {
        secretKey,
        production,
        instanceId,
        issuer: options.issuer ?? "https://emulator.clerk.accounts.dev",
        origin: options.origin === undefined ? "http://localhost:3000" : options.origin,
        latestActivity: options.latestActivity === "always" ? "always" : "list-only",
        sessionLifetimeMillis: Duration.toMillis(toDuration(options.sessionLifetime ?? Duration.days(7))),
        abandonAfterMillis: Duration.toMillis(toDuration(options.abandonAfter ?? Duration.days(30))),
        sessionTokenLifetimeSeconds: Math.round(
          Duration.toSeconds(toDuration(options.sessionTokenLifetime ?? Duration.seconds(60)))
        )
      },
      yield* generateSigningKey(instanceId),
      options.verifyEndpoint ?? "gone"
    )
    const respond = makeApp(state)
    const run = yield* currentRunner

    const handle = (request: Request): Effect.Effect<Response> =>
      respond(request).pipe(
        catchAllCause(() =>
          Effect.succeed(
            new Response(JSON.stringify(errorBody(serverErrors(500))), {
              status: 500,
              headers: { "content-type": "application/json" }
            })
          )
        )
      )

    // An aborted request's handler is interrupted and answers 499 (client closed request),
    // so a server waiting for pending handlers can stop.
    const handler = (request: Request): Promise<Response> =>
      run(handle(request), request.signal).then((exit) =>
        Exit.isSuccess(exit) ? exit.value : new Response(null, { status: 499 })
      )

    const httpClient = inProcessClient(handle)

    // Rejects the moment the signal aborts, as fetch does, whether or not the handler
    // (interrupted by the same signal) ever settles.
    const fetch: typeof globalThis.fetch = (input, init) => {
      const signal = init?.signal
      if (signal?.aborted === true) return Promise.reject(abortReason(signal))
      let request: Request
      try {
        request = new Request(input, init)
      } catch (cause) {
        return Promise.reject(cause)
      }
      const answered = handler(request)
      if (signal == null) return answered
      return new Promise<Response>((resolve, reject) => {
        const onAbort = () => reject(abortReason(signal))
        signal.addEventListener("abort", onAbort, { once: true })
        answered.then(
          (response) => {
            signal.removeEventListener("abort", onAbort)
            resolve(response)
          },
          (cause) => {
            signal.removeEventListener("abort", onAbort)
            reject(cause)
          }
        )
      })
    }

    const withNow = <A>(f: (now: number) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => f(now)))

    const mintToken = (sessionId: string, mint?: MintTokenOptions) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const session = state.findSession(sessionId, now)
        if (session === undefined || (session.status !== "active" && session.status !== "pending")) {
          return Effect.die(new SeedError(`ClerkEmulator.mintToken: no live session ${sessionId}`))
        }
        if (mint?.template === undefined) {
          return signJwt(state.keys[0], state.sessionClaims(session, now, mint?.expiresInSeconds))
        }
        const template = state.templates.get(mint.template)
        if (template === undefined) {
          return Effect.die(new SeedError(`ClerkEmulator.mintToken: no JWT template ${mint.template}`))
        }
        return signJwt(state.keys[0], state.templateClaims(template, session, now, mint.expiresInSeconds))
      })

    return ClerkEmulator.of({
      secretKey: Redacted.make(secretKey),
      instanceId,
      issuer: state.settings.issuer,
      production,
      handler,
      handle,
      httpClient,
      fetch,
      seed: (data) =>
        withNow((now) => {
          for (const user of data.users ?? []) state.seedUser(user, now)
          for (const org of data.organizations ?? []) state.seedOrganization(org, now)
          for (const membership of data.memberships ?? []) state.seedMembership(membership, now)
          for (const template of data.templates ?? []) state.seedTemplate(template)
          for (const session of data.sessions ?? []) state.seedSession(session, now)
        }),
      seedUser: (input) => withNow((now) => state.seedUser(input ?? {}, now)),
      seedOrganization: (input) => withNow((now) => state.seedOrganization(input, now)),
      seedMembership: (input) => withNow((now) => state.seedMembership(input, now)),
      seedSession: (input) => withNow((now) => state.seedSession(input, now)),
      seedTemplate: (input) => Effect.sync(() => state.seedTemplate(input)),
      updateSession: (sessionId, input) => withNow((now) => state.updateSession(sessionId, input, now)),
      getSession: (sessionId) =>
        withNow((now) => {
          const session = state.findSession(sessionId, now)
          return session === undefined ? undefined : state.snapshot(session)
        }),
      listSessions: withNow((now) => state.listSessions({}, now).map((s) => state.snapshot(s))),
      mintToken,
      rotateKey: (rotate) =>
        Effect.map(generateSigningKey(clerkId("ins")), (key) => {
          state.keys = rotate?.keepPrevious === true ? [key, ...state.keys] : [key]
          return { kid: key.kid }
        }),
      currentKid: Effect.sync(() => state.keys[0].kid),
      jwks: Effect.sync(() => ({ keys: state.keys.map((key) => key.jwk) })),
      publicKeyPem: Effect.suspend(() => publicKeyPem(state.keys[0])),
      setVerifyEndpoint: (mode) =>
        Effect.sync(() => {
          state.verifyEndpoint = mode
        }),
      injectFault: (fault, inject) =>
        Effect.sync(() => {
          state.faults.push({ fault, route: inject?.route, match: inject?.match, remaining: inject?.times ?? 1 })
        }),
      clearFaults: Effect.sync(() => {
        state.faults.length = 0
      }),
      requests: Effect.sync(() => state.log.map((entry) => ({ ...entry }))),
      clearRequests: Effect.sync(() => {
        state.log.length = 0
      })
    })
  })
