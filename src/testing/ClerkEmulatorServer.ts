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
 * A running server: its base URL (`http://127.0.0.1:PORT`, no `/v1`) and how to stop it.
 *
 * @since 0.1.0
 */
export interface ServedEmulator {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

/** @since 0.1.0 */
export interface ServeOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly hostname?: string | undefined
}

/** A web handler, or anything that has one (a `ClerkEmulator.Service`). @since 0.1.0 */
export type WebHandler = (request: Request) => Promise<Response>

/** @since 0.1.0 */
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
 * Serve `target` on Deno or Bun. Rejects on other runtimes (use
 * `effect-clerk/testing/node` on Node).
 *
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
 * The URL of the emulator's HTTP server, provided by `ClerkEmulatorServer.layer` or
 * `NodeClerkEmulator.layer`.
 *
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
