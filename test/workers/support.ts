/** Talking to the emulator that globalSetup serves, from inside workerd. */
import { inject } from "vitest"

export const clerkUrl = inject("clerkUrl")
export const clerkSecretKey = inject("clerkSecretKey")
export const webhookSigningSecret = inject("webhookSigningSecret")

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${clerkUrl}${path}`, { method: "POST", body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<any>
}

/** A fresh user with `count` sessions (oldest first), so tests never share state. */
export const seedUser = (
  count: number,
  statuses?: ReadonlyArray<string>,
  organization?: { readonly role: string; readonly permissions: ReadonlyArray<string> }
): Promise<{ userId: string; sessionIds: Array<string>; organizationId: string | null }> =>
  post("/__test/user", { sessions: count, statuses, organization })

/** Answer the next `times` requests to `route` with a fault. */
export const injectFault = (fault: {
  fault: "rateLimited" | "status" | "html" | "hang" | "delay" | "truncatedJson" | "wrongShape"
  status?: number
  retryAfter?: number
  millis?: number
  route?: string
  times?: number
}) => post("/__test/fault", fault)

/** Forget pending faults and the request log. */
export const reset = () => post("/__test/reset", {})

/** Every request the emulator saw since the last reset. */
export const requests = async (): Promise<
  Array<{ method: string; path: string; route?: string; status?: number; authorization: string; fault?: string; at: number }>
> =>
  (await fetch(`${clerkUrl}/__test/requests`)).json() as any

/** A session token (or a template token) the emulator mints for a live session. */
export const mintToken = async (sessionId: string, template?: string): Promise<string> =>
  (await post("/__test/token", { sessionId, template })).jwt

/** The payload of a JWT, unverified. */
export const claimsOf = (jwt: string): Record<string, unknown> => {
  const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")
  return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)))
}

/** The emulator's signing key as PEM (what CLERK_JWT_KEY holds). */
export const publicKeyPem = async (): Promise<string> => ((await (await fetch(`${clerkUrl}/__test/pem`)).json()) as any).pem

/** `Authorization: Bearer` with a fresh session token for `sessionId`. */
export const bearer = async (sessionId: string): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await mintToken(sessionId)}`
})

/** A new signing key with a new kid signs from now on (the old one leaves the JWKS unless kept). */
export const rotateKey = async (keepPrevious = false): Promise<{ kid: string }> => post("/__test/rotate", { keepPrevious })
