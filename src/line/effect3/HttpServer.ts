/**
 * The Effect 3 side of `#line/HttpServer`: the server request and a JSON response, from
 * `@effect/platform` 0.97 (same exports as `src/line/effect4/HttpServer.ts`). Only
 * effect-clerk/http imports it, so an app that does not import that entry never bundles it.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as ServerResponse from "@effect/platform/HttpServerResponse"

export { HttpServerRequest } from "@effect/platform/HttpServerRequest"
export type { HttpServerResponse } from "@effect/platform/HttpServerResponse"

/** A JSON response (the body is this library's own plain data: it always encodes). */
export const jsonResponse = (body: unknown, status: number, headers: Record<string, string>): ServerResponse.HttpServerResponse =>
  ServerResponse.unsafeJson(body, { status, headers })

/** A schema's HTTP status (and description) for HttpApi, as `@effect/platform` 0.97 annotates it. */
export const httpStatus = (status: number, description: string) => ({ [HttpApiSchema.AnnotationStatus]: status, description })
