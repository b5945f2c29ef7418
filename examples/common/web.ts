/**
 * What the example Worker does the same on both Effect lines without touching Effect: the
 * headers every answer carries (no-store, nosniff, no Referer, the pages' CSP by hash), the
 * same-origin rule for POSTs, the demo's configuration rules, and how a path no route
 * matched reads (400, 405 or 404). Plain web `Request` / `Response` and strings.
 */
import { type DemoUser, page, SCRIPT, STYLE } from "./views.js"

const sha256 = async (text: string) =>
  `'sha256-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))))}'`

/** The pages' Content-Security-Policy: nothing but their own inline style and script (by hash). */
let pageCsp: Promise<string> | undefined
const contentSecurityPolicy = () =>
  pageCsp ??= Promise.all([sha256(STYLE), sha256(SCRIPT)]).then(([style, script]) =>
    `default-src 'none'; style-src ${style}; script-src ${script}; connect-src 'self'; img-src 'self' data:; ` +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
  )

/**
 * Every answer: not cached (they are per user), never sniffed as another type, no Referer
 * sent on; HTML pages also with their Content-Security-Policy.
 */
export const secured = async (response: Response): Promise<Response> => {
  const headers = new Headers(response.headers)
  headers.set("cache-control", "no-store")
  headers.set("x-content-type-options", "nosniff")
  headers.set("referrer-policy", "no-referrer")
  if ((headers.get("content-type") ?? "").startsWith("text/html")) {
    headers.set("content-security-policy", await contentSecurityPolicy())
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/**
 * Whether a request was sent by a browser from another origin: `Sec-Fetch-Site` when the
 * browser sends it (only `same-origin` and `none`, a typed URL, are ours), else `Origin`
 * against the request's own. A request with neither comes from no browser (curl, a server)
 * and cannot carry a victim's cookie. The same rule as Go's `http.CrossOriginProtection`.
 */
export const isCrossOrigin = (headers: { readonly [name: string]: string | undefined }, url: string) => {
  const site = headers["sec-fetch-site"]
  if (site !== undefined) return site !== "same-origin" && site !== "none"
  const origin = headers["origin"]
  return origin !== undefined && origin !== new URL(url).origin
}

/** DEMO_USERS as JSON: an array of `{ id, name, email? }` (id and name non-empty), else `undefined`. */
export const parseDemoUsers = (raw: string): ReadonlyArray<DemoUser> | undefined => {
  let users: unknown
  try {
    users = JSON.parse(raw)
  } catch {
    return undefined
  }
  const nonEmpty = (u: unknown) => typeof u === "string" && u !== ""
  const valid = Array.isArray(users) && users.every((u) =>
    typeof u === "object" && u !== null && !Array.isArray(u) && nonEmpty(u.id) && nonEmpty(u.name) &&
    (u.email === undefined || typeof u.email === "string")
  )
  return valid ? (users as Array<DemoUser>).map(({ id, name, email }) => (email === undefined ? { id, name } : { id, name, email })) : undefined
}

/**
 * The demo sign-in hands out a session for any listed user without a password: only against
 * the emulator on this machine (CLERK_API_URL on a loopback address), or with DEMO_INSECURE=1
 * said out loud. A staging deploy with DEMO_USERS left in has no demo sign-in.
 */
export const demoAllowed = (env: { readonly CLERK_API_URL?: unknown; readonly DEMO_INSECURE?: unknown }): boolean => {
  if (env.DEMO_INSECURE === "1") return true
  try {
    const { hostname } = new URL(typeof env.CLERK_API_URL === "string" ? env.CLERK_API_URL : "https://api.clerk.com")
    return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  } catch {
    return false
  }
}

/** Only the string bindings of a Worker's `env`: KV namespaces, service bindings and the like are not config. */
export const stringBindings = (env: { readonly [binding: string]: unknown }): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string"))

/** The `__session` cookie holding a session token (`Secure` over https). */
export const sessionCookie = (url: string, value: string, maxAge: number) => {
  const secure = new URL(url).protocol === "https:"
  return `__session=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`
}

/** The `sid` of a token, unverified: only to name the session to refresh (Clerk verifies the token itself). */
export const unverifiedSid = (jwt: string): string | undefined => {
  try {
    const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")
    const sid = JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4))).sid
    return typeof sid === "string" ? sid : undefined
  } catch {
    return undefined
  }
}

