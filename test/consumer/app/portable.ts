/**
 * The portable entry points as a Worker, Deno or Bun app sees them: type-checked without
 * @types/node (test/consumer's tsconfig.portable.json has `types: []`).
 */
import { ClerkClient, Sessions, TokenVerifier } from "effect-clerk"
import { ClerkEmulator, SessionsTest } from "effect-clerk/testing"

export const tags = [ClerkClient, Sessions, TokenVerifier, ClerkEmulator] as const
export const stub = SessionsTest.layer({})
