/**
 * Clerk's webhooks as the emulator sends them: Clerk delivers through Svix, per the Standard
 * Webhooks spec — a POST of the event JSON (`{ data, object: "event", type, timestamp,
 * instance_id }`, `data` the session as the Backend API returns it) with `svix-id`,
 * `svix-timestamp` and `svix-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed
 * by the endpoint's `whsec_` secret), retried on a non-2xx answer or a network error on Svix's
 * schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (on the emulator's `Clock`: a TestClock
 * drives the retries). Every attempt is logged.
 */
import * as Effect from "effect/Effect"
import type { Runner } from "#line/InProcess"
import { decodeBase64, encodeBase64 } from "../../internal/base64.js"
import { randomHex } from "./ids.js"
import type { WebhookDelivery } from "./model.js"

/** Svix's retry schedule after the first attempt, in milliseconds. */
export const RETRY_DELAYS_MILLIS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const

/** An in-process endpoint: the app's web handler, called instead of `fetch`. */
export type WebhookHandler = (request: Request) => Promise<Response>

export interface WebhookEndpointRecord {
  readonly id: string
  readonly url: string
  readonly handler: WebhookHandler | undefined
  readonly secret: string
  /** The event types it takes; every type when absent. */
  readonly events: ReadonlySet<string> | undefined
  /** Its HMAC key, imported once. */
  readonly key: Promise<CryptoKey>
  /** Aborted when it is unregistered: its retries waiting on the clock stop. */
  readonly stop: AbortController
  /** Its first attempts, one after another: an endpoint sees the events in the order they happened. */
  queue: Promise<unknown>
}

/** A fresh `whsec_` secret: base64 of 24 random bytes, as Clerk's Dashboard shows one. */
export const newSigningSecret = (): string => `whsec_${encodeBase64(crypto.getRandomValues(new Uint8Array(24)))}`

/** The HMAC key of a `whsec_` secret; a secret that is not one is the test's mistake (a defect). */
const signingKey = (secret: string): Promise<CryptoKey> => {
  const bytes = secret.startsWith("whsec_") ? decodeBase64(secret.slice("whsec_".length)) : undefined
  if (bytes === undefined || bytes.length === 0) {
    throw new TypeError("ClerkEmulator.registerWebhook: secret must be whsec_ followed by the base64 of its key")
  }
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
}

const sign = async (key: Promise<CryptoKey>, signed: string): Promise<string> =>
  `v1,${encodeBase64(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(signed)))}`

/**
 * The emulator's webhook sender: `emit` queues an event for every endpoint that takes its
 * type and returns at once (the API call that caused it does not wait, as with Clerk);
 * `settled` waits until no attempt is in flight (a retry waiting on the clock is not).
 */
export class WebhookSender {
  readonly endpoints = new Map<string, WebhookEndpointRecord>()
  readonly attempts: Array<WebhookDelivery> = []
  private readonly inFlight = new Set<Promise<unknown>>()
  /** When each retry waiting on the clock is due (its attempt is in flight from then on). */
  private readonly due = new Set<{ readonly at: number; readonly endpointId: string }>()

  constructor(
    private readonly run: Runner,
    private readonly instanceId: string,
    private readonly now: () => Effect.Effect<number>
  ) {}

  register(url: string, options: {
    readonly events?: ReadonlyArray<string> | undefined
    readonly secret?: string | undefined
    readonly handler?: WebhookHandler | undefined
  }) {
    new URL(url) // a URL that does not parse is the test's mistake: a defect, here, not failed deliveries later
    const secret = options.secret ?? newSigningSecret()
    const endpoint: WebhookEndpointRecord = {
      id: `ep_${randomHex(12)}`,
      url,
      handler: options.handler,
      secret,
      key: signingKey(secret),
      events: options.events === undefined ? undefined : new Set(options.events),
      stop: new AbortController(),
      queue: Promise.resolve()
    }
    this.endpoints.set(endpoint.id, endpoint)
    return endpoint
  }

