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
import { Sessions } from "../Sessions.js"
import type { Fault } from "./Fault.js"
import { makeApp } from "./internal/app.js"
import { clerkId } from "./internal/ids.js"
import { generateSigningKey, type PublicJwk, publicKeyPem, signJwt } from "./internal/keys.js"
import { EmulatorState, SeedError } from "./internal/state.js"
import { WebhookSender } from "./internal/webhooks.js"
import { errorBody, serverErrors } from "./internal/wire.js"

import type {
  EmulatorRoute,
  SeedUserInput,
  EmulatedUser,
  SeedMembershipInput,
  SeedOrganizationInput,
  EmulatedOrganization,
  SeedSessionInput,
  EmulatedSession,
  UpdateSessionInput,
  SeedTemplateInput,
  EmulatedTemplate,
  EmulatorRequest,
  EmulatorSeed,
  RegisterWebhookOptions,
  RegisteredWebhook,
  WebhookDelivery
} from "./internal/model.js"

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
    /**
     * Deliver Clerk's webhooks to the endpoint at `url` — POSTed with `fetch`, or, with
     * `options.handler`, to that in-process web handler (your app's) — for every session
     * change the emulator makes as Clerk would: `session.created` (POST /v1/sessions), `session.revoked` (its revoke route, or
     * `updateSession`), `session.ended`, `session.removed`, `session.pending` (`updateSession`'s
     * status). Signed per Standard Webhooks with Svix's headers, retried on a non-2xx answer
     * on Svix's schedule (5 s, 5 min, 30 min, …, on the emulator's clock). Seeding sends none.
     */
    readonly registerWebhook: (url: string, options?: RegisterWebhookOptions) => Effect.Effect<RegisteredWebhook>
    /** Stop delivering to a registered endpoint, its pending retries too (`false`: no such endpoint). */
    readonly unregisterWebhook: (id: string) => Effect.Effect<boolean>
    /** Every delivery attempt so far, oldest first. */
    readonly webhookDeliveries: Effect.Effect<ReadonlyArray<WebhookDelivery>>
    /** Waits until no webhook delivery is in flight (a retry waiting on the clock is not). */
    readonly webhooksSettled: Effect.Effect<void>
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
    const webhooks = new WebhookSender(run, instanceId, () => Clock.currentTimeMillis)
    state.onSessionEvent = (type, session, now) => webhooks.emit(type, state.sessionWire(session, false), now)

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
      }),
      registerWebhook: (url, register) =>
        Effect.sync(() => {
          const endpoint = webhooks.register(url, register ?? {})
          return { id: endpoint.id, signingSecret: Redacted.make(endpoint.secret) }
        }),
      unregisterWebhook: (id) => Effect.sync(() => webhooks.unregister(id)),
      webhookDeliveries: Effect.sync(() => webhooks.attempts.map((attempt) => ({ ...attempt }))),
      webhooksSettled: webhooks.settled
    })
  })
