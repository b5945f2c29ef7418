/**
 * The Effect 3 side of `#test-line/Testing`: what the test files need whose name or shape
 * differs between effect 3.22 (+ @effect/platform 0.97) and effect 4 (same exports as
 * `test/line/effect4/Testing.ts`). Test files import everything spelled the same on both lines
 * from `effect/*` and `@effect/vitest` directly, and the library's own per-line calls from
 * `#line/Kernel`.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either_ from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock_ from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import type { CauseShape, LogEntry, SpanOptions } from "../types.js"

export * as FetchHttpClient from "@effect/platform/FetchHttpClient"
export * as HttpClient from "@effect/platform/HttpClient"
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"

/** Which line this run is. */
export const LINE: "effect3" | "effect4" = "effect3"

// ---------------------------------------------------------------------------------------------
// TestClock

/** Lets other fibers run. */
export const yieldNow: Effect.Effect<void> = Effect.yieldNow()

/** `adjust` and `setTime` of the TestClock. */
export const TestClock: {
  readonly adjust: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly setTime: (millis: number) => Effect.Effect<void>
} = { adjust: TestClock_.adjust, setTime: (millis) => TestClock_.setTime(millis) }

/** The TestClock times (millis) that sleeping fibers wait for. */
export const sleeps: Effect.Effect<ReadonlyArray<number>> = Effect.map(TestClock_.sleeps(), Chunk.toReadonlyArray)

/** A Clock reading `now()` and sleeping with `sleep`. */
export const makeClock = (now: () => number, sleep: (duration: Duration.Duration) => Effect.Effect<void>): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: now,
  currentTimeMillis: Effect.sync(now),
  unsafeCurrentTimeNanos: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  sleep
})

/** `self` on `clock`. */
export const withClock = (clock: Clock.Clock) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withClock(self, clock)

// ---------------------------------------------------------------------------------------------
// Results

/** A result as the tests read it (effect 3's `Either`). */
export type Either<A, E> = Either_.Either<A, E>

export const Either: {
  readonly isRight: <A, E>(self: Either<A, E>) => self is Either_.Right<E, A>
  readonly isLeft: <A, E>(self: Either<A, E>) => self is Either_.Left<E, A>
  readonly getOrThrow: <A, E>(self: Either<A, E>) => A
  readonly right: <A>(value: A) => Either<A, never>
  readonly left: <E>(error: E) => Either<never, E>
} = {
  isRight: Either_.isRight,
  isLeft: Either_.isLeft,
  getOrThrow: Either_.getOrThrow,
  right: Either_.right,
  left: Either_.left
}

/** `self`'s success or failure as a value. */
export const either = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either<A, E>, never, R> => Effect.either(self)

/** Each element or the stream's failure, as values. */
export const streamEither = <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<Either<A, E>, never, R> =>
  Stream.either(self)

