/**
 * The one check every Clerk HTTP middleware of effect-clerk/http makes (HttpRouter's
 * `ClerkMiddleware` and HttpApi's `ClerkAuth`, on both lines): the request's session token —
 * an `Authorization: Bearer` header, else the already parsed `__session` cookie, as Clerk's
 * SDKs read it — verified by the app's `TokenVerifier`, and a refusal said as a 401 `reason`.
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { HttpServerRequest } from "#line/HttpServer"
import { type ClerkTokenInvalid, ClerkTokenMissing, type TokenInvalidReason } from "../ClerkError.js"
import { bearerToken, unquote } from "../internal/sessionToken.js"
import { TokenVerifier } from "../TokenVerifier.js"
import { CurrentSession, type SignedInSession } from "./CurrentSession.js"

/**
 * Why a request is not signed in, as a 401's `reason` says it: no token at all, or Clerk's
 * own refusal in a few words.
 *
 * @example
 * ```ts
 * import type { UnauthenticatedReason } from "effect-clerk/http"
 *
 * // A client refreshes its token on these and asks the user to sign in on the rest.
 * const refreshable = (reason: UnauthenticatedReason) => reason === "expired" || reason === "not-yet-valid"
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type UnauthenticatedReason = typeof UNAUTHENTICATED_REASONS[number]

/** Every `UnauthenticatedReason`, for the error's schema. */
export const UNAUTHENTICATED_REASONS = [
  "missing",
  "expired",
  "not-yet-valid",
  "invalid-signature",
  "unknown-key",
  "wrong-issuer",
  "wrong-authorized-party",
  "malformed"
] as const

const REASONS: Record<Exclude<TokenInvalidReason, "JwkFailedToResolve">, UnauthenticatedReason> = {
  TokenExpired: "expired",
  TokenNotActiveYet: "not-yet-valid",
  TokenIatInTheFuture: "not-yet-valid",
  TokenInvalidSignature: "invalid-signature",
  TokenInvalidAlgorithm: "invalid-signature",
  JwkKidMismatch: "unknown-key",
  TokenInvalidIssuer: "wrong-issuer",
  TokenInvalidAuthorizedParties: "wrong-authorized-party",
  TokenInvalid: "malformed"
}

/** A request that is not signed in: no token, or one the verifier refused. */
export type Refusal = ClerkTokenInvalid | ClerkTokenMissing

/** What a refusal answers: 401 with a reason, or 503 when the instance's keys could not be loaded. */
export const refusalOf = (refusal: Refusal): { readonly status: 401; readonly reason: UnauthenticatedReason } | { readonly status: 503 } =>
  refusal._tag === "ClerkTokenMissing"
    ? { status: 401, reason: "missing" }
    : refusal.reason === "JwkFailedToResolve"
    ? { status: 503 }
    : { status: 401, reason: REASONS[refusal.reason] ?? "malformed" }

/** The 401's message for a reason: what the user does next, nothing about the token. */
export const unauthenticatedMessage = (reason: UnauthenticatedReason): string =>
  reason === "missing" ? "Sign in: the request carries no session token" : "The session token is not valid: sign in again"

/** The 503's message. */
export const UNAVAILABLE_MESSAGE = "The session could not be verified right now; try again"

/** The request's session token: `Authorization: Bearer`, else the (already parsed) `__session` cookie. */
const requestToken = Effect.map(HttpServerRequest, (request): string | undefined => {
  const fromHeader = bearerToken(request.headers["authorization"])
  if (fromHeader !== undefined) return fromHeader
  const cookie = request.cookies["__session"]
  const value = cookie === undefined ? "" : unquote(cookie)
  return value === "" ? undefined : value
})

/** The request's verified session, or why it has none. */
export const verified: Effect.Effect<SignedInSession, Refusal, HttpServerRequest | TokenVerifier> = Effect.flatMap(
  requestToken,
  (token): Effect.Effect<SignedInSession, Refusal, TokenVerifier> =>
    token === undefined
      ? Effect.fail(new ClerkTokenMissing())
      : Effect.flatMap(TokenVerifier, (verifier) => Effect.map(verifier.verify(token), CurrentSession.fromClaims))
)

const outcomes = new WeakMap<object, Exit.Exit<SignedInSession, Refusal>>()

/**
 * `verified`, once per request: HttpApi tries a middleware's security schemes in turn (bearer,
 * then the cookie) until one succeeds, and each reads the token the same way (header beats
 * cookie), so the second gets the first's outcome instead of verifying the same token again.
 */
export const verifiedOnce = (verifier: TokenVerifier.Service): Effect.Effect<SignedInSession, Refusal, HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest, (request) => {
    const known = outcomes.get(request)
    if (known !== undefined) return known
    return Effect.flatMap(Effect.exit(Effect.provideService(verified, TokenVerifier, verifier)), (exit) => {
      outcomes.set(request, exit)
      return exit
    })
  })
