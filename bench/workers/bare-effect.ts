/**
 * The baseline: what any Effect Worker calling an HTTP API already ships. The same request
 * and answer as effect-clerk-sessions.ts, written directly on Effect, @effect/platform's
 * HttpClient and Schema (a Schema class with a DateTime field, a timeout, a retry with
 * backoff, a span), with no effect-clerk. Bundle and start-up differences from it are what
 * effect-clerk adds.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { answer, type Env, failed, sessionIdOf } from "./shared.js"

class Session extends Schema.Class<Session>("Session")({
  id: Schema.String,
  status: Schema.String,
  createdAt: Schema.DateTimeUtcFromNumber.pipe(Schema.propertySignature, Schema.fromKey("created_at"))
}) {}

const getSession = (env: Env, id: string) =>
  Effect.gen(function*() {
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
    const response = yield* client.get(`${env.CLERK_API_URL}/v1/sessions/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${env.CLERK_SECRET_KEY}` }
    })
    return yield* HttpClientResponse.schemaBodyJson(Session)(response)
  }).pipe(
    Effect.timeout("10 seconds"),
    Effect.retry({ times: 3, schedule: Schedule.exponential("200 millis") }),
    Effect.withSpan("getSession")
  )

const runtime = ManagedRuntime.make(FetchHttpClient.layer)

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const exit = await runtime.runPromiseExit(getSession(env, sessionIdOf(request)))
    return exit._tag === "Success" ? answer(exit.value) : failed(exit.cause)
  }
}