/** Every element of `self`, in order. */
export const runCollect = <A, E, R>(self: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Effect.map(Stream.runCollect(self), Chunk.toReadonlyArray)

/** `effect` run again and again, each result an element. */
export const repeatEffect: <A, E, R>(effect: Effect.Effect<A, E, R>) => Stream.Stream<A, E, R> = Stream.repeatEffect

// ---------------------------------------------------------------------------------------------
// Exits, causes, fibers

export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => Exit.isInterrupted(exit)
export const isDie = <E>(cause: Cause.Cause<E>): boolean => Cause.isDie(cause)
export const causeOf = <E>(cause: Cause.Cause<E>): CauseShape<E> =>
  cause._tag === "Fail"
    ? { _tag: "Fail", error: cause.error }
    : cause._tag === "Die"
    ? { _tag: "Die", defect: cause.defect }
    : { _tag: cause._tag === "Interrupt" || cause._tag === "Empty" ? cause._tag : "Several" }

/** Whether `cause` is one typed failure and nothing else. */
export const isSingleFailure = <E>(cause: Cause.Cause<E>): boolean => cause._tag === "Fail"
export const isEmptyCause = <E>(cause: Cause.Cause<E>): boolean => Cause.isEmpty(cause)
export const emptyCause: Cause.Cause<never> = Cause.empty
/** The cause as a readable text, with each error's `cause` chain. */
export const prettyCause = <E>(cause: Cause.Cause<E>): string => Cause.pretty(cause, { renderErrorCause: true })
/** What an `Effect.tryPromise` without `catch` failed with (effect 3: `UnknownException.error`). */
export const tryPromiseCause = (failure: unknown): unknown => (failure as { readonly error?: unknown }).error

/** The defect a library raises for an illegal argument. */
export const IllegalArgument: new(message?: string) => Error = Cause.IllegalArgumentException

export const tapErrorCause = <E, X, E2, R2>(f: (cause: Cause.Cause<E>) => Effect.Effect<X, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R | R2> => Effect.tapErrorCause(self, f)

/** The fiber's exit if it is done, `undefined` while it runs (read synchronously). */
export const pollUnsafe = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined =>
  fiber.unsafePoll() ?? undefined

/** The fiber's exit if it is done, none while it runs. */
export const poll = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E>>> => Fiber.poll(fiber)

/** How many root fibers are still running. */
export const runningRootFibers: Effect.Effect<number> | undefined = Effect.map(
  Fiber.roots,
  (roots) => roots.filter((f) => f.unsafePoll() === null).length
)

/** The spans of the fiber running now, innermost first (read synchronously). */
export const currentSpan = (): Tracer.AnySpan | undefined => Option.getOrUndefined(Fiber.getCurrentFiber())?.currentSpan

// ---------------------------------------------------------------------------------------------
// Schedules

/** Recurs while both recur, with the longer delay. */
export const intersect = <O1, I1, R1, O2, I2, R2>(
  self: Schedule.Schedule<O1, I1, R1>,
  that: Schedule.Schedule<O2, I2, R2>
): Schedule.Schedule<unknown, I1 & I2, R1 | R2> => Schedule.intersect(self, that)

// ---------------------------------------------------------------------------------------------
// Config

/** Config read from these variables only. */
export const configLayer = (env: Iterable<readonly [string, string]> | Record<string, string>): Layer.Layer<never> =>
  Layer.setConfigProvider(
    ConfigProvider.fromMap(new Map(Symbol.iterator in env ? (env as Iterable<readonly [string, string]>) : Object.entries(env)))
  )

export const isConfigError = (u: unknown): boolean => ConfigError.isConfigError(u)

/** How `String(configError)` names the variable that failed (effect 3: `Invalid data at NAME: message`). */
export const configErrorNaming = (name: string): string => `Invalid data at ${name}: `

/** `String(defect)` of `Kernel.dieMessage(message)`'s defect (effect 3: a RuntimeException). */
export const dieMessageText = (message: string): string => `RuntimeException: ${message}`

/** The name of the span an `HttpClient` request runs in (effect 3: `http.client GET`). */
export const httpSpanName = (method: string): string => `http.client ${method}`
export const isHttpSpanName = (name: string): boolean => name.startsWith("http.client ")

// ---------------------------------------------------------------------------------------------
// Logging and tracing

/** A layer that sends every log line to `log` instead of the default logger. */
export const loggerLayer = (log: (entry: LogEntry) => void): Layer.Layer<never> =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, cause, logLevel, message, spans }) =>
      log({
        level: logLevel.label,
        message,
        annotations: Object.fromEntries(annotations),
        spans: [...spans].map((s) => s.label),
        cause
      })
    )
  )

/** A layer with no logger at all. */
export const noLogger: Layer.Layer<never> = Logger.remove(Logger.defaultLogger)

/** Every log level is logged. */
export const logEverything: Layer.Layer<never> = Logger.minimumLogLevel(LogLevel.All)

/** What a span needs besides what the tracer passes in (its context, or annotations in effect 4). */
export type SpanBody = Omit<Tracer.Span, "context">

/** A tracer whose spans `span` makes; the layer that installs it. */
export const tracerLayer = (span: (options: SpanOptions) => SpanBody): Layer.Layer<never> =>
  Layer.setTracer(
    Tracer.make({
      span(name, parent, context: Context.Context<never>, links, startTime, kind) {
        return Object.assign(span({ name, parent, links, startTime, kind }), { context }) as Tracer.Span
      },
      context: (f) => f()
    })
  )

// ---------------------------------------------------------------------------------------------
// HTTP

/** A transport failure of an `HttpClient`, as a mock transport fails. */
export const httpTransportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown): HttpClientError.HttpClientError =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/** An HttpApp (any `Effect<HttpServerResponse, E, HttpServerRequest>`) as a web handler (`HttpApp.toWebHandler`). */
export { toWebHandler as appToWebHandler } from "@effect/platform/HttpApp"
