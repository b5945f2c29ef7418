/**
 * Hostile inputs for the property tests (mock transport and real socket): arbitrary strings
 * and numbers plus the ones that break naive path building, and the exact shape each spec
 * route's path must have.
 */
import * as fc from "fast-check"

export const hostileString = fc.oneof(
  fc.string(),
  fc.fullUnicodeString({ maxLength: 12 }),
  fc.constantFrom(
    "",
    ".",
    "..",
    "%2e",
    "%2e%2e",
    ".%2e",
    "/",
    "a/b",
    "../admin",
    "..\\admin",
    "?x=1",
    "#h",
    "%",
    "%00",
    " sess",
    "sess\n",
    "\u0000",
    "\ud800",
    "sess_ok",
    "\u202e",
    "http://evil.example/x"
  ),
  fc.string({ unit: fc.constantFrom("a", "/", ".", "%", "?", "#", " ", "\\", "\t", "é", "\r", "+", "&", "=") })
)
export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, 1, 29, 30, 500, 501, -1, 0.5, NaN, Infinity, -Infinity, 315360000, 315360001, Number.MAX_SAFE_INTEGER)
)
export const maybe = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })

/** Each spec path template as the one regex its request path must match (parameters captured). */
export const pathShapes: Record<string, RegExp> = {
  "/sessions": /^\/v1\/sessions$/,
  "/sessions/{session_id}": /^\/v1\/sessions\/([^/]+)$/,
  "/sessions/{session_id}/revoke": /^\/v1\/sessions\/([^/]+)\/revoke$/,
  "/sessions/{session_id}/verify": /^\/v1\/sessions\/([^/]+)\/verify$/,
  "/sessions/{session_id}/tokens": /^\/v1\/sessions\/([^/]+)\/tokens$/,
  "/sessions/{session_id}/tokens/{template_name}": /^\/v1\/sessions\/([^/]+)\/tokens\/([^/]+)$/,
  "/sessions/{session_id}/refresh": /^\/v1\/sessions\/([^/]+)\/refresh$/
}