/** An error answer's status, code, message and headers. */
export interface Problem {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly headers?: Record<string, string> | undefined
}

/** Each route's shape with its parameters allowed empty, to tell a missing parameter from a wrong path. */
const routeShapes: ReadonlyArray<{ method: string; pattern: RegExp; params: ReadonlyArray<string> }> = [
  { method: "GET", pattern: /^\/me\/?$/, params: [] },
  { method: "GET", pattern: /^\/users\/([^/]*)\/sessions\/?$/, params: ["userId"] },
  { method: "GET", pattern: /^\/sessions\/([^/]*)\/?$/, params: ["id"] },
  { method: "POST", pattern: /^\/sessions\/([^/]*)\/revoke\/?$/, params: ["id"] },
  { method: "POST", pattern: /^\/sessions\/([^/]*)\/tokens(?:\/([^/]*))?\/?$/, params: ["id", "template"] }
]

const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment)
    return true
  } catch {
    return false
  }
}

/** No route matched `method path`: 400 when a parameter is empty or undecodable, 405 for a known path with the wrong method, else 404. */
export const routeNotFound = (method: string, path: string): Problem => {
  for (const shape of routeShapes) {
    const match = shape.pattern.exec(path)
    if (match === null) continue
    const missing = shape.params.find((_, i) => !match[i + 1])
    if (missing !== undefined) return { status: 400, code: "missing_parameter", message: `${missing} is required` }
    // The router refuses a segment that does not percent-decode; say so rather than 404.
    const undecodable = shape.params.find((_, i) => !decodes(match[i + 1]!))
    if (undecodable !== undefined) {
      return { status: 400, code: "invalid_parameter", message: `${undecodable} is not valid percent-encoded UTF-8` }
    }
    if (method !== shape.method) {
      return { status: 405, code: "method_not_allowed", message: `${path} accepts ${shape.method}`, headers: { allow: shape.method } }
    }
  }
  return { status: 404, code: "route_not_found", message: `No route for ${method} ${path}` }
}

/** The answer of a Worker whose configuration failed: a generic 500, as a page for a browser, else JSON. */
export const misconfiguredAnswer = (acceptsHtml: boolean): Response =>
  acceptsHtml
    ? new Response(page("Something went wrong", `<h1>Something went wrong</h1><p>This app cannot answer right now.</p>`), {
      status: 500,
      headers: { "content-type": "text/html; charset=utf-8" }
    })
    : Response.json({ error: { code: "internal_error", message: "Internal error" } }, { status: 500 })

/** `queryParam`'s answer for a parameter given more than once. */
export const REPEATED: unique symbol = Symbol("REPEATED")

/** The query parameter `name` of `url`: its value, `undefined` when absent, `REPEATED` when given more than once. */
export const queryParam = (url: string, name: string): string | undefined | typeof REPEATED => {
  const values = new URL(url, "http://localhost").searchParams.getAll(name)
  return values.length > 1 ? REPEATED : values[0]
}

/**
 * The stored JWKS entry (`JwksStore.keyOf`'s value, `{ v, body, mac }`) as the Worker's
 * `/fleet` shows it: its key ids and when Clerk served it. Shown only — the verifier checks
 * the entry's MAC itself; a corrupt entry (which it drops and overwrites) reads as none.
 */
export const storedJwksSummary = (text: string | undefined): { readonly kids: Array<string>; readonly fetchedAt: string } | null => {
  if (text === undefined) return null
  try {
    const entry = JSON.parse(JSON.parse(text).body) as { fetchedAt: number; keys: ReadonlyArray<{ kid?: string }> }
    return {
      kids: entry.keys.flatMap((k) => (k.kid === undefined ? [] : [k.kid])),
      fetchedAt: new Date(entry.fetchedAt).toISOString()
    }
  } catch {
    return null
  }
}

/** RFC 6750's challenge on a 401: `Bearer`, with `error="invalid_token"` when the request carried a token that was refused. */
export const bearerChallenge = (carriedToken: boolean) => (carriedToken ? `Bearer error="invalid_token"` : "Bearer")
