/** The OpenAPI descriptions of `ClerkAuth`'s security schemes and of its 403 (both lines). */
export const SECURITY = {
  bearer: "A Clerk session token (a JWT) in `Authorization: Bearer`; it beats the cookie when both are sent",
  cookie: "A Clerk session token in the `__session` cookie, as Clerk's frontend SDKs set it",
  forbidden: "Signed in, but the session lacks the role, permission, feature or plan the endpoint requires"
} as const
