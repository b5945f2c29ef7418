/**
 * The example Worker's "Active devices" page (what Clerk's UserProfile calls it): sign in
 * (the demo way: `createSession` + `createSessionToken`, the token in the `__session`
 * cookie), then every active session of the user as a card, with "sign out of this device"
 * (`revokeSession`), "sign out of all other devices" and "sign out". Every request after
 * sign-in is authenticated by `TokenVerifier.authenticateRequest` from the cookie, as a
 * production Worker behind Clerk is. Forms post and redirect; with JavaScript they post
 * with `fetch` and the card goes away.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type ClerkError, type SessionClaims, Sessions, TokenVerifier } from "effect-clerk"
import { Access, AccessDenied, clerkFailure, CrossOriginRequest, sessionOwnedBy } from "./access.js"
import { type Handler, header, html, json, seeOther, ServerRequest } from "./http.js"
import { literals, runCollect, Service } from "./line.js"
import { type DemoUser, devicesPage, failurePage, signInPage } from "./views.js"

/** The demo's sign-in: its users (DEMO_USERS), or `undefined` where sign-in is Clerk's own page. */
export class DemoSignIn extends Service<DemoSignIn, {
  readonly users: ReadonlyArray<DemoUser> | undefined
}>()("example/DemoSignIn") {}

/** How long the token set at sign-in lives (the emulator has no Frontend API to refresh it every minute). */
export const SIGN_IN_TOKEN_SECONDS = 3600

/** Why a page needs the person to sign in (again). */
export class SignInRequired extends Schema.TaggedError<SignInRequired>()("SignInRequired", {
  reason: literals("missing", "expired", "invalid", "revoked", "signed-out")
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

/** A form or link in a browser (HTML answers); `fetch` from the page asks for JSON. */
const wantsHtml = Effect.map(ServerRequest, (request) => (header(request, "accept") ?? "").includes("text/html"))

const cookie = (request: typeof ServerRequest.Service, value: string, maxAge: number) => {
  const secure = request.url.protocol === "https:"
  return `__session=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`
}

const cookieValue = (request: typeof ServerRequest.Service, name: string) =>
  (header(request, "cookie") ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1)

/** The `sid` of a token, unverified: only to name the session to refresh (Clerk verifies the token itself). */
const unverifiedSid = (jwt: string): string | undefined => {
  try {
    const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")
    const sid = JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4))).sid
    return typeof sid === "string" ? sid : undefined
  } catch {
    return undefined
  }
}

/**
 * An expired `__session` beside a `__refresh` cookie (which Clerk's frontend sets): ask Clerk
 * for a new token (`refreshSession`) rather than signing the person out. Clerk checks the
 * expired token, the refresh token and the origin; any refusal means signing in again.
 */
