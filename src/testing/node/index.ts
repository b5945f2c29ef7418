/**
 * effect-clerk/testing/node: the emulator over a real `node:http` server on 127.0.0.1.
 * Streams every response as the handler produces it, so `Fault.dropConnection` really
 * resets the socket mid-body; `stop()` closes every open connection, including hung ones.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { fetchClientLayer } from "#line/Http"
import { unwrapLayer } from "#line/Kernel"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { ClerkClient } from "../../ClerkClient.js"
import { Sessions } from "../../Sessions.js"
import { ClerkEmulator, type ClerkEmulatorClientOptions, type ClerkEmulatorOptions } from "../ClerkEmulator.js"
import { ClerkEmulatorServer, type ServedEmulator, type ServeOptions, type ServeTarget } from "../ClerkEmulatorServer.js"

const toRequest = async (req: IncomingMessage, signal: AbortSignal, origin: string): Promise<Request> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  const method = req.method ?? "GET"
  const body = chunks.length === 0 || method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks)
  return new Request(new URL(req.url ?? "/", origin), { method, headers, signal, ...(body ? { body } : {}) })
}

const writeResponse = async (res: ServerResponse, response: Response): Promise<void> => {
  res.statusCode = response.status
  const cookies = response.headers.getSetCookie()
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") res.setHeader(key, value)
  })
  if (cookies.length > 0) res.setHeader("set-cookie", cookies)
  if (response.body === null) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      // Wait until each chunk is flushed, so a later failure drops the connection only
      // after what was produced reached the peer.
      await new Promise<void>((resolve, reject) => res.write(value, (error) => (error ? reject(error) : resolve())))
    }
    res.end()
  } catch {
    // The body failed mid-stream (Fault.dropConnection): reset the connection.
    res.socket?.destroy()
  }
}

/**
 * Serve a web handler (or a `ClerkEmulator.Service`) with `node:http` on 127.0.0.1 and an
 * ephemeral port unless told otherwise: Node's counterpart of `serveEmulator`, with the
 * same `ServedEmulator` answer. `stop()` interrupts pending handlers and closes every open
 * connection, hung ones included.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator } from "effect-clerk/testing"
 * import { serve } from "effect-clerk/testing/node"
 *
 * const main = async () => {
 *   const emulator = await ClerkEmulator.start({ secretKey: "sk_test_demo" })
 *   const session = await Effect.runPromise(emulator.seedSession({ userId: "user_1" }))
 *   const server = await serve(emulator, { port: 4010 })
 *   // Point the app under test at it: CLERK_API_URL=http://127.0.0.1:4010 CLERK_SECRET_KEY=sk_test_demo
 *   console.log(`${server.url}/v1/sessions/${session.id}`)
 *   process.once("SIGINT", () => server.stop())
 * }
 *
 * main()
 * ```
 *
 * @category servers
 * @since 0.1.0
 */
export const serve = (target: ServeTarget, options?: ServeOptions): Promise<ServedEmulator> => {
  const handler = typeof target === "function" ? target : target.handler
  const hostname = options?.hostname ?? "127.0.0.1"
  const sockets = new Set<Socket>()
  const controllers = new Set<AbortController>()
  const server = createServer((req, res) => {
    const controller = new AbortController()
    controllers.add(controller)
    res.on("close", () => {
      controllers.delete(controller)
      // The client went away before the answer was complete: interrupt the handler.
      if (!res.writableFinished) controller.abort()
    })
    const origin = `http://${req.headers.host ?? hostname}`
    toRequest(req, controller.signal, origin)
      .then(handler)
      .then((response) => writeResponse(res, response))
      .catch(() => {
        if (!res.headersSent) {
          res.statusCode = 500
          res.end()
        } else {
          res.socket?.destroy()
        }
      })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options?.port ?? 0, hostname, () => {
      server.off("error", reject)
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://${hostname}:${port}`,
        port,
        stop: () =>
          new Promise<void>((done) => {
            for (const controller of controllers) controller.abort()
            server.close(() => done())
            for (const socket of sockets) socket.destroy()
          })
      })
    })
  })
}

/**
 * The emulator on Node, over a real `node:http` socket on 127.0.0.1: `serve` (a web handler
 * or the emulator), `layer` (a fresh emulator and its `ClerkEmulatorServer`) and
 * `layerSessions` (plus `Sessions` and a `ClerkClient` talking to it over HTTP).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { ClerkEmulator, ClerkEmulatorServer } from "effect-clerk/testing"
 * import { NodeClerkEmulator } from "effect-clerk/testing/node"
 *
 * // The SDK's whole stack, sockets included: what ClerkEmulator.layerSessions does in-process.
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator
 *   const server = yield* ClerkEmulatorServer
 *   const session = yield* clerk.seedSession({ userId: "user_1" })
 *   const fetched = yield* (yield* Sessions).getSession(session.id)
 *   return `${fetched.status}, served at ${server.url}`
 * }).pipe(Effect.provide(NodeClerkEmulator.layerSessions()))
 *
 * Effect.runPromise(program).then(console.log) // active, served at http://127.0.0.1:<port>
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export const NodeClerkEmulator = {
  serve,

  /**
   * A fresh emulator served on 127.0.0.1 (ephemeral port unless `port`) for the layer's
   * lifetime.
   *
   * @since 0.1.0
   */
  layer: (options?: ClerkEmulatorOptions & ServeOptions): Layer.Layer<ClerkEmulator | ClerkEmulatorServer> =>
    ClerkEmulatorServer.layer({ ...options, serve }).pipe(
      Layer.provideMerge(Layer.effect(ClerkEmulator, ClerkEmulator.make(options)))
    ),

  /**
   * `Sessions` and its `ClerkClient` talking to a served emulator over a real socket with
   * `FetchHttpClient` (`ClerkClient.layer`), or with `transport: "fetch"` through
   * `ClerkClient.layerFetch` and `globalThis.fetch`.
   *
   * @since 0.1.0
   */
  layerSessions: (
    options?: ClerkEmulatorClientOptions & ServeOptions
  ): Layer.Layer<Sessions | ClerkClient | ClerkEmulator | ClerkEmulatorServer> => {
    const client = unwrapLayer(
      Effect.gen(function*() {
        const emulator = yield* ClerkEmulator
        const server = yield* ClerkEmulatorServer
        const clientOptions = { secretKey: emulator.secretKey, apiUrl: server.url, ...options?.client }
        return options?.transport === "fetch"
          ? ClerkClient.layerFetch(clientOptions)
          : ClerkClient.layer(clientOptions).pipe(Layer.provide(fetchClientLayer))
      })
    )
    return Sessions.layer.pipe(
      Layer.provideMerge(client),
      Layer.provideMerge(NodeClerkEmulator.layer(options))
    )
  }
}
