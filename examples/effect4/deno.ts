/**
 * effect-clerk on Deno with Effect 4: list → get → template token → revoke, and a typed
 * error. Against the emulator, served by `Deno.serve` (through `serveEmulator`), unless
 * CLERK_API_URL and CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 * In an app whose import map (or node_modules) has effect 4 and effect-clerk's Effect 4 release:
 *   deno run --allow-net=127.0.0.1 --allow-env --allow-read deno.ts
 */
import { serveEmulator } from "effect-clerk/testing"
import { main } from "./program.js"

await main((handler) => serveEmulator(handler))
