/**
 * A layer installing a tracer that builds its spans with Effect's native tracer but is not
 * it, as an application with OpenTelemetry has (minus the exporting). Effect 4 spelling:
 * the tracer is the `Tracer.Tracer` reference, `span` takes one options object.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"

export const delegatingTracer = (): Layer.Layer<never> => {
  const native = Effect.runSync(Effect.tracer)
  return Layer.succeed(
    Tracer.Tracer,
    Tracer.make({ span: (options) => native.span(options), ...(native.context ? { context: native.context } : {}) })
  )
}
