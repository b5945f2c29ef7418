/**
 * The Effect 4 side of `#test-line/Testing` (same exports as `test/line/effect3/Testing.ts`):
 * what the test files need whose name or shape differs from effect 3.22 and
 * @effect/platform 0.97, under the names the shared test files use.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { CauseShape, LogEntry, SpanOptions } from "../types.js"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import { TestClock as TestClock_ } from "effect/testing"

export * as FetchHttpClient from "effect/http/FetchHttpClient"
export * as HttpClient from "effect/http/HttpClient"
export * as HttpClientRequest from "effect/http/HttpClientRequest"
export * as HttpClientResponse from "effect/http/HttpClientResponse"

/** Which line this run is. */
export const LINE: "effect3" | "effect4" = "effect4"

// ---------------------------------------------------------------------------------------------
// TestClock

/** Lets other fibers run. */
export const yieldNow: Effect.Effect<void> = Effect.yieldNow

/** `adjust` and `setTime` of the TestClock. */
export const TestClock: {
  readonly adjust: (duration: Duration.Input) => Effect.Effect<void>
  readonly setTime: (millis: number) => Effect.Effect<void>
} = { adjust: TestClock_.adjust, setTime: (millis) => TestClock_.setTime(millis) }

/**
 * The TestClock times (millis) that sleeping fibers wait for. effect 4's TestClock has no
 * public `sleeps` (4.1.5 exports make, layer, testClockWith, adjust, setTime, withLive), so
 * its pending sleeps are read from the clock's `sleeps` field. A public-API alternative does
 * not work: a Clock that wraps the TestClock to record sleeps replaces the Clock service, and
 * TestClock.adjust / setTime find the TestClock through that service, so they then fail
 * ("testClock.setTime is not a function"). The field's shape is checked where it is read.
 */
export const sleeps: Effect.Effect<ReadonlyArray<number>> = TestClock_.testClockWith((clock) =>
  Effect.sync(() => {
    const pending = (clock as unknown as { readonly sleeps?: unknown }).sleeps
    if (!Array.isArray(pending) || pending.some((s) => typeof s?.timestamp !== "number")) {
      throw new Error("effect 4's TestClock no longer keeps `sleeps: Array<{ timestamp }>`: update test/line/effect4/Testing.ts")
    }
    return pending.map((s: { readonly timestamp: number }) => s.timestamp)
  })
)

/** A Clock reading `now()` and sleeping with `sleep`. */
export const makeClock = (now: () => number, sleep: (duration: Duration.Duration) => Effect.Effect<void>): Clock.Clock => ({
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  monotonicTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  sleep
})

/** `self` on `clock`. */
export const withClock = (clock: Clock.Clock) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, Clock.Clock, clock)

// ---------------------------------------------------------------------------------------------
// Results

/** A result as the tests read it: effect 3's `Either` shape, made from effect 4's `Result`. */
export type Either<A, E> =
  | { readonly _tag: "Right"; readonly right: A }
  | { readonly _tag: "Left"; readonly left: E }

const fromResult = <A, E>(result: Result.Result<A, E>): Either<A, E> =>
  Result.isSuccess(result) ? { _tag: "Right", right: result.success } : { _tag: "Left", left: result.failure }

export const Either: {
  readonly isRight: <A, E>(self: Either<A, E>) => self is { readonly _tag: "Right"; readonly right: A }
  readonly isLeft: <A, E>(self: Either<A, E>) => self is { readonly _tag: "Left"; readonly left: E }
  readonly getOrThrow: <A, E>(self: Either<A, E>) => A
  readonly right: <A>(value: A) => Either<A, never>
  readonly left: <E>(error: E) => Either<never, E>
} = {
  isRight: <A, E>(self: Either<A, E>): self is { readonly _tag: "Right"; readonly right: A } => self._tag === "Right",
  isLeft: <A, E>(self: Either<A, E>): self is { readonly _tag: "Left"; readonly left: E } => self._tag === "Left",
  getOrThrow: <A, E>(self: Either<A, E>): A => {
    if (self._tag === "Right") return self.right
    throw self.left
  },
  right: (right) => ({ _tag: "Right", right }),
  left: (left) => ({ _tag: "Left", left })
}

/** `self`'s success or failure as a value. */
export const either = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either<A, E>, never, R> =>
  Effect.map(Effect.result(self), fromResult)

/** Each element or the stream's failure, as values. */
export const streamEither = <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<Either<A, E>, never, R> =>
  Stream.map(Stream.result(self), fromResult)

