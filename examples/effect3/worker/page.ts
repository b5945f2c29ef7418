/**
 * The example Worker's "Active devices" page (what Clerk's UserProfile calls it): sign in
 * (the demo way: `createSession` + `createSessionToken`, the token in the `__session`
 * cookie), then every active session of the user as a card, with "sign out of this device"
 * (`revokeSession`), "sign out of all other devices" and "sign out". Every request after
 * sign-in is authenticated from the cookie by `authenticate` (access.ts), as a production
 * Worker behind Clerk is. Forms post and redirect; with JavaScript they post with `fetch`
 * and the card goes away.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ClerkError, type SessionClaims, Sessions, TokenVerifier } from "effect-clerk"
import { type DemoUser, devicesPage, failurePage, signInPage } from "../../common/views.js"
import { sessionCookie, unverifiedSid } from "../../common/web.js"
import { AccessDenied, authenticate, clerkFailure, type CrossOriginRequest, sessionOwnedBy } from "./access.js"

/** The demo's sign-in: its users (DEMO_USERS), or `undefined` where sign-in is Clerk's own page. */
export class DemoSignIn extends Context.Tag("example/DemoSignIn")<DemoSignIn, {
  readonly users: ReadonlyArray<DemoUser> | undefined
}>() {}

/** A token refreshed while answering this request: its `set-cookie`, added to the answer by `pageRoute`. */
class RefreshedCookie extends Context.Tag("example/RefreshedCookie")<RefreshedCookie, { value: string | undefined }>() {}

/** How long the token set at sign-in lives (the emulator has no Frontend API to refresh it every minute). */
export const SIGN_IN_TOKEN_SECONDS = 3600

/** Why a page needs the person to sign in (again). */
export class SignInRequired extends Schema.TaggedError<SignInRequired>()("SignInRequired", {
  reason: Schema.Literal("missing", "expired", "invalid", "revoked", "signed-out")
}) {}

const reasons: Record<SignInRequired["reason"], string> = {
  missing: "Sign in to see your active devices.",
  expired: "Your session expired. Sign in again.",
  invalid: "Your sign-in could not be verified. Sign in again.",
  revoked: "This device was signed out. Sign in again.",
  "signed-out": "You are signed out."
}

const notices: Record<string, string> = {
  "signed-out-one": "Signed out of that device.",
  "signed-out-others": "Signed out of all other devices."
}

/** An HTML page. */
export const html = (body: string, status = 200, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(body, { status, headers, contentType: "text/html; charset=utf-8" })

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** A 303 to `location`. */
const seeOther = (location: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.redirect(location, { status: 303, headers })

/** A form or link in a browser (HTML answers); `fetch` from the page asks for JSON. */
const wantsHtml = Effect.map(HttpServerRequest.HttpServerRequest, (request) => (request.headers["accept"] ?? "").includes("text/html"))

const cookie = (value: string, maxAge: number) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => sessionCookie(request.originalUrl, value, maxAge))

/**
 * An expired `__session` beside a `__refresh` cookie (which Clerk's frontend sets): ask Clerk
 * for a new token (`refreshSession`) rather than signing the person out. Clerk checks the
 * expired token, the refresh token and the origin; any refusal means signing in again.
 */
const refreshed = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const expired = request.cookies["__session"]
  const refreshToken = request.cookies["__refresh"]
  const sid = expired === undefined ? undefined : unverifiedSid(expired)
  if (expired === undefined || refreshToken === undefined || sid === undefined) {
    return yield* new SignInRequired({ reason: "expired" })
  }
  const answer = yield* Effect.flatMap(Sessions, (sessions) =>
    sessions.refreshSession(sid, {
      expiredToken: expired,
      refreshToken,
      requestOrigin: new URL(request.originalUrl).origin
    })).pipe(
      Effect.catchTags({
        ClerkUnauthorized: () => Effect.fail(new SignInRequired({ reason: "expired" })),
        ClerkBadRequest: () => Effect.fail(new SignInRequired({ reason: "expired" }))
      })
    )
  if (answer.object !== "token") return yield* new SignInRequired({ reason: "expired" })
  const claims = yield* Effect.flatMap(TokenVerifier, (verifier) => verifier.verify(answer.jwt)).pipe(
    Effect.mapError(() => new SignInRequired({ reason: "invalid" }))
  )
  const refreshedCookie = yield* RefreshedCookie
  refreshedCookie.value = yield* cookie(Redacted.value(answer.jwt), SIGN_IN_TOKEN_SECONDS)
  return claims
})

/** The signed-in person's claims, from the `__session` cookie (or a Bearer header); an expired one refreshed if it can be. */
const signedIn: Effect.Effect<
  SessionClaims,
  SignInRequired | ClerkError,
  Sessions | TokenVerifier | HttpServerRequest.HttpServerRequest | RefreshedCookie
