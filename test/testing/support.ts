/**
 * Helpers for the test-kit suites: the OpenAPI spec loaded with `yaml` and compiled with
 * ajv (a real JSON-schema validator, with OpenAPI's `nullable`), and a raw-request helper
 * that talks to an emulator's handler without the SDK.
 */
import { Ajv, type ValidateFunction } from "ajv"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import type { ClerkEmulator } from "../../src/testing/index.js"

export const SPEC_PATH = fileURLToPath(new URL("../fixtures/clerk/sessions-openapi.yaml", import.meta.url))
export const spec = parse(readFileSync(SPEC_PATH, "utf8"))
export const samples = JSON.parse(
  readFileSync(fileURLToPath(new URL("../fixtures/clerk/sample-responses.json", import.meta.url)), "utf8")
)

const ajv = new Ajv({ strict: false, allErrors: true })
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) })
ajv.addSchema(spec, "clerk")

/** Re-anchor the spec's local `#/components/…` refs on the registered document. */
const anchored = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(anchored)
  if (typeof schema === "object" && schema !== null) {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#") ? `clerk${v}` : anchored(v)])
    )
  }
  return schema
}

const resolveRef = (ref: string): any => ref.replace(/^#\//, "").split("/").reduce((node: any, key) => node[key], spec)

const cache = new Map<string, ValidateFunction>()

/**
 * The validator of the response the spec declares for `method path` with `status` (the spec
 * path, e.g. `/sessions/{session_id}`). `undefined` when the spec declares no such response.
 */
export const declaredValidator = (method: string, path: string, status: number): ValidateFunction | undefined => {
  const key = `${method} ${path} ${status}`
  if (cache.has(key)) return cache.get(key)
  let response = spec.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]
  if (response === undefined) return undefined
  if (response.$ref) response = resolveRef(response.$ref)
  const validate = ajv.compile(anchored(response.content["application/json"].schema) as object)
  cache.set(key, validate)
  return validate
}

/** A component schema's validator, e.g. `ClerkErrors`, `Session`. */
export const componentValidator = (name: string): ValidateFunction => {
  const key = `component ${name}`
  if (!cache.has(key)) cache.set(key, ajv.compile({ $ref: `clerk#/components/schemas/${name}` }))
  return cache.get(key)!
}

/**
 * The paginated list envelope the SDKs use (`paginated=true`, as the real API answers it). The spec
 * has no schema for it, so it is built here from the spec's own `Session`.
 */
export const paginatedListValidator = ajv.compile({
  type: "object",
  additionalProperties: false,
  required: ["data", "total_count"],
  properties: {
    data: { type: "array", items: { $ref: "clerk#/components/schemas/Session" } },
    total_count: { type: "integer", minimum: 0 }
  }
})

/** Errors of the last validation, readable in a failed expectation. */
export const errorsOf = (validate: ValidateFunction) => ajv.errorsText(validate.errors)

export interface RawResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

export interface CallOptions {
  /** JSON-encoded unless a string. */
  readonly body?: unknown
  /** The Authorization header value; `null` sends none. Default: the emulator's key. */
  readonly authorization?: string | null
  readonly headers?: Record<string, string>
}

/** One raw request through `emulator.handle` (in-process, the caller's Clock). */
export const call = (emulator: ClerkEmulator.Service, method: string, path: string, options: CallOptions = {}) =>
  Effect.gen(function*() {
    const headers = new Headers(options.headers)
    const authorization = options.authorization === undefined
      ? `Bearer sk_test_emulator`
      : options.authorization
    if (authorization !== null) headers.set("authorization", authorization)
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
      headers.set("content-type", "application/json")
    }
    const response = yield* emulator.handle(
      new Request(`https://api.clerk.com${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
    )
    const text = yield* Effect.promise(() => response.text())
    let json: unknown = undefined
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json } as RawResponse
  })

/** A realistic "now" for TestClock suites: 2026-05-12T10:00:00Z. */
export const NOW = Date.UTC(2026, 4, 12, 10, 0, 0)

/** Decode a JWT's payload (no verification). */
export const payloadOf = (jwt: string): Record<string, any> =>
  JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))))

/** Decode a JWT's protected header. */
export const headerOf = (jwt: string): Record<string, any> =>
  JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(jwt.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))))
