/**
 * effect-clerk/http: Clerk for Effect HTTP servers — `ClerkAuth`, the HttpApi security
 * middleware; `ClerkMiddleware`, the same for a plain HttpRouter / HttpApp; the signed-in
 * session as a handler reads it (`CurrentSession`, with Clerk's `has` check); and Clerk's
 * webhooks (`ClerkWebhooks`: Standard Webhooks signatures verified, session events decoded).
 *
 * @since 0.1.0
 */
export * from "./ClerkWebhooks.js"
export * from "./CurrentSession.js"
export * from "./ClerkMiddleware.js"
export * from "./ClerkAuth.js"
export { ClerkAuthUnavailable, ClerkUnauthenticated } from "./errors.js"
export type { UnauthenticatedReason } from "./authenticate.js"
