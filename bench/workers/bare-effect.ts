/**
 * The baseline: what any Effect Worker calling an HTTP API already ships. The same request
 * and answer as effect-clerk-sessions.ts, written directly on Effect, the line's HttpClient
 * (@effect/platform on Effect 3, `effect/http` on Effect 4) and Schema (a Schema class with a
 * DateTime field, a timeout, a retry with backoff, a span), with no effect-clerk. Bundle and
 * start-up differences from it are what effect-clerk adds.
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
// The line's HTTP client and the model's Schema spelling (bench/line/effect4/ on the Effect 4 line).
import { decodeSession } from "#bench-line/BareSession"
import { fetchHttpClientLayer, filterStatusOk, HttpClient } from "#bench-line/Http"
import { answer, type Env, failed, sessionIdOf } from "./shared.js"

const getSession = (env: Env, id: string) =>
  Effect.gen(function*() {
    const client = (yield* HttpClient).pipe(filterStatusOk)
    const response = yield* client.get(`${env.CLERK_API_URL}/v1/sessions/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${env.CLERK_SECRET_KEY}` }
    })
    return yield* decodeSession(response)
  }).pipe(
    Effect.timeout("10 seconds"),
    Effect.retry({ times: 3, schedule: Schedule.exponential("200 millis") }),
    Effect.withSpan("getSession")
  )

const runtime = ManagedRuntime.make(fetchHttpClientLayer)

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const exit = await runtime.runPromiseExit(getSession(env, sessionIdOf(request)))
    return exit._tag === "Success" ? answer(exit.value) : failed(exit.cause)
  }
}
