/**
 * Clerk's webhooks, verified and decoded. Clerk signs every webhook per the Standard Webhooks
 * spec (through Svix): `svix-id`, `svix-timestamp` and `svix-signature` headers (or their
 * `webhook-*` names), an HMAC-SHA256 over `id.timestamp.body` keyed by the endpoint's
 * `whsec_…` signing secret. `ClerkWebhooks.verify(request)` checks all of it — any of several
 * `v1,` signatures, compared in constant time by WebCrypto's `verify`, a timestamp within the
 * tolerance (5 minutes) either way, the body read up to its cap — and decodes the event: the
 * session events carry the same `Session` model the API returns; any other type is an
 * `UnknownWebhookEvent`, not a failure.
 *
 * WebCrypto rather than the `standardwebhooks` package: it is on every runtime this targets,
 * its HMAC verification is constant-time and native, and the package would add a pure-JS
 * SHA-256 and base64 to every Worker bundle for what is one `crypto.subtle.verify` call.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { checkedString, type ConfigError } from "#line/Config"
import { HttpServerRequest, httpStatus } from "#line/HttpServer"
import { type DurationInput, illegalArgument, Service, toDuration, TRUSTED } from "#line/Kernel"
import { Literals } from "#line/Models"
import { decodeBase64 } from "../internal/base64.js"
import { formatBytes, readFetchBody, TOO_LARGE } from "../internal/body.js"
import { decodeSession } from "../internal/decode.js"
import { INVALID_JSON, parseJson } from "../internal/json.js"
import { describeParseError } from "../internal/response.js"
import type { Session } from "../Session.js"

/**
 * Why a webhook was refused: its `svix-*` / `webhook-*` headers are missing or malformed, no
 * signature matches, its timestamp is outside the tolerance, its body is over the cap, or the
 * body is not a Clerk event.
 *
 * @example
 * ```ts
 * import type { ClerkWebhookInvalidReason } from "effect-clerk/http"
 *
 * // A bad signature or a replayed old delivery is an attack or a misconfiguration: alert on it.
 * const alarming = (reason: ClerkWebhookInvalidReason) => reason === "InvalidSignature" || reason === "StaleTimestamp"
 * console.log(alarming("MalformedBody")) // false
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ClerkWebhookInvalidReason = typeof ClerkWebhookInvalidReason.Type

/**
 * The {@link ClerkWebhookInvalidReason} values, as a Schema.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ClerkWebhookInvalidReason } from "effect-clerk/http"
 *
 * console.log(Schema.is(ClerkWebhookInvalidReason)("InvalidSignature")) // true
 * ```
 *
 * @category schemas
 * @since 0.1.0
 */
export const ClerkWebhookInvalidReason = Literals([
  "MissingHeaders",
  "InvalidSignature",
  "StaleTimestamp",
  "BodyTooLarge",
  "MalformedBody"
])

/**
 * A webhook request that did not verify or decode. `message` says why for people; neither it
 * nor anything else in the error quotes the signing secret, a signature or the body. Answer
 * it with a 400 (Svix retries a non-2xx delivery, so a transient failure of yours is retried;
 * a forged one is not worth answering more).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { ClerkWebhooks } from "effect-clerk/http"
 *
 * const handle = (request: Request) =>
 *   Effect.gen(function*() {
 *     const webhooks = yield* ClerkWebhooks
 *     const event = yield* webhooks.verify(request)
 *     return new Response(`got ${event.type}`)
 *   }).pipe(
 *     Effect.catchTag("ClerkWebhookInvalid", (e) => Effect.succeed(new Response(e.reason, { status: 400 }))),
 *     Effect.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }))
 *   )
 *
 * handle(new Request("https://app.example.com/webhooks", { method: "POST", body: "{}" }))
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkWebhookInvalid extends Schema.TaggedError<ClerkWebhookInvalid>()("ClerkWebhookInvalid", {
  reason: ClerkWebhookInvalidReason,
  message: Schema.String
}, httpStatus(400, "Not a webhook Clerk signed for this endpoint")) {}

/**
 * The session event types Clerk sends, each carrying the session as it now is.
 *
 * @example
 * ```ts
 * import type { SessionWebhookEventType } from "effect-clerk/http"
 *
 * const gone: ReadonlyArray<SessionWebhookEventType> = ["session.ended", "session.removed", "session.revoked"]
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionWebhookEventType = (typeof SESSION_EVENT_TYPES)[number]

const SESSION_EVENT_TYPES = ["session.created", "session.ended", "session.removed", "session.revoked", "session.pending"] as const

/**
 * A verified `session.*` event: `session` is the same {@link Session} model `Sessions`
 * returns, decoded from the event's `data`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkWebhooks, type SessionWebhookEvent } from "effect-clerk/http"
 *
 * const onSession = (event: SessionWebhookEvent) =>
 *   event.type === "session.revoked" ? Effect.log(`revoked ${event.session.id} of ${event.session.userId}`) : Effect.void
 *
 * const handle = (request: Request) =>
 *   Effect.flatMap(ClerkWebhooks, (webhooks) => webhooks.verify(request)).pipe(
 *     Effect.flatMap((event) => event._tag === "SessionWebhookEvent" ? onSession(event) : Effect.void)
 *   )
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SessionWebhookEvent {
  readonly _tag: "SessionWebhookEvent"
  readonly type: SessionWebhookEventType
  readonly session: Session
  /** The delivery's `svix-id` / `webhook-id`: the same on every retry of one event (deduplicate by it). */
  readonly id: string
  /** When Clerk made the event (epoch ms), if the body says. */
  readonly timestamp: number | undefined
  readonly instanceId: string | undefined
}

