/**
 * Serving the emulator's web handler over real HTTP: `serveEmulator` on Deno
 * (`Deno.serve`) and Bun (`Bun.serve`), detected at run time; Node has its own adapter in
 * `effect-clerk/testing/node`; on workerd, export the handler from your Worker.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { scopedLayer, Service } from "#line/Kernel"
import { ClerkEmulator } from "./ClerkEmulator.js"

/**
 * A running server: its base URL (`http://127.0.0.1:PORT`, no `/v1`: what `CLERK_API_URL`
 * and `apiUrl` take), its port and how to stop it. {@link serveEmulator} and
 * `serve` from `effect-clerk/testing/node` answer one.
 *
 * @example
 * ```ts
 * import { ClerkEmulator, type ServedEmulator, serveEmulator } from "effect-clerk/testing"
 *
 * // On Deno or Bun.
 * const main = async () => {
 *   const emulator = await ClerkEmulator.start()
 *   const server: ServedEmulator = await serveEmulator(emulator)
 *   const response = await fetch(`${server.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_emulator" } })
 *   console.log(server.url, response.status) // http://127.0.0.1:<port> 200
 *   await server.stop()
 * }
 *
 * main()
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ServedEmulator {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

/**
 * Where a server listens: `port` (default 0, an ephemeral port) and `hostname` (default
 * `127.0.0.1`).
 *
 * @example
 * ```ts
 * import { ClerkEmulator, type ServeOptions, serveEmulator } from "effect-clerk/testing"
 *
 * // A fixed port on every interface, e.g. in a container other services call.
 * const options: ServeOptions = { port: 4010, hostname: "0.0.0.0" }
 *
 * ClerkEmulator.start({ secretKey: "sk_test_demo" })
 *   .then((emulator) => serveEmulator(emulator, options))
 *   .then((server) => console.log(`CLERK_API_URL=${server.url}`)) // CLERK_API_URL=http://0.0.0.0:4010
 * ```
 *
 * @category options
 * @since 0.1.0
 */
export interface ServeOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly hostname?: string | undefined
}

/**
 * A web handler: `Request` in, `Promise<Response>` out, like a `ClerkEmulator.Service`'s
 * `handler`, a Worker's `fetch` or what `Deno.serve` and `Bun.serve` call.
 *
 * @example
 * ```ts
 * import { ClerkEmulator, type WebHandler } from "effect-clerk/testing"
 *
 * // Log every request the emulator answers; serve the result with serveEmulator.
 * const logged = (handler: WebHandler): WebHandler => async (request) => {
 *   const response = await handler(request)
 *   console.log(request.method, new URL(request.url).pathname, response.status)
 *   return response
 * }
 *
 * ClerkEmulator.start()
 *   .then((emulator) => logged(emulator.handler)(new Request("https://api.clerk.com/v1/jwks")))
 *   .then(() => {}) // logs: GET /v1/jwks 401 (no Authorization header)
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type WebHandler = (request: Request) => Promise<Response>

/**
 * What the servers take: a {@link WebHandler}, or anything that has one as `handler`
 * (a `ClerkEmulator.Service`).
 *
 * @example
 * ```ts
 * import { ClerkEmulator, serveEmulator, type ServeTarget } from "effect-clerk/testing"
 *
 * // On Deno or Bun: the emulator itself, or a handler in front of it.
 * const main = async () => {
 *   const emulator = await ClerkEmulator.start()
 *   const targets: ReadonlyArray<ServeTarget> = [
 *     emulator,
 *     (request) => emulator.handler(request)
 *   ]
 *   const servers = await Promise.all(targets.map((target) => serveEmulator(target)))
 *   console.log(servers.map((server) => server.url)) // two URLs, one emulator behind both
 *   await Promise.all(servers.map((server) => server.stop()))
 * }
 *
 * main()
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export type ServeTarget = WebHandler | { readonly handler: WebHandler }

const handlerOf = (target: ServeTarget): WebHandler => typeof target === "function" ? target : target.handler

/**
 * `handler`, with every request still being handled aborted by `abortAll()`. Deno.serve's
 * graceful shutdown waits for pending handlers, and Deno does not always abort
 * `request.signal` when the client goes away (seen with a 2 KB POST body on Deno 2.9), so
 * a hung request would otherwise keep `stop()` from ever returning.
 */
const abortableOnStop = (handler: WebHandler): WebHandler & { readonly abortAll: () => void } => {
  const pending = new Set<AbortController>()
  const wrapped = (request: Request) => {
    const controller = new AbortController()
    pending.add(controller)
    const signal = AbortSignal.any([request.signal, controller.signal])
    return handler(new Request(request, { signal })).finally(() => pending.delete(controller))
  }
  return Object.assign(wrapped, {
    abortAll: () => {
      for (const controller of pending) controller.abort()
      pending.clear()
    }
  })
}

