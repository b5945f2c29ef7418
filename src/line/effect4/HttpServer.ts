/**
 * The Effect 4 side of `#line/HttpServer`: the server request and a JSON response, from
 * effect 4's `effect/http` (same exports as `src/line/effect3/HttpServer.ts`).
 */
import * as ServerResponse from "effect/http/HttpServerResponse"

export { HttpServerRequest } from "effect/http/HttpServerRequest"
export type { HttpServerResponse } from "effect/http/HttpServerResponse"

/** A JSON response (the body is this library's own plain data: it always encodes). */
export const jsonResponse = (body: unknown, status: number, headers: Record<string, string>): ServerResponse.HttpServerResponse =>
  ServerResponse.jsonUnsafe(body, { status, headers })

/** A schema's HTTP status (and description) for HttpApi, as effect 4 annotates it. */
export const httpStatus = (status: number, description: string) => ({ httpApiStatus: status, description })
