/**
 * effect-clerk: Clerk's Backend API Sessions endpoints as typed Effects.
 *
 * @since 0.1.0
 */
export * from "./ClerkClient.js"
export * from "./ClerkError.js"
export * from "./JwksStore.js"
export * from "./RateLimiter.js"
export * from "./Session.js"
export * from "./SessionClaims.js"
export * from "./Sessions.js"
export * from "./TokenVerifier.js"
