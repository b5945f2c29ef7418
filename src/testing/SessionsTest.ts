/**
 * A stub `Sessions` for application tests: give the methods your code calls, and any other
 * method dies, naming itself, the moment it runs.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Sessions } from "../Sessions.js"

const METHODS = [
  "getSessionList",
  "listAll",
  "getSession",
  "revokeSession",
  "verifySession",
  "createSessionToken",
  "createSessionTokenFromTemplate",
  "createSession",
  "refreshSession"
] as const satisfies ReadonlyArray<keyof Sessions.Service>

/** The defect message of an unstubbed method. */
const notStubbed = (method: string) => `SessionsTest: ${method} was not stubbed`

/**
 * Stub `Sessions` for application tests.
 *
 * @since 0.1.0
 */
export const SessionsTest = {
  /**
   * A `Sessions` service from `partial`; every method not given dies with
   * `"SessionsTest: <method> was not stubbed"` when its effect (or stream) runs.
   *
   * @since 0.1.0
   */
  make: (partial: Partial<Sessions.Service> = {}): Sessions.Service => {
    const service: Record<string, unknown> = {}
    for (const method of METHODS) {
      service[method] = partial[method] ??
        (method === "listAll"
          ? () => Stream.dieMessage(notStubbed(method))
          : () => Effect.dieMessage(notStubbed(method)))
    }
    return Sessions.of(service as unknown as Sessions.Service)
  },

  /**
   * `SessionsTest.make(partial)` as a layer.
   *
   * @since 0.1.0
   */
  layer: (partial: Partial<Sessions.Service> = {}): Layer.Layer<Sessions> =>
    Layer.succeed(Sessions, SessionsTest.make(partial))
}
