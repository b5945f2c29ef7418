/**
 * Scripted failures for the {@link ClerkEmulator}: what a real Clerk (or the proxies in
 * front of it) does on a bad day. Inject one with `emulator.injectFault(fault, { route,
 * times })`; it answers in place of the real response for the next `times` matching
 * requests.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import { type DurationInput, toDuration } from "#line/Kernel"

/**
 * A scripted failure: one of the members of the {@link Fault} namespace, told apart by
 * `_tag`. Build one with the constructors on {@link Fault}.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { Fault } from "effect-clerk/testing"
 *
 * const badDay: ReadonlyArray<Fault> = [Fault.status(503), Fault.rateLimited({ retryAfter: 2 }), Fault.delay(Duration.seconds(3))]
 *
 * const describe = (fault: Fault): string => {
 *   switch (fault._tag) {
 *     case "Status":
 *       return `HTTP ${fault.status}`
 *     case "RateLimited":
 *       return `429, Retry-After ${String(fault.retryAfter)}`
 *     case "Delay":
 *       return `the real answer, ${Duration.toMillis(fault.duration)} ms late`
 *     default:
 *       return fault._tag
 *   }
 * }
 *
 * console.log(badDay.map(describe)) // [ 'HTTP 503', '429, Retry-After 2', 'the real answer, 3000 ms late' ]
 * ```
 *
 * @category faults
 * @since 0.1.0
 */
export type Fault =
  | Fault.Status
  | Fault.RateLimited
  | Fault.Html
  | Fault.TruncatedJson
  | Fault.WrongShape
  | Fault.Delay
  | Fault.Hang
  | Fault.DropConnection

/**
 * The members of the {@link Fault} union, one interface per `_tag`, for code that builds or
 * inspects a fault itself.
 *
 * @example
 * ```ts
 * import { Fault } from "effect-clerk/testing"
 *
 * const isServerError = (fault: Fault): fault is Fault.Status => fault._tag === "Status" && fault.status >= 500
 *
 * // Retry-After as an HTTP-date, five seconds from now.
 * const slowDown: Fault.RateLimited = { _tag: "RateLimited", retryAfter: new Date(Date.now() + 5_000) }
 *
 * console.log(isServerError(Fault.status(502)), isServerError(slowDown)) // true false
 * ```
 *
 * @category faults
 * @since 0.1.0
 */
export declare namespace Fault {
  /** Any status (500, 502, 503, 504, …) with a `ClerkErrors` body, or `body` as JSON. */
  export interface Status {
    readonly _tag: "Status"
    readonly status: number
    readonly body?: unknown
    readonly headers?: Readonly<Record<string, string>>
  }
  /** 429 with Clerk's `too_many_requests` body and a `Retry-After` header. */
  export interface RateLimited {
    readonly _tag: "RateLimited"
    /** `Retry-After`: delta-seconds (a number) or an HTTP-date (a `Date`); absent when undefined. */
    readonly retryAfter: number | Date | undefined
  }
  /** An HTML error page, like the one a CDN or load balancer returns. */
  export interface Html {
    readonly _tag: "Html"
    readonly status: number
  }
  /** The real response, cut in half: a complete HTTP message whose JSON body is invalid. */
  export interface TruncatedJson {
    readonly _tag: "TruncatedJson"
  }
  /** 200 with valid JSON of the wrong shape. */
  export interface WrongShape {
    readonly _tag: "WrongShape"
    readonly body: unknown
  }
  /** The real response, after `duration` (measured on the emulator's `Clock`). */
  export interface Delay {
    readonly _tag: "Delay"
    readonly duration: Duration.Duration
  }
  /** Never answers (until the client gives up and aborts). */
  export interface Hang {
    readonly _tag: "Hang"
  }
  /**
   * The real status and headers (with the full `Content-Length`), then `afterBytes` bytes of
   * the body (default: half), then the connection is dropped. Over a socket the peer sees a
   * reset mid-body; in-process the body stream errors.
   */
  export interface DropConnection {
    readonly _tag: "DropConnection"
    readonly afterBytes: number | undefined
  }
}

/**
 * Constructors of {@link Fault}: `status`, `rateLimited`, `html`, `truncatedJson`,
 * `wrongShape`, `delay`, `hang` and `dropConnection`. Give one to the emulator's
 * `injectFault(fault, { route, times, match })`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, Fault } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   // Clerk is over its rate limit once: the SDK waits the Retry-After (1 s) and retries.
 *   yield* clerk.injectFault(Fault.rateLimited({ retryAfter: 1 }), { route: "getSession", times: 1 })
 *   const fetched = yield* (yield* Sessions).getSession(session.id)
 *   const answers = (yield* clerk.requests).map((request) => `${request.status} ${request.fault ?? "real"}`)
 *   return { status: fetched.status, answers }
 * }).pipe(Effect.provide(ClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // { status: 'active', answers: [ '429 RateLimited', '200 real' ] }
 * ```
 *
 * @category faults
 * @since 0.1.0
 */
export const Fault = {
  /** `status` (e.g. 500, 502, 503, 504) with a `ClerkErrors` body, or your own JSON `body`. */
  status: (
    status: number,
    options?: { readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  ): Fault => ({
    _tag: "Status",
    status,
    ...(options?.body !== undefined ? { body: options.body } : {}),
    ...(options?.headers ? { headers: options.headers } : {})
  }),
  /** 429 with `Retry-After: <seconds>` (number) or `Retry-After: <HTTP-date>` (Date), or none. */
  rateLimited: (options?: { readonly retryAfter?: number | Date | undefined }): Fault => ({
    _tag: "RateLimited",
    retryAfter: options?.retryAfter
  }),
  /** An HTML error page with `status` (default 502). */
  html: (status = 502): Fault => ({ _tag: "Html", status }),
  /** The real response with its JSON body cut in half. */
  truncatedJson: (): Fault => ({ _tag: "TruncatedJson" }),
  /** 200 with `body` (default `{ "unexpected": true }`): valid JSON, wrong shape. */
  wrongShape: (body: unknown = { unexpected: true }): Fault => ({ _tag: "WrongShape", body }),
  /** The real response, `duration` later. */
  delay: (duration: DurationInput): Fault => ({ _tag: "Delay", duration: toDuration(duration) }),
  /** No answer at all, until the client aborts. */
  hang: (): Fault => ({ _tag: "Hang" }),
  /** Headers and part of the body, then the connection drops. */
  dropConnection: (options?: { readonly afterBytes?: number }): Fault => ({
    _tag: "DropConnection",
    afterBytes: options?.afterBytes
  })
} as const
