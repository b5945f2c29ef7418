/**
 * effect-clerk/testing: an in-memory Clerk Backend API (`ClerkEmulator`) with scripted
 * faults, its layers and servers, and a stub `Sessions` (`SessionsTest`).
 *
 * @since 0.1.0
 */
export * from "./ClerkEmulator.js"
export type * from "./internal/model.js"
export * from "./ClerkEmulatorServer.js"
export * from "./Fault.js"
export * from "./SessionsTest.js"
export type { PublicJwk } from "./internal/keys.js"
