/**
 * Shared by the reliability suites: the emulator served over a real socket with the
 * runtime's own server, a URL nothing listens on, a fetch that counts the attempts the
 * client makes, the two transports a `ClerkClient` can be built with, and heap figures
 * after a forced collection.
 */
import { FetchHttpClient, HttpClient } from "#test-line/Testing"
import * as Layer from "effect/Layer"
import { createServer } from "node:net"
import { ClerkClient, type ClerkClientOptions } from "../../src/ClerkClient.js"
import { serveEmulator, type ServedEmulator, type ServeTarget } from "../../src/testing/index.js"
import { serve as serveNode } from "../../src/testing/node/index.js"

const g = globalThis as { Deno?: any; Bun?: any }

/** `node v20…`, `deno 2.…` or `bun 1.…`: where the figures were measured. */
export const runtimeName = g.Deno !== undefined
  ? `deno ${g.Deno.version.deno}`
  : g.Bun !== undefined
  ? `bun ${g.Bun.version}`
  : `node ${process.version}`

/** Serve on 127.0.0.1 with Deno.serve / Bun.serve there, the node:http adapter on Node. */
export const serveHere = (target: ServeTarget): Promise<ServedEmulator> =>
  g.Deno !== undefined || g.Bun !== undefined ? serveEmulator(target) : serveNode(target)

/** `http://127.0.0.1:PORT` where PORT was just free: connecting there is refused. */
export const refusedUrl = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })

/**
 * A fetch that counts the requests the client really started (attempts, retries included).
 * With `firstTo`, the first attempt goes to that origin instead (e.g. a refused one), as if
 * the server only came back for the retry.
 */
export const countingFetch = (options?: { readonly firstTo?: string }) => {
  const counter = { attempts: 0 }
  const fetch: typeof globalThis.fetch = (input, init) => {
    counter.attempts++
    if (counter.attempts === 1 && options?.firstTo !== undefined) {
      const url = new URL(input instanceof Request ? input.url : input)
      return globalThis.fetch(options.firstTo + url.pathname + url.search, init)
    }
    return globalThis.fetch(input, init)
  }
  return { counter, fetch, layer: fetchLayer(fetch) }
}

/**
 * How a `ClerkClient` sends: `httpClient` is `ClerkClient.layer` over `FetchHttpClient`
 * (an `http.client` span per request), `fetch` is `ClerkClient.layerFetch` (no `HttpClient`,
 * no `http.client` span). Both end in the given fetch.
 */
export type Transport = "httpClient" | "fetch"
export const TRANSPORTS: ReadonlyArray<Transport> = ["httpClient", "fetch"]

/** The layer a transport is built with, as a test title shows it. */
export const transportName = (transport: Transport) =>
  transport === "fetch" ? "ClerkClient.layerFetch" : "ClerkClient.layer + FetchHttpClient"

/** A `ClerkClient` over `transport`, sending with `fetch` (default: `globalThis.fetch`, looked up per call). */
export const clientLayer = (
  transport: Transport,
  options: ClerkClientOptions,
  fetch?: typeof globalThis.fetch
): Layer.Layer<ClerkClient> => {
  if (transport === "httpClient") {
    return ClerkClient.layer(options).pipe(Layer.provide(fetch === undefined ? FetchHttpClient.layer : fetchLayer(fetch)))
  }
  return fetch === undefined
    ? ClerkClient.layerFetch(options)
    : ClerkClient.layerFetch(options).pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
}

/** `FetchHttpClient.layer` using `fetch`. */
export const fetchLayer = (fetch: typeof globalThis.fetch): Layer.Layer<HttpClient.HttpClient> =>
  FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))

/** Collect garbage as thoroughly as the runtime allows (Node: --expose-gc at run time). */
export const collectGarbage = async (): Promise<void> => {
  let gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined && g.Bun !== undefined) gc = () => g.Bun.gc(true)
  if (gc === undefined) {
    try {
      const v8 = await import("node:v8")
      const vm = await import("node:vm")
      v8.setFlagsFromString("--expose-gc")
      gc = vm.runInNewContext("gc") as () => void
    } catch {
      gc = undefined
    }
  }
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Heap in use after a forced collection, in MB (one decimal): the least of five readings
 * 100 ms apart, so that sockets, aborted requests and handlers still being torn down when a
 * run ends (slowly, on a busy machine) are not counted as memory the run kept.
 */
export const heapUsedMb = async (): Promise<number> => {
  let least = Infinity
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100))
    await collectGarbage()
    least = Math.min(least, process.memoryUsage().heapUsed)
  }
  return Math.round(least / 1e5) / 10
}

/**
 * Track every timer set through `globalThis.setTimeout` from now on (Effect's clock, the
 * SDK's per-attempt timeout, the emulator): `live()` counts those that have neither fired
 * nor been cleared. Works the same on every runtime, unlike `process.getActiveResourcesInfo`,
 * which lists nothing on Bun and the runtime's own internal timers on Deno. Timers the
 * runtime's own modules set (Node's fetch keeps an idle timer per pooled connection, Bun's
 * node:http server one per kept-alive socket) are not counted.
 */
export const trackTimers = () => {
  const live = new Set<unknown>()
  let peak = 0
  const set = globalThis.setTimeout
  const clear = globalThis.clearTimeout
  globalThis.setTimeout = ((handler: (...args: Array<unknown>) => void, ms?: number, ...args: Array<unknown>) => {
    const id: unknown = set((...received: Array<unknown>) => {
      live.delete(id)
      handler(...received)
    }, ms, ...args)
    // The frame that called setTimeout: a runtime module (`node:…`, `ext:…`) is not ours.
    const caller = (new Error().stack ?? "").split("\n")[2] ?? ""
    if (!/[(\s](node|ext):/.test(caller)) live.add(id)
    peak = Math.max(peak, live.size)
    return id
  }) as typeof globalThis.setTimeout
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    live.delete(id)
    clear(id)
  }) as typeof globalThis.clearTimeout
  return {
    live: () => live.size,
    /** The most that were live at once (shows the tracker saw the timers at all). */
    peak: () => peak,
    restore: () => {
      globalThis.setTimeout = set
      globalThis.clearTimeout = clear
    }
  }
}
