/**
 * A tiny stand-in for Clerk's Backend API over node:http, serving the real sample bodies,
 * until the emulator (effect-clerk/testing) can be served over HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import samples from "../../../../shared/clerk/sample-responses.json" with { type: "json" }

export const FAKE_SECRET_KEY = "sk_test_runtime_matrix"

export interface FakeClerk {
  readonly url: string
  readonly port: number
  readonly requests: Array<{ method: string; path: string; query: string }>
  readonly close: () => Promise<void>
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

const session = (id: string, status = "active") => ({ ...samples.session_get_200.body, id, status })

const handle = (req: IncomingMessage, res: ServerResponse, log: FakeClerk["requests"]) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1")
  log.push({ method: req.method ?? "", path: url.pathname, query: url.search })
  if (req.headers.authorization !== `Bearer ${FAKE_SECRET_KEY}`) {
    return send(res, 401, samples.error_401_invalid_secret_key.body)
  }
  const parts = url.pathname.split("/").slice(1).map(decodeURIComponent)
  if (parts[0] !== "v1" || parts[1] !== "sessions") return send(res, 404, samples.error_404_session_not_found.body)
  const id = parts[2]
  if (req.method === "GET" && id === undefined) {
    const userId = url.searchParams.get("user_id") ?? "user_unknown"
    const data = [session("sess_1"), session("sess_2")].map((s) => ({ ...s, user_id: userId }))
    return send(res, 200, { data, total_count: data.length })
  }
  if (id === "sess_missing") return send(res, 404, samples.error_404_session_not_found.body)
  if (id === "sess_ratelimited") return send(res, 429, samples.error_429_rate_limited.body, { "retry-after": "120" })
  if (req.method === "GET" && parts.length === 3) return send(res, 200, session(id))
  if (req.method === "POST" && parts[3] === "revoke") return send(res, 200, session(id, "revoked"))
  if (req.method === "POST" && parts[3] === "tokens" && parts[4] !== undefined) {
    if (parts[4] !== "demo_template") return send(res, 404, samples.error_404_jwt_template_not_found.body)
    return send(res, 200, samples.token_200_from_template.body)
  }
  return send(res, 404, samples.error_404_session_not_found.body)
}

/** Start the fake on 127.0.0.1 (a free port unless given). */
export const startFakeClerk = (port = 0): Promise<FakeClerk> =>
  new Promise((resolve, reject) => {
    const requests: FakeClerk["requests"] = []
    const server = createServer((req, res) => {
      req.resume()
      req.on("end", () => handle(req, res, requests))
    })
    server.on("error", reject)
    server.listen(port, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
