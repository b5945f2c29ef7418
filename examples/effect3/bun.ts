/**
 * effect-clerk on Bun: list → get → template token → revoke, and a typed error. Against
 * the emulator, served by `Bun.serve` (through `serveEmulator`), unless CLERK_API_URL and
 * CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 *   bun run examples/effect3/bun.ts
 */
import { serveEmulator } from "effect-clerk/testing"
import { main } from "./program.js"

await main((handler) => serveEmulator(handler))
