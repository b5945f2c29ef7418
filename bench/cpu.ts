/**
 * Rows 1 and 2: time per call with an in-memory transport. Every contender gets the same
 * mocked fetch (a fresh `Response` over the same text each call), so the numbers are pure
 * CPU: request building, the client's machinery, body reading and decoding.
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../src/ClerkClient.js"
import { Session } from "../src/Session.js"
import { Sessions } from "../src/Sessions.js"
import { API_URL, jsonResponse, LIST_TEXT, SECRET_KEY, SESSION_ID, SESSION_TEXT, USER_ID } from "./fixtures.js"
import { check, runRow } from "./harness.js"
// The line's HTTP client and tracer: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { Fetch, fetchHttpClientLayer, HttpClient } from "#bench-line/Http"
import { delegatingTracer } from "#bench-line/Tracer"

type FetchFn = typeof globalThis.fetch

// @clerk/backend binds `globalThis.fetch` when it is first imported, so a trampoline goes in
// first and each row points it at that row's mocked fetch.
let currentFetch: FetchFn = globalThis.fetch
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => currentFetch(input, init)) as FetchFn
const { createClerkClient } = await import("@clerk/backend")

const mockFetch = (text: string): FetchFn => (async () => jsonResponse(text)) as FetchFn

/**
 * effect-clerk as a Worker would run it: `ClerkClient.layerFetch` (no HttpClient), or with
 * `via: "httpClient"` through `ClerkClient.layer` over the line's `FetchHttpClient`
 * (@effect/platform on Effect 3, `effect/http` on Effect 4).
 * `traced` installs a tracer that builds spans like Effect's native one but is not it, as an
 * application with OpenTelemetry has (minus the exporting): what the operation spans cost.
 */
const effectClerk = (fetch: FetchFn, via: "fetch" | "httpClient" = "fetch", traced = false) => {
  const options = { secretKey: Redacted.make(SECRET_KEY), apiUrl: API_URL }
  const fetchLayer = Layer.succeed(Fetch, fetch)
  const client = via === "fetch"
    ? ClerkClient.layerFetch(options).pipe(Layer.provide(fetchLayer))
    : ClerkClient.layer(options).pipe(Layer.provide(fetchHttpClientLayer), Layer.provide(fetchLayer))
  const layer = Sessions.layer.pipe(Layer.provide(client))
  return ManagedRuntime.make(traced ? Layer.merge(layer, delegatingTracer()) : layer)
}

/** What any Effect program pays for one GET through its line's fetch client. */
const effectPlatform = (fetch: FetchFn, url: string) => {
  const rt = ManagedRuntime.make(fetchHttpClientLayer.pipe(Layer.provide(Layer.succeed(Fetch, fetch))))
  const get = Effect.flatMap(HttpClient, (client) =>
    Effect.flatMap(client.get(url), (response) => Effect.map(response.text, (text) => JSON.parse(text))))
  return { rt, run: () => rt.runPromise(get) }
}

const clerk = createClerkClient({ secretKey: SECRET_KEY, apiUrl: API_URL })
const sessionsService = Effect.gen(function*() {
  return yield* Sessions
})

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 150)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2000)

// Row 1: getSession.
const sessionFetch = mockFetch(SESSION_TEXT)
currentFetch = sessionFetch
const rt1 = effectClerk(sessionFetch)
const sessions1 = await rt1.runPromise(sessionsService)
const rt1h = effectClerk(sessionFetch, "httpClient")
const sessions1h = await rt1h.runPromise(sessionsService)
const rt1t = effectClerk(sessionFetch, "fetch", true)
const sessions1t = await rt1t.runPromise(sessionsService)
for (const [what, rt, s] of [["", rt1, sessions1], [" (HttpClient)", rt1h, sessions1h], [" (traced)", rt1t, sessions1t]] as const) {
  const ours = await rt.runPromise(s.getSession(SESSION_ID))
  check(`effect-clerk${what} getSession`, ours instanceof Session && ours.id === SESSION_ID)
}
const theirs1 = await clerk.sessions.getSession(SESSION_ID)
check("@clerk/backend getSession", theirs1.id === SESSION_ID)
const url1 = `${API_URL}/v1/sessions/${SESSION_ID}`
const floor1 = async () => JSON.parse(await (await sessionFetch(url1, { method: "GET" })).text())
check("floor getSession", (await floor1()).id === SESSION_ID)

const platform1 = effectPlatform(sessionFetch, url1)
check("platform getSession", (await platform1.run()).id === SESSION_ID)

const row1 = await runRow("getSession", [
  { name: "effect-clerk", fn: () => rt1.runPromise(sessions1.getSession(SESSION_ID)) },
  { name: "effect-clerk (HttpClient)", fn: () => rt1h.runPromise(sessions1h.getSession(SESSION_ID)) },
  { name: "effect-clerk (traced)", fn: () => rt1t.runPromise(sessions1t.getSession(SESSION_ID)) },
  { name: "@clerk/backend", fn: () => clerk.sessions.getSession(SESSION_ID) },
  { name: "floor", fn: floor1 },
  { name: "platform", fn: platform1.run }
], { rounds, budgetMs, warmupMs })

// Row 2: a 500-session page.
const listFetch = mockFetch(LIST_TEXT)
currentFetch = listFetch
const rt2 = effectClerk(listFetch)
const sessions2 = await rt2.runPromise(sessionsService)
const rt2h = effectClerk(listFetch, "httpClient")
const sessions2h = await rt2h.runPromise(sessionsService)
const params = { userId: USER_ID, limit: 500 }
for (const [what, rt, s] of [["", rt2, sessions2], [" (HttpClient)", rt2h, sessions2h]] as const) {
  const ours = await rt.runPromise(s.getSessionList(params))
  check(`effect-clerk${what} getSessionList`, ours.data.length === 500 && ours.totalCount === 1234)
}
const theirs2 = await clerk.sessions.getSessionList(params)
check("@clerk/backend getSessionList", theirs2.data.length === 500 && theirs2.totalCount === 1234)
const url2 = `${API_URL}/v1/sessions?user_id=${USER_ID}&paginated=true&limit=500`
const floor2 = async () => JSON.parse(await (await listFetch(url2, { method: "GET" })).text())
check("floor getSessionList", (await floor2()).data.length === 500)

const platform2 = effectPlatform(listFetch, url2)
check("platform getSessionList", (await platform2.run()).data.length === 500)

const row2 = await runRow("getSessionList(500)", [
  { name: "effect-clerk", fn: () => rt2.runPromise(sessions2.getSessionList(params)) },
  { name: "effect-clerk (HttpClient)", fn: () => rt2h.runPromise(sessions2h.getSessionList(params)) },
  { name: "@clerk/backend", fn: () => clerk.sessions.getSessionList(params) },
  { name: "floor", fn: floor2 },
  { name: "platform", fn: platform2.run }
], { rounds, budgetMs: budgetMs * 2, warmupMs })

await Promise.all([rt1, rt1h, rt1t, rt2, rt2h, platform1.rt, platform2.rt].map((rt) => rt.dispose()))
process.stdout.write(JSON.stringify({ row1, row2, sessionBytes: SESSION_TEXT.length, listBytes: LIST_TEXT.length }) + "\n")
