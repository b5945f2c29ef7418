/**
 * Where a request carries its Clerk session token, as Clerk's SDKs read it: an
 * `Authorization: Bearer <token>` header first, else the `__session` cookie (a header beats the
 * cookie, as in @clerk/backend). Shared by `TokenVerifier.authenticateRequest` (a web `Request`)
 * and the HTTP middleware (an `HttpServerRequest`, whose cookies are already parsed).
 */
const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** The token of an `Authorization` header, if it is a Bearer one. */
export const bearerToken = (authorization: string | null | undefined): string | undefined => {
  if (authorization === null || authorization === undefined) return undefined
  return bearer.exec(authorization)?.[1]
}

/** The `__session` value of a `Cookie` header (quotes removed), if there is a non-empty one. */
export const sessionCookie = (cookie: string | null | undefined): string | undefined => {
  if (cookie === null || cookie === undefined) return undefined
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=")
    if (eq === -1 || part.slice(0, eq).trim() !== "__session") continue
    const value = unquote(part.slice(eq + 1).trim())
    if (value !== "") return value
  }
  return undefined
}

/** A cookie value without its surrounding double quotes. */
export const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
