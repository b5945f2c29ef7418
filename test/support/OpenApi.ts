/**
 * Clerk's OpenAPI excerpt (test/fixtures/clerk/sessions-openapi.yaml), loaded once, with a real
 * OpenAPI request validator per operation (openapi-request-validator).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import type OpenAPIRequestValidatorClass from "openapi-request-validator"
import { parse } from "yaml"

// A CommonJS module whose default export is the class.
const OpenAPIRequestValidator: typeof OpenAPIRequestValidatorClass.default =
  createRequire(import.meta.url)("openapi-request-validator").default

const specPath = new URL("../fixtures/clerk/sessions-openapi.yaml", import.meta.url)
export const spec = parse(readFileSync(specPath, "utf8"))

/** Inline every local `$ref` (the excerpt has no cycles on the request side). */
export const deref = (node: unknown): any => {
  if (Array.isArray(node)) return node.map(deref)
  if (node === null || typeof node !== "object") return node
  const record = node as Record<string, unknown>
  if (typeof record.$ref === "string") {
    const target = record.$ref.replace(/^#\//, "").split("/").reduce((acc: any, key) => acc[key], spec)
    return deref(target)
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, deref(v)]))
}

export interface SpecRequest {
  readonly path: Record<string, string>
  readonly query: Record<string, string>
  readonly body: unknown
  readonly headers: Record<string, string>
}

/**
 * Validate a request against the operation at `pathTemplate`/`method`: query strings are
 * coerced by their declared schema type first, as a server would. Returns the errors (empty
 * when valid).
 */
export const validateRequest = (pathTemplate: string, method: "get" | "post", request: SpecRequest) => {
  const operation = deref(spec.paths[pathTemplate][method])
  const parameters = operation.parameters ?? []
  const validator = new OpenAPIRequestValidator({
    parameters,
    ...(operation.requestBody ? { requestBody: operation.requestBody } : {}),
    additionalQueryProperties: false
  })
  const query: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(request.query)) {
    const declared = parameters.find((p: any) => p.in === "query" && p.name === name)
    const type = declared?.schema?.type
    query[name] = type === "integer" || type === "number"
      ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value)
      : type === "boolean"
      ? value === "true" ? true : value === "false" ? false : value
      : value
  }
  const result = validator.validateRequest({
    headers: request.body === undefined ? request.headers : { ...request.headers, "content-type": "application/json" },
    params: request.path,
    query,
    body: request.body
  })
  return result?.errors ?? []
}
