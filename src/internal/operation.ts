/**
 * A Sessions operation as data: its name (its span is `Sessions.<name>`), its method, the
 * statuses it declares, its body cap, its decoder, whether a transient failure may retry it,
 * and how its arguments become the request's path, query and body — validated before
 * anything is sent. `operation` turns that into the function `Sessions` exposes: validate →
 * span → `ClerkClient.request` → decode, the one shape of every call.
 */
import * as Effect from "effect/Effect"
import type { DecodeResult } from "#line/Decode"
import type { ClerkClient } from "../ClerkClient.js"
import type { ClerkRequestError } from "./request.js"
import type { ClerkCommonError } from "../ClerkError.js"
import type { DeclaredStatus } from "./request.js"
import { traced } from "./span.js"

/** What the arguments decide of a request. */
export interface RequestParts {
  readonly path: string
  readonly urlParams?: ReadonlyArray<readonly [string, string]> | undefined
  readonly body?: unknown
}

export interface Operation<Args extends ReadonlyArray<any>, A, S extends DeclaredStatus> {
  readonly name: string
  readonly method: "GET" | "POST"
  readonly statuses: ReadonlySet<S>
  /** The response body's cap in bytes (internal/body.ts). */
  readonly cap: number
  readonly decode: (body: unknown) => DecodeResult<A>
  /** Retried on a transient failure; false for the calls that create something. */
  readonly idempotent: boolean
  /** The span's attributes, from the arguments as given (built only when a span is opened). */
  readonly attributes?: ((args: NoInfer<Args>) => Record<string, unknown>) | undefined
  /**
   * The request from the arguments, or the `ClerkInvalidInput` that stops it. A plain value
   * (or a failed check, as an Effect) when no Effect is needed, so the common call pays for
   * no extra step.
   */
  readonly request: (...args: Args) => RequestParts | Effect.Effect<RequestParts, ClerkCommonError>
}

export const declared = <S extends DeclaredStatus>(...statuses: Array<S>): ReadonlySet<S> => new Set(statuses)

export const operation = <Args extends ReadonlyArray<any>, A, S extends DeclaredStatus>(
  client: ClerkClient.Service,
  op: Operation<Args, A, S>
) => {
  const name = `Sessions.${op.name}`
  const send = (parts: RequestParts): Effect.Effect<A, ClerkRequestError<S>> =>
    client.request(
      { method: op.method, path: parts.path, urlParams: parts.urlParams, body: parts.body, idempotent: op.idempotent, maxBodyBytes: op.cap },
      op.decode,
      op.statuses
    )
  return (...args: Args): Effect.Effect<A, ClerkRequestError<S>> => {
    const parts = op.request(...args)
    return traced(name, op.attributes, args, Effect.isEffect(parts) ? Effect.flatMap(parts, send) : send(parts))
  }
}