/**
 * A verified event of any other type (`user.created`, `organization.updated`, …): its type
 * and its `data` as parsed JSON, undecoded.
 *
 * @example
 * ```ts
 * import type { UnknownWebhookEvent } from "effect-clerk/http"
 *
 * const describe = (event: UnknownWebhookEvent) => `${event.type} (${event.id})`
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface UnknownWebhookEvent {
  readonly _tag: "UnknownWebhookEvent"
  readonly type: string
  readonly data: unknown
  readonly id: string
  readonly timestamp: number | undefined
  readonly instanceId: string | undefined
}

/**
 * What `ClerkWebhooks.verify` gives: a session event or any other, told apart by `_tag`.
 *
 * @example
 * ```ts
 * import type { ClerkWebhookEvent } from "effect-clerk/http"
 *
 * const sessionId = (event: ClerkWebhookEvent) => event._tag === "SessionWebhookEvent" ? event.session.id : undefined
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ClerkWebhookEvent = SessionWebhookEvent | UnknownWebhookEvent

/**
 * How webhooks are verified: the endpoint's signing secret (`whsec_…`, from the Clerk
 * Dashboard's webhook endpoint), how far a timestamp may be from now (default 5 minutes,
 * as Standard Webhooks says), and the body's cap (default 1 MiB).
 *
 * @example
 * ```ts
 * import { Duration, Redacted } from "effect"
 * import { ClerkWebhooks, type ClerkWebhooksOptions } from "effect-clerk/http"
 *
 * const options: ClerkWebhooksOptions = {
 *   signingSecret: Redacted.make("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
 *   tolerance: Duration.minutes(2)
 * }
 * const WebhooksLive = ClerkWebhooks.layer(options)
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface ClerkWebhooksOptions {
  readonly signingSecret: Redacted.Redacted<string>
  readonly tolerance?: DurationInput | undefined
  readonly maxBodyBytes?: number | undefined
}

/**
 * @since 0.1.0
 */
export declare namespace ClerkWebhooks {
  /**
   * @since 0.1.0
   */
  export interface Service {
    /** Verify `request`'s signature and timestamp, read its body (once) and decode the event. */
    readonly verify: (request: Request) => Effect.Effect<ClerkWebhookEvent, ClerkWebhookInvalid>
    /**
     * The same for a request of your Effect HTTP server (HttpApi, HttpRouter): its web
     * `Request` when it was served from one (Workers, Deno, Bun), read up to the cap; else its
     * body text, refused unread when its `content-length` is over the cap.
     */
    readonly verifyServerRequest: (request: HttpServerRequest) => Effect.Effect<ClerkWebhookEvent, ClerkWebhookInvalid>
  }
}

