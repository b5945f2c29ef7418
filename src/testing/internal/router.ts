/**
 * The emulator's route table: fixed `METHOD /literal/:param` patterns matched against a web
 * `Request`'s path, with no dependency on an HTTP server library (so one table serves both
 * Effect lines). Paths are read as `@effect/platform`'s router read them: trailing and
 * repeated slashes are ignored, literals match in any case, anything from a `;` on is
 * ignored, each parameter is percent-decoded and at most 100 characters long (by default), and
 * a `HEAD` request is answered by the `GET` route. The example Worker routes with it too.
 */

/** Longer parameters match nothing (find-my-way's default `maxParamLength`). */
const MAX_PARAM_LENGTH = 100

interface CompiledRoute<H> {
  readonly method: string
  readonly parts: ReadonlyArray<{ readonly param: string } | { readonly literal: string }>
  readonly handler: H
}

/** A matched route: its handler and its decoded path parameters. */
export interface RouteMatch<H> {
  readonly handler: H
  readonly params: Readonly<Record<string, string>>
}

/** The path's decoded segments, `undefined` when a percent escape is malformed. */
const segmentsOf = (pathname: string): ReadonlyArray<string> | undefined => {
  const semicolon = pathname.indexOf(";")
  const path = semicolon === -1 ? pathname : pathname.slice(0, semicolon)
  try {
    return path.split("/").filter((segment) => segment !== "").map(decodeURIComponent)
  } catch {
    return undefined
  }
}

const matchParts = <H>(
  route: CompiledRoute<H>,
  segments: ReadonlyArray<string>,
  maxParamLength: number
): RouteMatch<H> | undefined => {
  if (route.parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const part = route.parts[i]
    const segment = segments[i]
    if ("literal" in part) {
      if (segment.toLowerCase() !== part.literal) return undefined
    } else {
      if (segment.length > maxParamLength) return undefined
      params[part.param] = segment
    }
  }
  return { handler: route.handler, params }
}

/**
 * A matcher over `routes` (`[method, pattern, handler]`, pattern like
 * `/v1/sessions/:session_id`): the first route whose method and pattern fit, or `undefined`.
 * A parameter longer than `maxParamLength` (after decoding) matches nothing.
 */
export const makeRouter = <H>(
  routes: ReadonlyArray<readonly [method: string, pattern: string, handler: H]>,
  { maxParamLength = MAX_PARAM_LENGTH }: { readonly maxParamLength?: number } = {}
) => {
  const compiled: ReadonlyArray<CompiledRoute<H>> = routes.map(([method, pattern, handler]) => ({
    method,
    handler,
    parts: pattern.split("/").filter((part) => part !== "").map((part) =>
      part.startsWith(":") ? { param: part.slice(1) } : { literal: part.toLowerCase() }
    )
  }))
  const find = (method: string, segments: ReadonlyArray<string>): RouteMatch<H> | undefined => {
    for (const route of compiled) {
      if (route.method !== method) continue
      const match = matchParts(route, segments, maxParamLength)
      if (match !== undefined) return match
    }
    return undefined
  }
  return (method: string, pathname: string): RouteMatch<H> | undefined => {
    const segments = segmentsOf(pathname)
    if (segments === undefined) return undefined
    return find(method, segments) ?? (method === "HEAD" ? find("GET", segments) : undefined)
  }
}
