/**
 * A stub `Sessions` for application tests: give the methods your code calls, and any other
 * method dies, naming itself, the moment it runs. `getSessionList` and `listAll` stand in for
 * each other, and small fixture makers build the models with Clerk-like defaults.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { dieMessage, dieStream, makeUtcUnsafe, paginate } from "#line/Kernel"
import { Session, SessionActivity, SessionCookies, SessionList, SessionToken } from "../Session.js"
import { type GetSessionListParams, Sessions } from "../Sessions.js"

const METHODS = [
  "getSessionList",
  "listAll",
  "getSession",
  "revokeSession",
  "verifySession",
  "createSessionToken",
  "createSessionTokenFromTemplate",
  "createSession",
  "refreshSession"
] as const satisfies ReadonlyArray<keyof Sessions.Service>

/** The defect message of an unstubbed method. */
const notStubbed = (method: string) => `SessionsTest: ${method} was not stubbed`

/** The same page size and end-of-walk rule as the real `listAll`. */
const listAllFromPages = (getSessionList: Sessions.Service["getSessionList"]): Sessions.Service["listAll"] =>
(
  params
) => {
  const limit = params?.limit ?? 100
  return paginate(params?.offset ?? 0, (offset: number) =>
    Effect.map(getSessionList({ ...params, limit, offset }), (page) => {
      const next = offset + page.data.length
      const done = page.data.length < limit || next >= page.totalCount
      return [page.data, done ? Option.none<number>() : Option.some(next)] as const
    }))
}

/** One page cut from every match: Clerk's default page of 10, `totalCount` over all of them. */
const pagesFromListAll = (listAll: Sessions.Service["listAll"]): Sessions.Service["getSessionList"] =>
(
  params
) => {
  const { limit = 10, offset = 0, ...filters } = params ?? ({} as GetSessionListParams)
  return Effect.map(
    Stream.runCollect(listAll(filters)),
    (all) => {
      const sessions = Array.from(all)
      return new SessionList({ data: sessions.slice(offset, offset + limit), totalCount: sessions.length })
    }
  )
}

/**
 * A timestamp as a fixture accepts it: a `DateTime`, a `Date` or epoch milliseconds. The
 * fixtures turn each into the `DateTime.Utc` the models hold.
 *
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import { SessionsTest, type SessionsTestTime } from "effect-clerk/testing"
 *
 * const lastActiveAt: SessionsTestTime = new Date("2026-05-13T09:30:00Z")
 * const expireAt: SessionsTestTime = Date.UTC(2026, 4, 20)
 *
 * const session = SessionsTest.session({ lastActiveAt, expireAt })
 * console.log(DateTime.formatIso(session.lastActiveAt), DateTime.formatIso(session.expireAt))
 * // 2026-05-13T09:30:00.000Z 2026-05-20T00:00:00.000Z
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SessionsTestTime = DateTime.DateTime | Date | number

/**
 * The fields of a `Session` fixture ({@link SessionsTest}`.session`), each optional;
 * timestamps may be `DateTime`s, `Date`s or epoch millis. What is left out takes Clerk-like
 * defaults.
 *
 * @example
 * ```ts
 * import { SessionsTest, type SessionFixture } from "effect-clerk/testing"
 *
 * const phone: SessionFixture = {
 *   id: "sess_phone",
 *   userId: "user_1",
 *   status: "ended",
 *   latestActivity: { isMobile: true, browserName: "Safari" }
 * }
 *
 * const session = SessionsTest.session(phone)
 * console.log(session.status, session.clientId, session.latestActivity?.browserName) // ended client_test Safari
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface SessionFixture {
  readonly id?: string | undefined
  readonly userId?: string | undefined
  readonly clientId?: string | undefined
  readonly status?: Session["status"] | undefined
  readonly actor?: Session["actor"] | undefined
  readonly lastActiveOrganizationId?: string | undefined
  readonly lastActiveAt?: SessionsTestTime | undefined
  /** A `SessionActivity` or its fields (`id` and `isMobile` default to `sess_activity_test`, `false`). */
  readonly latestActivity?: SessionActivity | Partial<SessionActivity> | undefined
  readonly expireAt?: SessionsTestTime | undefined
  readonly abandonAt?: SessionsTestTime | undefined
  readonly updatedAt?: SessionsTestTime | undefined
  readonly createdAt?: SessionsTestTime | undefined
  readonly tasks?: Session["tasks"] | undefined
}

/** When fixtures are created unless told otherwise: the spec's version date, 2026-05-12T00:00:00Z. */
const FIXTURE_EPOCH = Date.UTC(2026, 4, 12)
const DAY = 24 * 60 * 60 * 1000

const utc = (time: SessionsTestTime): DateTime.Utc =>
  DateTime.isDateTime(time) ? DateTime.toUtc(time) : makeUtcUnsafe(time)

const activity = (value: SessionActivity | Partial<SessionActivity>): SessionActivity =>
  value instanceof SessionActivity
    ? value
    : new SessionActivity({ ...value, id: value.id ?? "sess_activity_test", isMobile: value.isMobile ?? false })

