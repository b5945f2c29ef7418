/**
 * effect-clerk/http: Clerk for Effect HTTP servers. This release has Clerk's webhooks
 * (`ClerkWebhooks`: Standard Webhooks signatures verified, session events decoded).
 *
 * @since 0.1.0
 */
export * from "./ClerkWebhooks.js"
