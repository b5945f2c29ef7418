/** The same Worker as effect-clerk-sessions.ts, with @clerk/backend. */
import { createClerkClient } from "@clerk/backend"
import { answer, type Env, failed, sessionIdOf } from "./shared.js"

let clerk: ReturnType<typeof createClerkClient> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    clerk ??= createClerkClient({ secretKey: env.CLERK_SECRET_KEY, apiUrl: env.CLERK_API_URL })
    try {
      return answer(await clerk.sessions.getSession(sessionIdOf(request)))
    } catch (error) {
      return failed(error)
    }
  }
}
