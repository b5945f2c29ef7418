/**
 * What the bench bodies use of the HTTP client, on the Effect 3 line: @effect/platform 0.97.
 * (bench/line/effect4/Http.ts is the Effect 4 line's; `#bench-line/Http` picks one by the
 * `effect4` condition.) Named exports, not namespaces: a re-exported namespace is bundled whole, which would put bytes
 * in the row-5 Workers that a program importing the modules itself would not ship.
 */
export { Fetch, layer as fetchHttpClientLayer } from "@effect/platform/FetchHttpClient"
export { filterStatusOk, HttpClient } from "@effect/platform/HttpClient"
