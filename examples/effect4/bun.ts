/**
 * effect-clerk on Bun with Effect 4: list → get → template token → revoke, and a typed
 * error. Against the emulator, served by `Bun.serve` (through `serveEmulator`), unless
 * CLERK_API_URL and CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 * In an app with effect 4 and effect-clerk's Effect 4 release installed:
 *   bun run bun.ts
 */
import { serveEmulator } from "effect-clerk/testing"
import { main } from "./program.js"

await main((handler) => serveEmulator(handler))
