/**
 * `layerConfig` options in Effect's `Config.Wrap` convention (as `PgClient.layerConfig` takes
 * them): the whole a `Config`, or a record whose fields are each a `Config` or a plain value,
 * nested records too. Read into plain options; the CLERK_* variables fill what is not given.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type { ConfigError } from "#line/Config"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype

/** Every `Config` in `input` read (from the current `ConfigProvider`), the rest kept as it is. */
export const readWrapped = <A>(input: unknown): Effect.Effect<A, ConfigError> =>
  Effect.gen(function*() {
    if (Config.isConfig(input)) return (yield* (input as Config.Config<A>)) as A
    if (!isRecord(input)) return input as A
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(input)) out[key] = yield* readWrapped<unknown>(value)
    return out as A
  })