/**
 * Serve `target` on Deno (`Deno.serve`) or Bun (`Bun.serve`), on 127.0.0.1 and an
 * ephemeral port unless {@link ServeOptions} say otherwise. Rejects on other runtimes (use
 * `effect-clerk/testing/node` on Node; on workerd, export the handler from your Worker).
 * `stop()` aborts the requests still being handled, then shuts the server down.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, serveEmulator } from "effect-clerk/testing"
 *
 * // `deno run -A emulator.ts` or `bun emulator.ts`, then point the app at the printed URL.
 * const main = async () => {
 *   const emulator = await ClerkEmulator.start({ secretKey: "sk_test_demo" })
 *   const session = await Effect.runPromise(emulator.seedSession({ userId: "user_1" }))
 *   const server = await serveEmulator(emulator, { port: 4010 })
 *   console.log(`CLERK_API_URL=${server.url} CLERK_SECRET_KEY=sk_test_demo, session ${session.id}`)
 * }
 *
 * main()
 * ```
 *
 * @category servers
 * @since 0.1.0
 */
export const serveEmulator = async (target: ServeTarget, options?: ServeOptions): Promise<ServedEmulator> => {
  const handler = abortableOnStop(handlerOf(target))
  const hostname = options?.hostname ?? "127.0.0.1"
  const port = options?.port ?? 0
  const g = globalThis as { Deno?: any; Bun?: any }
  if (g.Deno !== undefined && typeof g.Deno.serve === "function") {
    // Deno listens synchronously; the no-op onListen only silences its "Listening on" line.
    const server = g.Deno.serve({ port, hostname, onListen: () => {} }, (request: Request) => handler(request))
    const actual: number = server.addr.port
    return {
      url: `http://${hostname}:${actual}`,
      port: actual,
      stop: () => {
        handler.abortAll()
        return server.shutdown()
      }
    }
  }
  if (g.Bun !== undefined && typeof g.Bun.serve === "function") {
    // idleTimeout 0: Bun.serve otherwise closes a connection idle for 10 s, which ends a
    // `Fault.hang()` early (and Bun's fetch then re-sends the GET on a new connection).
    const server = g.Bun.serve({ port, hostname, idleTimeout: 0, fetch: (request: Request) => handler(request) })
    const actual: number = server.port
    return {
      url: `http://${hostname}:${actual}`,
      port: actual,
      stop: async () => {
        handler.abortAll()
        await server.stop(true)
      }
    }
  }
  throw new Error(
    "serveEmulator: neither Deno.serve nor Bun.serve is available; on Node import { NodeClerkEmulator } from \"effect-clerk/testing/node\""
  )
}

/**
 * The URL (and port) of the emulator's HTTP server, provided by `ClerkEmulatorServer.layer`
 * (Deno, Bun, or the `serve` you pass) or `NodeClerkEmulator.layer`: for code that must
 * reach the emulator over a real socket, e.g. another process given it as `CLERK_API_URL`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { ClerkEmulator, ClerkEmulatorServer } from "effect-clerk/testing"
 *
 * // On Deno or Bun: the emulator in context, served for the layer's lifetime.
 * const ServerLive = ClerkEmulatorServer.layer().pipe(Layer.provideMerge(ClerkEmulator.layer()))
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* ClerkEmulatorServer
 *   const response = yield* Effect.promise(() =>
 *     fetch(`${server.url}/v1/jwks`, { headers: { authorization: "Bearer sk_test_emulator" } })
 *   )
 *   return response.status
 * }).pipe(Effect.provide(ServerLive))
 *
 * Effect.runPromise(program).then(console.log) // 200
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class ClerkEmulatorServer extends Service<ClerkEmulatorServer, { readonly url: string; readonly port: number }>()(
  "effect-clerk/testing/ClerkEmulatorServer"
) {
  /**
   * Serve the `ClerkEmulator` in context with `serve` (default {@link serveEmulator}) for the
   * layer's lifetime.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options?: ServeOptions & {
      readonly serve?: ((target: ServeTarget, options?: ServeOptions) => Promise<ServedEmulator>) | undefined
    }
  ): Layer.Layer<ClerkEmulatorServer, never, ClerkEmulator> =>
    scopedLayer(
      ClerkEmulatorServer,
      Effect.gen(function*() {
        const emulator = yield* ClerkEmulator
        const serve = options?.serve ?? serveEmulator
        const served = yield* Effect.acquireRelease(
          Effect.promise(() => serve(emulator.handler, options)),
          (server) => Effect.promise(() => server.stop())
        )
        return { url: served.url, port: served.port }
      })
    )
}