> = authenticate.pipe(
  Effect.catchTags({
    ClerkTokenMissing: () => Effect.fail(new SignInRequired({ reason: "missing" })),
    ClerkTokenInvalid: (e) =>
      // The keys could not be fetched: Clerk's failure (or our key's), not the person's.
      e.reason === "JwkFailedToResolve" && e.cause !== undefined
        ? Effect.fail(e.cause)
        : e.reason === "TokenExpired"
        ? refreshed
        : Effect.fail(new SignInRequired({ reason: "invalid" }))
  })
)

/** The user's active sessions; the token's own session must be one of them (else it was signed out). */
const activeSessions = (claims: SessionClaims) =>
  Effect.flatMap(Sessions, (sessions) => Stream.runCollect(sessions.listAll({ userId: claims.sub, status: "active" }))).pipe(
    Effect.map(Chunk.toReadonlyArray),
    Effect.filterOrFail((all) => all.some((s) => s.id === claims.sid), () => new SignInRequired({ reason: "revoked" }))
  )

/** A page action needs the token's session to be active still (a token outlives a revocation). */
const stillActive = (claims: SessionClaims) =>
  Effect.flatMap(Sessions, (sessions) => sessions.getSession(claims.sid)).pipe(
    Effect.filterOrFail((s) => s.status === "active", () => new SignInRequired({ reason: "revoked" })),
    Effect.catchTag("ClerkNotFound", () => Effect.fail(new SignInRequired({ reason: "revoked" })))
  )

/** A person's words for each failure; `clerkFailure` decides the status, shared with the JSON API. */
const failureText = (code: string, retryAfter: string | undefined): [string, string] => {
  switch (code) {
    case "clerk_unreachable":
    case "clerk_timeout":
      return ["Clerk can't be reached", "Clerk can't be reached right now, so nothing was shown or changed. Try again in a moment."]
    case "rate_limited":
      return ["Too many requests", `Clerk is rate limiting this app. Try again in ${retryAfter ?? "a few"} seconds.`]
    case "misconfigured_secret_key":
      return ["This app is misconfigured", "Clerk refused this app's secret key, so nothing was shown or changed."]
    case "resource_not_found":
      return ["Session not found", "That session no longer exists. Nothing was changed."]
    default:
      return ["Something went wrong", "Clerk answered with an error, so nothing was changed. Try again."]
  }
}

/** Answer a failure as the page (HTML, redirects) or as JSON for the page's own `fetch`. */
export const pageFailure = (error: SignInRequired | AccessDenied | CrossOriginRequest | ClerkError) =>
  Effect.gen(function*() {
    const inBrowser = yield* wantsHtml
    const answer = (status: number, code: string, title: string, message: string, headers: Record<string, string> = {}) =>
      inBrowser ? html(failurePage(title, message), status, headers) : json({ error: { code, message } }, status, headers)
    switch (error._tag) {
      case "SignInRequired": {
        const signIn = `/sign-in?reason=${error.reason}`
        const clear = { "set-cookie": yield* cookie("", 0) }
        return inBrowser
          ? seeOther(signIn, clear)
          : json({ error: { code: "sign_in_required", message: reasons[error.reason], signIn } }, 401, clear)
      }
      case "AccessDenied":
        return answer(403, "forbidden", "Not your session", `${error.message}. Nothing was changed.`)
      case "CrossOriginRequest":
        return answer(
          403,
          "cross_origin_request",
          "Request refused",
          "This request came from another site, so it was refused and nothing was changed."
        )
      default: {
        const failure = clerkFailure(error)
        const retryAfter = failure.headers?.["retry-after"]
        const [title, message] = failureText(failure.code, retryAfter)
        return answer(failure.status, failure.code, title, message, failure.headers)
      }
    }
  })

/** A page route: its expected failures answered by `pageFailure`; a refreshed token's cookie set. */
const pageRoute = <R>(
  route: Effect.Effect<HttpServerResponse.HttpServerResponse, SignInRequired | AccessDenied | ClerkError, R>
) =>
  Effect.gen(function*() {
    const refreshedCookie = { value: undefined as string | undefined }
    const response = yield* route.pipe(
      Effect.catchAll(pageFailure),
      Effect.provideService(RefreshedCookie, refreshedCookie)
    )
    return refreshedCookie.value !== undefined && response.headers["set-cookie"] === undefined
      ? HttpServerResponse.setHeader(response, "set-cookie", refreshedCookie.value)
      : response
  })

/** GET /: the active devices page. */
const devices = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  const sessions = yield* activeSessions(claims)
  const { users } = yield* DemoSignIn
  const user = users?.find((u) => u.id === claims.sub)
  const query = yield* HttpServerRequest.ParsedSearchParams
  const notice = typeof query.notice === "string" ? notices[query.notice] : undefined
  return html(devicesPage({
    userLabel: user ? `${user.name} (${user.id})` : claims.sub,
    currentSessionId: claims.sid,
    sessions,
    now: yield* Clock.currentTimeMillis,
    notice
  }))
}))

