/**
 * effect-clerk/http: Clerk for Effect HTTP servers. This release has the signed-in session as
 * a handler reads it (`CurrentSession`, with Clerk's `has` check) and Clerk's webhooks
 * (`ClerkWebhooks`: Standard Webhooks signatures verified, session events decoded).
 *
 * @since 0.1.0
 */
export * from "./ClerkWebhooks.js"
export * from "./CurrentSession.js"
export * from "./ClerkMiddleware.js"
