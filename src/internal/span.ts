/**
 * Operation spans that cost nothing when nobody collects them.
 *
 * With no tracer installed, Effect's default (native) tracer still builds every span: ids,
 * an attribute map, a new Context and FiberRefs for the child, the end-of-span hook. That
 * is about 17 KB and most of the CPU of a `getSession` (BENCHMARKS.md), for spans that go
 * nowhere. So an operation opens its span only under another tracer (OpenTelemetry,
 * DevTools, a test's): an application that collects spans sees every one, with the same
 * names and attributes; one that does not, does not pay for them.
 */
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"
import { tracerWith } from "#line/Kernel"

// The tracer every fiber has unless a layer sets another (`Layer.setTracer`, OpenTelemetry).
let nativeTracer: Tracer.Tracer | undefined
/** Whether `tracer` is Effect's default one, whose spans nobody collects. */
export const isNative = (tracer: Tracer.Tracer) => tracer === (nativeTracer ??= Effect.runSync(Effect.tracer))

/**
 * `Effect.withSpan(effect, name, { attributes: attributes(args) })`, unless the native tracer
 * is in use: the attributes are built only for a span that is opened (`attributes` is made
 * once by the caller, so a call under the native tracer allocates nothing for them).
 */
export const traced = <A, E, R, Args>(
  name: string,
  attributes: ((args: Args) => Record<string, unknown>) | undefined,
  args: Args,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  tracerWith((tracer) =>
    isNative(tracer)
      ? effect
      : Effect.withSpan(effect, name, { attributes: attributes === undefined ? {} : attributes(args), captureStackTrace: false })
  )

/** `Effect.annotateCurrentSpan`, for an operation's own span (none under the native tracer). */
export const annotate = (key: string, value: unknown): Effect.Effect<void> =>
  tracerWith((tracer) => isNative(tracer) ? Effect.void : Effect.annotateCurrentSpan(key, value))