/** GET /sign-in */
const signInForm = Effect.gen(function*() {
  const query = yield* HttpServerRequest.ParsedSearchParams
  const reason = typeof query.reason === "string" && query.reason in reasons
    ? reasons[query.reason as SignInRequired["reason"]]
    : undefined
  return html(signInPage((yield* DemoSignIn).users, reason))
})

/** The most a form this Worker serves can need; a larger body is refused unread. */
const MAX_FORM_BYTES = 16 * 1024

/**
 * The request body as text, or `undefined` past `max` bytes: refused on Content-Length before
 * reading, and counted while streaming (a body without a length, or that lies: the stream
 * stops at the first chunk past `max`).
 */
const cappedText = (max: number) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (Number(request.headers["content-length"] ?? "0") > max) return Effect.succeed(undefined)
    return Stream.runFoldWhile(
      request.stream,
      { size: 0, chunks: [] as Array<Uint8Array> },
      ({ size }) => size <= max,
      ({ chunks, size }, chunk) => ({ size: size + chunk.byteLength, chunks: [...chunks, chunk] })
    ).pipe(
      Effect.map(({ chunks, size }) => {
        if (size > max) return undefined
        const bytes = new Uint8Array(size)
        let offset = 0
        for (const chunk of chunks) bytes.set(chunk, (offset += chunk.byteLength) - chunk.byteLength)
        return new TextDecoder().decode(bytes)
      }),
      // No body, or one that broke off: an empty form.
      Effect.orElseSucceed(() => "")
    )
  })

/** POST /sign-in (user_id=…): a new session for a demo user, its token in the `__session` cookie. */
const signIn = pageRoute(Effect.gen(function*() {
  const { users } = yield* DemoSignIn
  if (users === undefined) return html(signInPage(undefined, undefined), 404)
  const text = yield* cappedText(MAX_FORM_BYTES)
  if (text === undefined) return html(failurePage("Too large", "That form was larger than a sign-in form can be."), 413)
  const userId = new URLSearchParams(text).get("user_id")
  const user = users.find((u) => userId !== null && u.id === userId)
  if (user === undefined) return html(failurePage("Unknown user", "Choose one of the demo users to sign in."), 400)
  const sessions = yield* Sessions
  const session = yield* sessions.createSession({ userId: user.id })
  const token = yield* sessions.createSessionToken(session.id, { expiresInSeconds: SIGN_IN_TOKEN_SECONDS })
  return seeOther("/", { "set-cookie": yield* cookie(Redacted.value(token.jwt), SIGN_IN_TOKEN_SECONDS) })
}))

/** What a sign-out action answers: a redirect for a form, `{ signedOut, message }` for `fetch`. */
const signedOut = (ids: ReadonlyArray<string>, notice: "signed-out-one" | "signed-out-others") =>
  Effect.map(wantsHtml, (inBrowser) =>
    inBrowser ? seeOther(`/?notice=${notice}`) : json({ signedOut: ids, message: notices[notice] }))

/** Revoke this session and clear the cookie. */
const signOutHere = (claims: SessionClaims) =>
  Effect.flatMap(Sessions, (s) => s.revokeSession(claims.sid)).pipe(
    Effect.zipRight(pageFailure(new SignInRequired({ reason: "signed-out" })))
  )

/** POST /devices/:id/sign-out: revoke one of the user's other sessions (this one: sign out). */
const signOutDevice = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  yield* stillActive(claims)
  const id = (yield* HttpRouter.params).id ?? ""
  const session = yield* sessionOwnedBy(id, claims.sub)
  if (session.id === claims.sid) return yield* signOutHere(claims)
  yield* Effect.flatMap(Sessions, (s) => s.revokeSession(session.id))
  return yield* signedOut([session.id], "signed-out-one")
}))

/** POST /devices/sign-out-others */
const signOutOthers = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  const others = (yield* activeSessions(claims)).filter((s) => s.id !== claims.sid)
  const sessions = yield* Sessions
  yield* Effect.forEach(others, (s) => sessions.revokeSession(s.id), { concurrency: 4, discard: true })
  return yield* signedOut(others.map((s) => s.id), "signed-out-others")
}))

/** POST /sign-out: sign this device out (already signed out: just clear the cookie). */
const signOut = pageRoute(Effect.flatMap(signedIn, signOutHere).pipe(
  Effect.catchTag("SignInRequired", () => pageFailure(new SignInRequired({ reason: "signed-out" })))
))

/** The page's routes; app.ts adds the JSON API's. */
export const pageRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/", devices),
  HttpRouter.get("/sign-in", signInForm),
  HttpRouter.post("/sign-in", signIn),
  HttpRouter.post("/devices/sign-out-others", signOutOthers),
  HttpRouter.post("/devices/:id/sign-out", signOutDevice),
  HttpRouter.post("/sign-out", signOut)
)
