/**
 * effect-clerk on Node (22, 24) with Effect 4: list → get → template token → revoke, and a
 * typed error. Against the emulator, served by node:http (effect-clerk/testing/node), unless
 * CLERK_API_URL and CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 * In an app with effect 4 and effect-clerk's Effect 4 release installed:
 *   npx esbuild node.ts --bundle --platform=node --format=esm --outfile=node-example.mjs
 *   node node-example.mjs
 */
import { NodeClerkEmulator } from "effect-clerk/testing/node"
import { main } from "./program.js"

await main((handler) => NodeClerkEmulator.serve(handler))