/**
 * Stub `Sessions` for application tests, with no Clerk at all: `make` and `layer` build a
 * `Sessions` from the methods your code calls (any other dies, naming itself), and
 * `session`, `sessionList`, `token` and `cookies` build the models with Clerk-like defaults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sessions } from "effect-clerk"
 * import { SessionsTest } from "effect-clerk/testing"
 *
 * // Only the two methods the code under test calls; any other would die, naming itself.
 * const SessionsStub = SessionsTest.layer({
 *   getSessionList: ({ userId } = {}) =>
 *     Effect.succeed(SessionsTest.sessionList([SessionsTest.session({ id: "sess_laptop", userId })])),
 *   revokeSession: (id) => Effect.succeed(SessionsTest.session({ id, status: "revoked" }))
 * })
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* Sessions
 *   const page = yield* sessions.getSessionList({ userId: "user_1", status: "active" })
 *   const revoked = yield* Effect.forEach(page.data, (session) => sessions.revokeSession(session.id))
 *   return revoked.map((session) => `${session.id} ${session.status}`)
 * }).pipe(Effect.provide(SessionsStub))
 *
 * Effect.runPromise(program).then(console.log) // [ 'sess_laptop revoked' ]
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export const SessionsTest = {
  /**
   * A `Sessions` service from `partial`; every method not given dies with
   * `"SessionsTest: <method> was not stubbed"` when its effect (or stream) runs.
   * Given only `getSessionList`, `listAll` pages through it (page size `limit`, default 100,
   * until a short page or `totalCount`); given only `listAll`, `getSessionList` cuts one page
   * (`offset`, `limit`, default 10) out of everything it streams, with that count as
   * `totalCount`.
   *
   * @since 0.1.0
   */
  make: (partial: Partial<Sessions.Service> = {}): Sessions.Service => {
    const service: Record<string, unknown> = {}
    for (const method of METHODS) {
      service[method] = partial[method] ??
        (method === "listAll"
          ? partial.getSessionList !== undefined
            ? listAllFromPages(partial.getSessionList)
            : () => dieStream(notStubbed(method))
          : method === "getSessionList" && partial.listAll !== undefined
          ? pagesFromListAll(partial.listAll)
          : () => dieMessage(notStubbed(method)))
    }
    return Sessions.of(service as unknown as Sessions.Service)
  },

  /**
   * `SessionsTest.make(partial)` as a layer.
   *
   * @since 0.1.0
   */
  layer: (partial: Partial<Sessions.Service> = {}): Layer.Layer<Sessions> =>
    Layer.succeed(Sessions, SessionsTest.make(partial)),

  /**
   * A `Session` with Clerk-like defaults: `sess_test` of `user_test` on `client_test`,
   * `active`, created and last active at 2026-05-12T00:00:00Z, expiring 7 days and abandoned
   * 30 days after creation (Clerk's default lifetimes). `updatedAt` defaults to `lastActiveAt`.
   *
   * @since 0.1.0
   */
  session: (fixture: SessionFixture = {}): Session => {
    const createdAt = utc(fixture.createdAt ?? FIXTURE_EPOCH)
    const lastActiveAt = fixture.lastActiveAt === undefined ? createdAt : utc(fixture.lastActiveAt)
    const created = DateTime.toEpochMillis(createdAt)
    // Absent optional fields are left out, not given as `undefined` (which effect 4's
    // constructor refuses for an optional key), as in a session decoded from the wire.
    return new Session({
      id: fixture.id ?? "sess_test",
      userId: fixture.userId ?? "user_test",
      clientId: fixture.clientId ?? "client_test",
      status: fixture.status ?? "active",
      ...(fixture.actor === undefined ? {} : { actor: fixture.actor }),
      ...(fixture.lastActiveOrganizationId === undefined
        ? {}
        : { lastActiveOrganizationId: fixture.lastActiveOrganizationId }),
      lastActiveAt,
      ...(fixture.latestActivity === undefined ? {} : { latestActivity: activity(fixture.latestActivity) }),
      expireAt: utc(fixture.expireAt ?? created + 7 * DAY),
      abandonAt: utc(fixture.abandonAt ?? created + 30 * DAY),
      updatedAt: fixture.updatedAt === undefined ? lastActiveAt : utc(fixture.updatedAt),
      createdAt,
      ...(fixture.tasks === undefined ? {} : { tasks: fixture.tasks })
    })
  },

  /**
   * A `SessionList` of `sessions`; `totalCount` defaults to their number.
   *
   * @since 0.1.0
   */
  sessionList: (sessions: ReadonlyArray<Session>, totalCount: number = sessions.length): SessionList =>
    new SessionList({ data: sessions, totalCount }),

  /**
   * A `SessionToken` whose `jwt` (kept `Redacted`) defaults to a JWT-shaped placeholder that
   * no verifier accepts; mint real ones with `ClerkEmulator.mintToken`.
   *
   * @since 0.1.0
   */
  token: (fixture: { readonly jwt?: string | Redacted.Redacted<string> | undefined } = {}): SessionToken =>
    new SessionToken({
      object: "token",
      jwt: fixture.jwt === undefined
        ? Redacted.make("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyX3Rlc3QifQ.c2lnbmF0dXJl")
        : Redacted.isRedacted(fixture.jwt)
        ? fixture.jwt
        : Redacted.make(fixture.jwt)
    }),

  /**
   * `SessionCookies` as `refreshSession({ format: "cookie" })` returns them, each `Redacted`.
   *
   * @since 0.1.0
   */
  cookies: (cookies: ReadonlyArray<string>): SessionCookies =>
    new SessionCookies({ object: "cookies", cookies: cookies.map((cookie) => Redacted.make(cookie)) })
}