/** Every element of `self`, in order. */
export const runCollect = <A, E, R>(self: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Stream.runCollect(self)

/** `effect` run again and again, each result an element. */
export const repeatEffect = <A, E, R>(effect: Effect.Effect<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.fromEffectRepeat(effect)

// ---------------------------------------------------------------------------------------------
// Exits, causes, fibers

export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean => Exit.hasInterrupts(exit)
export const isDie = <E>(cause: Cause.Cause<E>): boolean => Cause.hasDies(cause)
export const causeOf = <E>(cause: Cause.Cause<E>): CauseShape<E> => {
  if (cause.reasons.length === 0) return { _tag: "Empty" }
  if (cause.reasons.length > 1) return { _tag: "Several" }
  const reason = cause.reasons[0]!
  return Cause.isFailReason(reason)
    ? { _tag: "Fail", error: reason.error }
    : Cause.isDieReason(reason)
    ? { _tag: "Die", defect: reason.defect }
    : { _tag: "Interrupt" }
}

/** Whether `cause` is one typed failure and nothing else. */
export const isSingleFailure = <E>(cause: Cause.Cause<E>): boolean =>
  cause.reasons.length === 1 && Cause.isFailReason(cause.reasons[0]!)
export const isEmptyCause = <E>(cause: Cause.Cause<E>): boolean => cause.reasons.length === 0
export const emptyCause: Cause.Cause<never> = Cause.empty
/** The cause as a readable text, with each error's `cause` chain. */
export const prettyCause = <E>(cause: Cause.Cause<E>): string => Cause.pretty(cause)
/** What an `Effect.tryPromise` without `catch` failed with (effect 4: `UnknownError.cause`). */
export const tryPromiseCause = (failure: unknown): unknown => (failure as { readonly cause?: unknown }).cause

/** The defect a library raises for an illegal argument. */
export const IllegalArgument: new(message?: string) => Error = Cause.IllegalArgumentError

export const tapErrorCause = <E, X, E2, R2>(f: (cause: Cause.Cause<E>) => Effect.Effect<X, E2, R2>) =>
<A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R | R2> => Effect.tapCause(self, f)

/** The fiber's exit if it is done, `undefined` while it runs (read synchronously). */
export const pollUnsafe = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | undefined => fiber.pollUnsafe()

/** The fiber's exit if it is done, none while it runs. */
export const poll = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E>>> =>
  Effect.sync(() => Option.fromUndefinedOr(fiber.pollUnsafe()))

/** How many root fibers are still running: effect 4 keeps no registry of root fibers. */
export const runningRootFibers: Effect.Effect<number> | undefined = undefined

/** The span of the fiber running now (read synchronously). */
export const currentSpan = (): Tracer.AnySpan | undefined => {
  const fiber = Fiber.getCurrent()
  return fiber === undefined ? undefined : Option.getOrUndefined(Context.getOption(fiber.context, Tracer.ParentSpan))
}

// ---------------------------------------------------------------------------------------------
// Schedules

/** Recurs while both recur, with the longer delay. */
export const intersect = <O1, I1, E1, R1, O2, I2, E2, R2>(
  self: Schedule.Schedule<O1, I1, E1, R1>,
  that: Schedule.Schedule<O2, I2, E2, R2>
) => Schedule.max([self, that])

// ---------------------------------------------------------------------------------------------
// Config

/** Config read from these variables only (empty values kept, as effect 3's `fromMap` does). */
export const configLayer = (env: Iterable<readonly [string, string]> | Record<string, string>): Layer.Layer<never> =>
  ConfigProvider.layer(
    ConfigProvider.fromEnvRecord(
      Symbol.iterator in env ? Object.fromEntries(env as Iterable<readonly [string, string]>) : env as Record<string, string>,
      { preserveEmptyStrings: true }
    )
  )

export const isConfigError = (u: unknown): boolean => u instanceof Config.ConfigError

/** How `String(configError)` names the variable that failed (effect 4: the schema issue's path, `at ["NAME"]`). */
export const configErrorNaming = (name: string): string => `at ["${name}"]`

/** `String(defect)` of `Kernel.dieMessage(message)`'s defect (effect 4: a plain Error). */
export const dieMessageText = (message: string): string => `Error: ${message}`

/** The name of the span an `HttpClient` request runs in (effect 4: the method alone, `GET`). */
export const httpSpanName = (method: string): string => method
export const isHttpSpanName = (name: string): boolean => /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)

// ---------------------------------------------------------------------------------------------
// Logging and tracing

/** A layer that sends every log line to `log` instead of the default logger. */
export const loggerLayer = (log: (entry: LogEntry) => void): Layer.Layer<never> =>
  Logger.layer([
    Logger.make(({ cause, fiber, logLevel, message }) =>
      log({
        level: logLevel.toUpperCase(),
        message,
        annotations: { ...fiber.getRef(References.CurrentLogAnnotations) },
        spans: fiber.getRef(References.CurrentLogSpans).map(([label]) => label),
        cause
      })
    )
  ])

/** A layer with no logger at all. */
export const noLogger: Layer.Layer<never> = Logger.layer([])

/** Every log level is logged. */
export const logEverything: Layer.Layer<never> = Layer.succeed(References.MinimumLogLevel, "All")

/** What a span needs besides what the tracer passes in (its annotations, or context in effect 3). */
export type SpanBody = Omit<Tracer.Span, "annotations">

/** A tracer whose spans `span` makes; the layer that installs it. */
export const tracerLayer = (span: (options: SpanOptions) => SpanBody): Layer.Layer<never> =>
  Layer.succeed(
    Tracer.Tracer,
    Tracer.make({
      span: ({ annotations, kind, links, name, parent, startTime }) =>
        Object.assign(span({ name, parent, links, startTime, kind }), { annotations }) as Tracer.Span
    })
  )

// ---------------------------------------------------------------------------------------------
// HTTP

/** A transport failure of an `HttpClient`, as a mock transport fails. */
export const httpTransportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown): HttpClientError.HttpClientError =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

/** An HttpApp (any `Effect<HttpServerResponse, E, HttpServerRequest>`) as a web handler (`HttpEffect.toWebHandler`). */
export { toWebHandler as appToWebHandler } from "effect/http/HttpEffect"
