// A local stand-in for api.clerk.com for the loopback and cold-start rows: every request
// gets the same 200 JSON body (argv[2] is a file holding it). Prints its port, then serves
// until stdin closes or it is killed.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const body = readFileSync(process.argv[2])
const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
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
