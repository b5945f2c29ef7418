/**
 * effect-clerk on Node (20, 22, 24): list → get → template token → revoke, and a typed error.
 * Against the emulator, served by node:http (effect-clerk/testing/node), unless
 * CLERK_API_URL and CLERK_SECRET_KEY (and CLERK_USER_ID) point at a real Clerk.
 *
 *   npx esbuild examples/effect3/node.ts --bundle --platform=node --format=esm --outfile=.tmp/node-example.mjs
 *   node .tmp/node-example.mjs
 */
import { NodeClerkEmulator } from "effect-clerk/testing/node"
import { main } from "./program.js"

await main((handler) => NodeClerkEmulator.serve(handler))