  /** Stop delivering to `id`: no new event, no retry (`false` when it was not registered). */
  unregister(id: string): boolean {
    const endpoint = this.endpoints.get(id)
    if (endpoint === undefined) return false
    this.endpoints.delete(id)
    endpoint.stop.abort()
    for (const retry of this.due) if (retry.endpointId === id) this.due.delete(retry)
    return true
  }

  /**
   * Queue `type` with `data` (taken as it is now) for every endpoint that takes it, behind the
   * endpoint's earlier events (a retry waiting on the clock does not hold the queue).
   */
  emit(type: string, data: Record<string, unknown>, at: number): void {
    const body = JSON.stringify({ data, event_attributes: {}, instance_id: this.instanceId, object: "event", timestamp: at, type })
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.events !== undefined && !endpoint.events.has(type)) continue
      const messageId = `msg_${randomHex(14)}`
      // Unregistered while it waited in the queue: not sent.
      endpoint.queue = endpoint.queue.then(() =>
        endpoint.stop.signal.aborted ? undefined : this.run(this.deliver(endpoint, messageId, type, body, 1))
      )
      this.track(endpoint.queue)
    }
  }

  /**
   * Succeeds once no attempt is in flight and no retry is due by the clock: after a
   * `TestClock.adjust` past a retry's time, it waits for that retry's attempt too.
   */
  readonly settled: Effect.Effect<void> = Effect.suspend(() => {
    if (this.inFlight.size > 0) {
      return Effect.flatMap(Effect.promise(() => Promise.allSettled([...this.inFlight])), () => this.settled)
    }
    return Effect.flatMap(this.now(), (now) => {
      for (const retry of this.due) {
        // Due, not yet woken: let its fiber run (a macrotask, not the clock, which a TestClock holds).
        if (retry.at <= now) return Effect.flatMap(Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1))), () => this.settled)
      }
      return Effect.void
    })
  })

  private track(promise: Promise<unknown>) {
    this.inFlight.add(promise)
    void promise.finally(() => this.inFlight.delete(promise))
  }

  private deliver(endpoint: WebhookEndpointRecord, messageId: string, type: string, body: string, attempt: number): Effect.Effect<void> {
    return Effect.flatMap(this.now(), (at) =>
      Effect.flatMap(
        Effect.promise(() => this.post(endpoint, messageId, Math.floor(at / 1000), body)),
        (status) => {
          this.attempts.push({ endpointId: endpoint.id, messageId, eventType: type, attempt, status, at })
          const delay = RETRY_DELAYS_MILLIS[attempt - 1]
          if ((status !== null && status >= 200 && status < 300) || delay === undefined) return Effect.void
          // The retry waits on the clock, not in flight until it is due; then its attempt is.
          return Effect.flatMap(this.now(), (from) =>
            Effect.sync(() => {
              if (endpoint.stop.signal.aborted) return
              const retry = { at: from + delay, endpointId: endpoint.id }
              this.due.add(retry)
              void this.run(
                Effect.flatMap(Effect.sleep(delay), () =>
                  Effect.sync(() => {
                    this.due.delete(retry)
                    this.track(this.run(this.deliver(endpoint, messageId, type, body, attempt + 1)))
                  })),
                endpoint.stop.signal
              )
            }))
        }
      ))
  }

  private async post(endpoint: WebhookEndpointRecord, messageId: string, timestamp: number, body: string): Promise<number | null> {
    try {
      const headers = {
        "content-type": "application/json",
        "svix-id": messageId,
        "svix-timestamp": String(timestamp),
        "svix-signature": await sign(endpoint.key, `${messageId}.${timestamp}.${body}`),
        "user-agent": "Svix-Webhooks/1.0 (effect-clerk emulator)"
      }
      const request = new Request(endpoint.url, { method: "POST", headers, body })
      // Svix gives an endpoint 15 s to answer; an endpoint that never does must not hold its queue.
      const response = endpoint.handler === undefined
        ? await fetch(request, { signal: AbortSignal.timeout(15_000) })
        : await endpoint.handler(request)
      await response.body?.cancel()
      return response.status
    } catch {
      return null
    }
  }
}
