/**
 * What the bench bodies use of the HTTP client, on the Effect 4 line: `effect/http` (same
 * exports as bench/line/effect3/Http.ts).
 */
export { Fetch, layer as fetchHttpClientLayer } from "effect/http/FetchHttpClient"
export { filterStatusOk, HttpClient } from "effect/http/HttpClient"
