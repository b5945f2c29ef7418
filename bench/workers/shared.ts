/** What every bench Worker receives and answers, so the bundles differ only in the client. */
export interface Env {
  readonly CLERK_SECRET_KEY: string
  readonly CLERK_API_URL: string
  readonly CLERK_JWT_KEY?: string
}

/** The session id is the request path: `GET /sess_…`. */
export const sessionIdOf = (request: Request): string => new URL(request.url).pathname.slice(1)

/** `Authorization: Bearer <token>`. */
export const bearerOf = (request: Request): string => (request.headers.get("authorization") ?? "").replace(/^Bearer /, "")

export const answer = (session: { readonly id: string; readonly status: string }) =>
  new Response(JSON.stringify({ id: session.id, status: session.status }), {
    headers: { "content-type": "application/json" }
  })

export const failed = (error: unknown) =>
  new Response(JSON.stringify({ error: String(error) }), { status: 502, headers: { "content-type": "application/json" } })
