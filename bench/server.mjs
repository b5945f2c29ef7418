// A local stand-in for api.clerk.com for the loopback, cold-start and scale rows. Prints its
// port, then serves until stdin closes or it is killed.
//
//   node bench/server.mjs <body.json>           every request gets the same 200 JSON body
//   node bench/server.mjs <sessions.json> --pages
//     the file holds `{ users: { [userId]: count }, sessions: [...] }`; `GET /v1/sessions`
//     answers a page as Clerk does, `sessions[offset, offset + limit)` of the first `count`
//     (`user_id`'s), as `{ data, total_count }` with `paginated=true`, else a bare array.
//     Each page's text is built once and kept, so a repeated walk costs the server a write.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const file = readFileSync(process.argv[2])
const paged = process.argv[3] === "--pages" ? JSON.parse(String(file)) : undefined
const pages = new Map()
const pageOf = (url) => {
  const query = new URL(url, "http://127.0.0.1").searchParams
  const count = paged.users[query.get("user_id") ?? ""] ?? 0
  const limit = Number(query.get("limit") ?? 10)
  const offset = Number(query.get("offset") ?? 0)
  const paginated = query.get("paginated") === "true"
  const key = `${count}|${limit}|${offset}|${paginated}`
  let body = pages.get(key)
  if (body === undefined) {
    const data = paged.sessions.slice(Math.min(offset, count), Math.min(offset + limit, count))
    body = Buffer.from(JSON.stringify(paginated ? { data, total_count: count } : data))
    pages.set(key, body)
  }
  return body
}
const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    const body = paged === undefined ? file : pageOf(req.url)
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length })
    res.end(body)
  })
})
server.keepAliveTimeout = 30_000
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`)
})
process.stdin.on("end", () => process.exit(0))
process.stdin.resume()