/**
 * Verifies and decodes Clerk's webhooks. `ClerkWebhooks.layerConfig()` reads the signing
 * secret from `CLERK_WEBHOOK_SIGNING_SECRET` (the variable Clerk's SDKs read), as `Redacted`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkWebhooks } from "effect-clerk/http"
 *
 * // A webhook endpoint: 204 for an event you took, 400 for a request that is not Clerk's.
 * const webhookEndpoint = (request: Request) =>
 *   Effect.gen(function*() {
 *     const webhooks = yield* ClerkWebhooks
 *     const event = yield* webhooks.verify(request)
 *     if (event._tag === "SessionWebhookEvent" && event.type === "session.revoked") {
 *       yield* Effect.log(`session ${event.session.id} revoked`)
 *     }
 *     return new Response(null, { status: 204 })
 *   }).pipe(
 *     Effect.catchTag("ClerkWebhookInvalid", (e) => Effect.succeed(new Response(e.message, { status: 400 }))),
 *     Effect.provide(ClerkWebhooks.layerConfig())
 *   )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class ClerkWebhooks extends Service<ClerkWebhooks, ClerkWebhooks.Service>()("effect-clerk/ClerkWebhooks") {
  /**
   * From options; a signing secret that is not `whsec_` + base64 is a defect when the layer
   * is built (it can never verify anything).
   *
   * @since 0.1.0
   */
  static readonly layer = (options: ClerkWebhooksOptions): Layer.Layer<ClerkWebhooks> =>
    Layer.effect(ClerkWebhooks, make(options))

  /**
   * Reads `CLERK_WEBHOOK_SIGNING_SECRET`; a missing or malformed secret is a `ConfigError`
   * naming the variable, never quoting it.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options?: Omit<ClerkWebhooksOptions, "signingSecret">
  ): Layer.Layer<ClerkWebhooks, ConfigError> =>
    Layer.effect(
      ClerkWebhooks,
      Effect.gen(function*() {
        const signingSecret = yield* secretConfig
        return yield* make({ ...options, signingSecret })
      })
    )

  /**
   * The webhook the current `HttpServerRequest` carries, verified and decoded: the handler of
   * an HttpApi endpoint (declare `ClerkWebhookInvalid`, an HTTP 400, as its error) or of an
   * HttpRouter route.
   *
   * @since 0.1.0
   */
  static readonly verifyRequest: Effect.Effect<ClerkWebhookEvent, ClerkWebhookInvalid, ClerkWebhooks | HttpServerRequest> =
    Effect.flatMap(HttpServerRequest, (request) => Effect.flatMap(ClerkWebhooks, (webhooks) => webhooks.verifyServerRequest(request)))
}

const DEFAULT_TOLERANCE = Duration.minutes(5)
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/** `whsec_<base64>` → the key's bytes, or why not. */
const secretBytes = (secret: string): Uint8Array<ArrayBuffer> | string => {
  const encoded = secret.startsWith("whsec_") ? secret.slice(6) : undefined
  if (encoded === undefined) return "must start with whsec_ (the endpoint's signing secret from the Clerk Dashboard)"
  const bytes = decodeBase64(encoded)
  return bytes === undefined || bytes.length < 16 ? "must be whsec_ followed by the base64 of at least 16 bytes" : bytes
}

const secretConfig = checkedString("CLERK_WEBHOOK_SIGNING_SECRET", (secret) => {
  const bytes = secretBytes(secret)
  return typeof bytes === "string" ? `the webhook signing secret ${bytes}` : undefined
}).pipe(Config.map(Redacted.make))

const invalid = (reason: ClerkWebhookInvalidReason, message: string) => new ClerkWebhookInvalid({ reason, message }, TRUSTED)

/** A header by its Standard Webhooks name or Svix's. */
const header = (get: (name: string) => string | undefined, name: "id" | "timestamp" | "signature") =>
  get(`webhook-${name}`) ?? get(`svix-${name}`)