const refreshed = Effect.gen(function*() {
  const request = yield* ServerRequest
  const expired = cookieValue(request, "__session")
  const refreshToken = cookieValue(request, "__refresh")
  const sid = expired === undefined ? undefined : unverifiedSid(expired)
  if (expired === undefined || refreshToken === undefined || sid === undefined) {
    return yield* new SignInRequired({ reason: "expired" })
  }
  const answer = yield* Effect.flatMap(Sessions, (sessions) =>
    sessions.refreshSession(sid, {
      expiredToken: expired,
      refreshToken,
      requestOrigin: request.url.origin
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
  // `pageRoute` adds it to the answer.
  request.cookie.value = cookie(request, Redacted.value(answer.jwt), SIGN_IN_TOKEN_SECONDS)
  return claims
})

/** The signed-in person's claims, from the `__session` cookie (or a Bearer header); an expired one refreshed if it can be. */
const signedIn: Effect.Effect<
  SessionClaims,
  SignInRequired | ClerkError,
  Access | Sessions | TokenVerifier | ServerRequest
> = Effect.flatMap(Access, (access) => access.claims).pipe(
  Effect.catchTags({
    ClerkTokenMissing: () => Effect.fail(new SignInRequired({ reason: "missing" })),
    ClerkTokenInvalid: (e) =>
      // The keys could not be fetched: Clerk's failure (or our key's), not the person's.
      e.reason === "JwkFailedToResolve" && e.cause !== undefined
        ? Effect.fail(e.cause)
        : e.reason === "TokenExpired"
        ? refreshed
        : Effect.fail(new SignInRequired({ reason: "invalid" }))
  }),
  Effect.flatMap((claims) => claims === undefined ? Effect.fail(new SignInRequired({ reason: "missing" })) : Effect.succeed(claims))
)

/** The user's active sessions; the token's own session must be one of them (else it was signed out). */
const activeSessions = (claims: SessionClaims) =>
  Effect.flatMap(Sessions, (sessions) => runCollect(sessions.listAll({ userId: claims.sub, status: "active" }))).pipe(
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
export const pageFailure = (
  error: SignInRequired | AccessDenied | CrossOriginRequest | ClerkError
): Effect.Effect<Response, never, ServerRequest> =>
  Effect.gen(function*() {
    const request = yield* ServerRequest
    const inBrowser = yield* wantsHtml
    const answer = (status: number, code: string, title: string, message: string, headers: Record<string, string> = {}) =>
      inBrowser
        ? html(failurePage(title, message), status, headers)
        : json({ error: { code, message } }, { status, headers })
    switch (error._tag) {
      case "SignInRequired": {
        const signIn = `/sign-in?reason=${error.reason}`
        const clear = { "set-cookie": cookie(request, "", 0) }
        return inBrowser
          ? seeOther(signIn, clear)
          : json({ error: { code: "sign_in_required", message: reasons[error.reason], signIn } }, {
            status: 401,
            headers: clear
          })
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
const pageRoute = <R>(handler: Handler<SignInRequired | AccessDenied | ClerkError, R>) =>
  handler.pipe(
    Effect.catchTags({
      SignInRequired: pageFailure,
      AccessDenied: pageFailure
    }),
    Effect.catchIf((e): e is ClerkError => typeof e === "object" && e !== null && "_tag" in e, pageFailure),
    Effect.flatMap((response) =>
      Effect.map(ServerRequest, ({ cookie: refreshed }) => {
        if (refreshed.value !== undefined && !response.headers.has("set-cookie")) {
          response.headers.set("set-cookie", refreshed.value)
        }
        return response
      })
    )
  )

/** GET /: the active devices page. */
const devices = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  const sessions = yield* activeSessions(claims)
  const users = (yield* DemoSignIn).users
  const user = users?.find((u) => u.id === claims.sub)
  const { query } = yield* ServerRequest
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
  const { query } = yield* ServerRequest
  const reason = typeof query.reason === "string" && query.reason in reasons
    ? reasons[query.reason as SignInRequired["reason"]]
    : undefined
  return html(signInPage((yield* DemoSignIn).users, reason))
})

/** The most a form this Worker serves can need; a larger body is refused unread. */
const MAX_FORM_BYTES = 16 * 1024

/**
 * A request body as text, or `undefined` past `max` bytes: refused on Content-Length before
 * reading, and counted while streaming (a body without a length, or that lies).
 */
const readCapped = async (request: Request, max: number): Promise<string | undefined> => {
  const declared = Number(request.headers.get("content-length") ?? "0")
  if (declared > max) return undefined
  if (request.body === null) return ""
  const reader = request.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        await reader.cancel()
        return undefined
      }
      chunks.push(value)
    }
  } catch {
    return ""
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) bytes.set(chunk, (offset += chunk.byteLength) - chunk.byteLength)
  return new TextDecoder().decode(bytes)
}

/** POST /sign-in (user_id=…): a new session for a demo user, its token in the `__session` cookie. */
const signIn = pageRoute(Effect.gen(function*() {
  const users = (yield* DemoSignIn).users
  if (users === undefined) return html(signInPage(undefined, undefined), 404)
  const request = yield* ServerRequest
  const text = yield* Effect.promise(() => readCapped(request.request, MAX_FORM_BYTES))
  if (text === undefined) return html(failurePage("Too large", "That form was larger than a sign-in form can be."), 413)
  const form = new URLSearchParams(text)
  const userId = form.get("user_id")
  const user = users.find((u) => userId !== null && u.id === userId)
  if (user === undefined) return html(failurePage("Unknown user", "Choose one of the demo users to sign in."), 400)
  const sessions = yield* Sessions
  const session = yield* sessions.createSession({ userId: user.id })
  const token = yield* sessions.createSessionToken(session.id, { expiresInSeconds: SIGN_IN_TOKEN_SECONDS })
  return seeOther("/", { "set-cookie": cookie(request, Redacted.value(token.jwt), SIGN_IN_TOKEN_SECONDS) })
}))

/** What a sign-out action answers: a redirect for a form, `{ signedOut, message }` for `fetch`. */
const signedOut = (ids: ReadonlyArray<string>, notice: "signed-out-one" | "signed-out-others") =>
  Effect.map(wantsHtml, (inBrowser) =>
    inBrowser
      ? seeOther(`/?notice=${notice}`)
      : json({ signedOut: ids, message: notices[notice] })
  )

/** POST /devices/:id/sign-out: revoke one of the user's other sessions. */
const signOutDevice = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  yield* stillActive(claims)
  const id = (yield* ServerRequest).params.id ?? ""
  const session = yield* sessionOwnedBy(id, claims.sub)
  if (session.id !== claims.sid) yield* Effect.flatMap(Sessions, (s) => s.revokeSession(session.id))
  return session.id === claims.sid ? yield* signOutHere(claims) : yield* signedOut([session.id], "signed-out-one")
}))

/** POST /devices/sign-out-others */
const signOutOthers = pageRoute(Effect.gen(function*() {
  const claims = yield* signedIn
  const others = (yield* activeSessions(claims)).filter((s) => s.id !== claims.sid)
  const sessions = yield* Sessions
  yield* Effect.forEach(others, (s) => sessions.revokeSession(s.id), { concurrency: 4, discard: true })
  return yield* signedOut(others.map((s) => s.id), "signed-out-others")
}))

/** Revoke this session and clear the cookie. */
const signOutHere = (claims: SessionClaims) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(Sessions, (s) => s.revokeSession(claims.sid))
    return yield* pageFailure(new SignInRequired({ reason: "signed-out" }))
  })

/** POST /sign-out: sign this device out (already signed out: just clear the cookie). */
const signOut = pageRoute(Effect.flatMap(signedIn, signOutHere).pipe(
  Effect.catchTag("SignInRequired", () => pageFailure(new SignInRequired({ reason: "signed-out" })))
))

/** The page's routes, added to the JSON API's routes in `app.ts`. */
export const pageRoutes = [
  ["GET", "/", devices],
  ["GET", "/sign-in", signInForm],
  ["POST", "/sign-in", signIn],
  ["POST", "/devices/sign-out-others", signOutOthers],
  ["POST", "/devices/:id/sign-out", signOutDevice],
  ["POST", "/sign-out", signOut]
] as const
