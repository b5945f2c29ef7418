/**
 * What a request to Clerk is, as every stage of `ClerkClient` sees it (the transport, the
 * response handler, the rate limit and the retry): its spec, the statuses it declares and the
 * errors those become. Types only; `ClerkClient.ts` re-exports the public ones.
 */
import type {
  ClerkBadRequest,
  ClerkCommonError,
  ClerkConflict,
  ClerkForbidden,
  ClerkGone,
  ClerkNotFound,
  ClerkUnauthorized,
  ClerkUnprocessableEntity
} from "../ClerkError.js"

/** The 4xx statuses an operation may declare, and the error each becomes. */
export interface DeclaredStatusErrors {
  readonly 400: ClerkBadRequest
  readonly 401: ClerkUnauthorized
  readonly 403: ClerkForbidden
  readonly 404: ClerkNotFound
  readonly 409: ClerkConflict
  readonly 410: ClerkGone
  readonly 422: ClerkUnprocessableEntity
}

export type DeclaredStatus = keyof DeclaredStatusErrors

/**
 * One request an operation wants sent, as {@link ClerkClient}'s `request` takes it: for
 * endpoints the SDK does not wrap. `path` is relative to `/v1` and already encoded; only an
 * `idempotent` request is retried.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkClient, type ClerkRequest } from "effect-clerk"
 *
 * // GET /v1/sessions/{id} by hand, decoded with a plain { ok, value } function.
 * const sessionStatus = (sessionId: string) =>
 *   Effect.gen(function*() {
 *     const client = yield* ClerkClient
 *     const request: ClerkRequest = { method: "GET", path: `/sessions/${encodeURIComponent(sessionId)}`, idempotent: true }
 *     const decode = (body: unknown) => ({ ok: true as const, value: (body as { readonly status: string }).status })
 *     return yield* client.request(request, decode, new Set([404 as const]))
 *   }).pipe(Effect.catchTag("ClerkNotFound", () => Effect.succeed("unknown")))
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface ClerkRequest {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly urlParams?: ReadonlyArray<readonly [string, string]> | undefined
  readonly body?: unknown
  /** Safe to re-send (GETs, revoke, verify, token minting); `false` for create and refresh. */
  readonly idempotent: boolean
  /**
   * The most bytes of response body read (default 1 MiB). A longer 2xx body fails with
   * `ClerkDecodeError`; a longer error body keeps its status error, without Clerk's `errors[]`.
   */
  readonly maxBodyBytes?: number | undefined
  /** `false` for routes Clerk does not rate-limit (`GET /jwks`): no slot is taken. */
  readonly rateLimited?: boolean | undefined
}

/**
 * The errors a request can end in, given the 4xx statuses `S` its operation declares: the
 * error class of each declared status (404 → `ClerkNotFound`, …) plus {@link ClerkCommonError}.
 * A 4xx the operation does not declare arrives as `ClerkUnexpectedStatus`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ClerkRequestError } from "effect-clerk"
 *
 * // Everything a request declaring 400 and 404 can fail with, told apart by tag.
 * const describe = (error: ClerkRequestError<400 | 404>): string => {
 *   switch (error._tag) {
 *     case "ClerkNotFound":
 *       return "no such session"
 *     case "ClerkBadRequest":
 *       return `bad request: ${error.errors[0]?.code}`
 *     default:
 *       return error.message // 429, 5xx, an undeclared status, timeout, transport, decode, input
 *   }
 * }
 *
 * const orMessage = (call: Effect.Effect<string, ClerkRequestError<400 | 404>>) =>
 *   Effect.match(call, { onFailure: describe, onSuccess: (value) => value })
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type ClerkRequestError<S extends DeclaredStatus> = DeclaredStatusErrors[S] | ClerkCommonError
