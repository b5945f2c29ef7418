/** A Worker answering `GET /{sessionId}` with effect-clerk's `Sessions` (no TokenVerifier). */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { ClerkClient, Sessions } from "../../src/index.js"
import { answer, type Env, failed, sessionIdOf } from "./shared.js"

const makeRuntime = (env: Env) =>
  ManagedRuntime.make(
    Sessions.layer.pipe(
      Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(env.CLERK_SECRET_KEY), apiUrl: env.CLERK_API_URL }))
    )
  )

let runtime: ReturnType<typeof makeRuntime> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    runtime ??= makeRuntime(env)
    const exit = await runtime.runPromiseExit(Effect.flatMap(Sessions, (s) => s.getSession(sessionIdOf(request))))
    return exit._tag === "Success" ? answer(exit.value) : failed(exit.cause)
  }
}
