/**
 * A layer installing a tracer that builds its spans with Effect's native tracer but is not
 * it, as an application with OpenTelemetry has (minus the exporting). Effect 3 spelling.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"

export const delegatingTracer = (): Layer.Layer<never> => {
  const native = Effect.runSync(Effect.tracer)
  return Layer.setTracer(Tracer.make({ span: (...args) => native.span(...args), context: (f) => f() }))
}
