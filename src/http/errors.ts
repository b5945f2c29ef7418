/**
 * What Clerk's HTTP middlewares answer a request that is not signed in, as schema classes
 * with their HTTP status: HttpApi declares them (the OpenAPI document lists them) and encodes
 * them as JSON; `ClerkMiddleware` answers the same bodies on a plain HttpRouter. No token, no
 * internal detail and no stack is in either.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { httpStatus } from "#line/HttpServer"
import { Literals } from "#line/Models"
import { type Refusal, refusalOf, UNAUTHENTICATED_REASONS, UNAVAILABLE_MESSAGE, unauthenticatedMessage } from "./authenticate.js"

/**
 * HTTP 401: the request is not signed in — it carries no session token (`reason: "missing"`)
 * or one that does not verify (`expired`, `not-yet-valid`, `invalid-signature`,
 * `unknown-key`, `wrong-issuer`, `wrong-authorized-party`, `malformed`).
 *
 * @example
 * ```ts
 * import { ClerkUnauthenticated } from "effect-clerk/http"
 *
 * // What a client of your API reads from a 401 body.
 * const error = new ClerkUnauthenticated({ reason: "expired", message: "The session token is not valid: sign in again" })
 * const refresh = error.reason === "expired"
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkUnauthenticated extends Schema.TaggedError<ClerkUnauthenticated>()("ClerkUnauthenticated", {
  reason: Literals(UNAUTHENTICATED_REASONS),
  message: Schema.String
}, httpStatus(401, "Not signed in: no session token, or one that does not verify")) {}

/**
 * HTTP 503: the session could not be verified because the instance's signing keys could not
 * be loaded (Clerk's JWKS unreachable and none cached). The request may be fine; retry.
 *
 * @example
 * ```ts
 * import { ClerkAuthUnavailable } from "effect-clerk/http"
 *
 * const error = new ClerkAuthUnavailable({ message: "The session could not be verified right now; try again" })
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClerkAuthUnavailable extends Schema.TaggedError<ClerkAuthUnavailable>()("ClerkAuthUnavailable", {
  message: Schema.String
}, httpStatus(503, "The session could not be verified right now")) {}

/** The error a refusal is answered with. */
export const httpErrorOf = (refusal: Refusal): ClerkUnauthenticated | ClerkAuthUnavailable => {
  const answer = refusalOf(refusal)
  return answer.status === 503
    ? new ClerkAuthUnavailable({ message: UNAVAILABLE_MESSAGE })
    : new ClerkUnauthenticated({ reason: answer.reason, message: unauthenticatedMessage(answer.reason) })
}
