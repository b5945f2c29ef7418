/**
 * A Worker that verifies the request's session token with effect-clerk's `TokenVerifier`
 * (PEM key, no network) and answers with that session from `Sessions`.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { ClerkClient, Sessions, TokenVerifier } from "../../src/index.js"
import { answer, type Env, failed } from "./shared.js"

const makeRuntime = (env: Env) =>
  ManagedRuntime.make(
    Layer.merge(
      Sessions.layer.pipe(
        Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(env.CLERK_SECRET_KEY), apiUrl: env.CLERK_API_URL }))
      ),
      // The token bench.mjs signs is for https://example.com (a verifier without authorizedParties logs a warning).
      TokenVerifier.layerJwtKey({ jwtKey: env.CLERK_JWT_KEY ?? "", authorizedParties: ["https://example.com"] })
    )
  )

let runtime: ReturnType<typeof makeRuntime> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    runtime ??= makeRuntime(env)
    const exit = await runtime.runPromiseExit(Effect.gen(function*() {
      const claims = yield* Effect.flatMap(TokenVerifier, (v) => v.authenticateRequest(request))
      return yield* Effect.flatMap(Sessions, (s) => s.getSession(claims.sid))
    }))
    return exit._tag === "Success" ? answer(exit.value) : failed(exit.cause)
  }
}
