/**
 * The example Worker's HTTP plumbing, on web `Request` / `Response` and Effect alone (no HTTP
 * server library, so one source serves both Effect lines): the request a route sees, the
 * route table, and response helpers.
 *
 * Paths are matched as @effect/platform's router matched them (the Worker used it before):
 * trailing and repeated slashes are ignored, literals match in any case, anything from a `;`
 * on is ignored, each parameter is percent-decoded (a malformed escape matches nothing), and
 * a `HEAD` request is answered by the `GET` route.
 */
import type * as Effect from "effect/Effect"
import { makeRouter as makeRouteMatcher } from "../../src/testing/internal/router.js"
import { Service } from "./line.js"

/** The request a route is answering. */
export class ServerRequest extends Service<ServerRequest, {
  /** The Worker's own web `Request`. */
  readonly request: Request
  readonly url: URL
  /** The route's path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>
  /** The query: one string per name, or every value of a name given more than once. */
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** A `set-cookie` every answer to this request carries unless it sets one itself (a refreshed token). */
  readonly cookie: { value: string | undefined }
}>()("example/ServerRequest") {}

/** A header of the request (`undefined` when absent). */
export const header = (request: typeof ServerRequest.Service, name: string): string | undefined =>
  request.request.headers.get(name) ?? undefined

/** The query of `url`, as `ServerRequest.query` holds it. */
export const queryOf = (url: URL): Record<string, string | ReadonlyArray<string>> => {
  const query: Record<string, string | ReadonlyArray<string>> = {}
  for (const [name, value] of url.searchParams) {
    const seen = query[name]
    query[name] = seen === undefined ? value : [...(typeof seen === "string" ? [seen] : seen), value]
  }
  return query
}

/** JSON with a status and headers. */
export const json = (body: unknown, init: { readonly status?: number; readonly headers?: Record<string, string> | undefined } = {}) =>
  Response.json(body, { status: init.status ?? 200, headers: init.headers ?? {} })

/** An HTML page. */
export const html = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { ...headers, "content-type": "text/html; charset=utf-8" } })

/** A 303 to `location`. */
export const seeOther = (location: string, headers: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location, ...headers } })

/** A route's handler: its answer, from the `ServerRequest` and the services it needs. */
export type Handler<E, R> = Effect.Effect<Response, E, R | ServerRequest>

/**
 * A matcher over `routes` (`[method, pattern, handler]`, pattern like `/sessions/:id`): the
 * first route whose method and pattern fit, with its decoded parameters, or `undefined`. It is
 * the emulator's own matcher (the path rules above); parameters may be 4096 characters long,
 * since ids are at most 512 and the SDK's own check should be the one to refuse them.
 */
export const makeRouter = <H>(routes: ReadonlyArray<readonly [method: string, pattern: string, handler: H]>) =>
  makeRouteMatcher(routes, { maxParamLength: 4096 })
