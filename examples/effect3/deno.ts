/**
 * effect-clerk on Deno: list → get → template token → revoke, and a typed error. Against
 * the emulator, served by `Deno.serve` (through `serveEmulator`), unless CLERK_API_URL and
 * CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 * Packages from node_modules (after `npm ci`):
 *   deno run --allow-net=127.0.0.1 --allow-env --allow-read examples/effect3/deno.ts
 * Packages from npm: specifiers (deno.json's import map, Deno's own cache, no node_modules):
 *   deno run --node-modules-dir=none --allow-net=127.0.0.1 --allow-env --allow-read examples/effect3/deno.ts
 */
import { serveEmulator } from "effect-clerk/testing"
import { main } from "./program.js"

await main((handler) => serveEmulator(handler))