const make = (options: ClerkWebhooksOptions): Effect.Effect<ClerkWebhooks.Service> => {
  const bytes = secretBytes(Redacted.value(options.signingSecret))
  if (typeof bytes === "string") return Effect.die(illegalArgument(`ClerkWebhooks: signingSecret ${bytes}`))
  const toleranceMillis = Duration.toMillis(toDuration(options.tolerance ?? DEFAULT_TOLERANCE))
  const cap = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  return Effect.map(
    Effect.promise(() => crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"])),
    (key) => {
      const encoder = new TextEncoder()
      const anySignatureMatches = async (signatures: ReadonlyArray<Uint8Array<ArrayBuffer>>, signed: Uint8Array<ArrayBuffer>) => {
        for (const signature of signatures) {
          if (await crypto.subtle.verify("HMAC", key, signature, signed)) return true
        }
        return false
      }
      const verifyWith = (
        get: (name: string) => string | undefined,
        readBody: Effect.Effect<string | typeof TOO_LARGE, ClerkWebhookInvalid>
      ): Effect.Effect<ClerkWebhookEvent, ClerkWebhookInvalid> =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const id = header(get, "id")
          const timestamp = header(get, "timestamp")
          const signature = header(get, "signature")
          if (id === undefined || timestamp === undefined || signature === undefined) {
            return Effect.fail(invalid("MissingHeaders", "The request lacks the svix-id, svix-timestamp and svix-signature (or webhook-*) headers"))
          }
          if (!/^\d{1,15}$/.test(timestamp.trim())) {
            return Effect.fail(invalid("MissingHeaders", "The webhook timestamp header is not a number of seconds"))
          }
          const sentMillis = Number(timestamp.trim()) * 1000
          if (Math.abs(now - sentMillis) > toleranceMillis) {
            return Effect.fail(invalid(
              "StaleTimestamp",
              `The webhook's timestamp is ${Math.round(Math.abs(now - sentMillis) / 1000)} s ${sentMillis < now ? "old" : "in the future"}, beyond the ${Duration.format(Duration.millis(toleranceMillis))} tolerance`
            ))
          }
          // `v1,<base64>` entries, space-separated; other versions are ignored, as the spec says.
          const signatures = signature.split(" ").flatMap((entry) => {
            const comma = entry.indexOf(",")
            if (comma === -1 || entry.slice(0, comma) !== "v1") return []
            const decoded = decodeBase64(entry.slice(comma + 1))
            return decoded === undefined ? [] : [decoded]
          })
          if (signatures.length === 0) return Effect.fail(invalid("InvalidSignature", "The webhook carries no v1 signature"))
          return Effect.flatMap(
            readBody,
            (body) => {
              if (body === TOO_LARGE) return Effect.fail(invalid("BodyTooLarge", `The webhook body exceeds ${formatBytes(cap)}`))
              const signed = encoder.encode(`${id}.${timestamp}.${body}`)
              return Effect.flatMap(Effect.promise(() => anySignatureMatches(signatures, signed)), (valid) =>
                valid
                  ? decodeEvent(id, body)
                  : Effect.fail(invalid("InvalidSignature", "No signature of the webhook matches its body with the signing secret")))
            }
          )
        })
      const verify = (request: Request) =>
        verifyWith((name) => request.headers.get(name) ?? undefined, Effect.promise(() => readFetchBody(request, cap, () => {})))
      const verifyServerRequest = (request: HttpServerRequest) => {
        if (request.source instanceof Request && !request.source.bodyUsed) return verify(request.source)
        const length = Number(request.headers["content-length"] ?? "0")
        const body: Effect.Effect<string | typeof TOO_LARGE, ClerkWebhookInvalid> = length > cap
          ? Effect.succeed(TOO_LARGE)
          : Effect.mapError(
            // A UTF-16 unit is at most 3 UTF-8 bytes: only a body near the cap is measured.
            Effect.map(request.text, (text) => (text.length * 3 > cap && encoder.encode(text).length > cap ? TOO_LARGE : text)),
            () => invalid("MalformedBody", "The webhook body could not be read")
          )
        return verifyWith((name) => request.headers[name], body)
      }
      return ClerkWebhooks.of({ verify, verifyServerRequest })
    }
  )
}

const isSessionType = (type: string): type is SessionWebhookEventType => (SESSION_EVENT_TYPES as ReadonlyArray<string>).includes(type)

const decodeEvent = (id: string, body: string): Effect.Effect<ClerkWebhookEvent, ClerkWebhookInvalid> => {
  const json = parseJson(body)
  if (json === INVALID_JSON || typeof json !== "object" || json === null || Array.isArray(json)) {
    return Effect.fail(invalid("MalformedBody", "The webhook body is not a JSON object"))
  }
  const event = json as Record<string, unknown>
  if (typeof event.type !== "string" || event.type === "") {
    return Effect.fail(invalid("MalformedBody", "The webhook body has no type"))
  }
  const timestamp = typeof event.timestamp === "number" && Number.isFinite(event.timestamp) ? event.timestamp : undefined
  const instanceId = typeof event.instance_id === "string" ? event.instance_id : undefined
  if (!isSessionType(event.type)) {
    return Effect.succeed({ _tag: "UnknownWebhookEvent", type: event.type, data: event.data, id, timestamp, instanceId })
  }
  const session = decodeSession(event.data)
  if (!session.ok) {
    return Effect.fail(invalid("MalformedBody", `The ${event.type} event's data is not a Clerk session: ${describeParseError(session.issues)}`))
  }
  return Effect.succeed({ _tag: "SessionWebhookEvent", type: event.type, session: session.value, id, timestamp, instanceId })
}
