/** The same Worker as effect-clerk-verifier.ts, with @clerk/backend (`verifyToken` with `jwtKey`). */
import { createClerkClient, verifyToken } from "@clerk/backend"
import { answer, bearerOf, type Env, failed } from "./shared.js"

let clerk: ReturnType<typeof createClerkClient> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    clerk ??= createClerkClient({ secretKey: env.CLERK_SECRET_KEY, apiUrl: env.CLERK_API_URL })
    try {
      const claims = await verifyToken(bearerOf(request), { jwtKey: env.CLERK_JWT_KEY, authorizedParties: ["https://example.com"] })
      return answer(await clerk.sessions.getSession(claims.sid as string))
    } catch (error) {
      return failed(error)
    }
  }
}
