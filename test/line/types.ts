/**
 * The types both sides of `#test-line/Testing` (test/line/effect3, test/line/effect4) use
 * alike: each line's `effect` gives them their meaning, so they are written once here.
 */
import type * as Cause from "effect/Cause"
import type * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"

/** A cause as the tests read it: one failure, one defect, an interruption, nothing, or several. */
export type CauseShape<E> =
  | { readonly _tag: "Fail"; readonly error: E }
  | { readonly _tag: "Die"; readonly defect: unknown }
  | { readonly _tag: "Interrupt" | "Empty" | "Several" }

/** One log line, as the loggers of the tests record it. */
export interface LogEntry {
  /** Upper case: `WARN`, `ERROR`, … */
  readonly level: string
  readonly message: unknown
  readonly annotations: Record<string, unknown>
  /** Log span labels. */
  readonly spans: ReadonlyArray<string>
  readonly cause: Cause.Cause<unknown>
}

/** What a test tracer's `tracerLayer` passes to the function that makes each span. */
export interface SpanOptions {
  readonly name: string
  readonly parent: Option.Option<Tracer.AnySpan>
  readonly links: ReadonlyArray<Tracer.SpanLink>
  readonly startTime: bigint
  readonly kind: Tracer.SpanKind
}
