import { runCollect } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Session, SessionCookies, SessionToken } from "../src/Session.js"
import { Sessions } from "../src/Sessions.js"
import {
  CANARY_SECRET,
  json,
  mockSessions,
  okReply,
  type Recorded,
  type Reply,
  TRANSPORTS,
  type TransportKind
} from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

const SID = "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S"

/** Run `f` against Sessions over a mock transport that answers `replies`; return its result and the requests. */
const sessionsOver = (transport: TransportKind) =>
<A, E>(
  replies: ReadonlyArray<Reply> | ((req: Recorded) => Reply),
  f: (s: Sessions.Service) => Effect.Effect<A, E>
) => {
  const mock = mockSessions(replies, {}, transport)
  return Effect.flatMap(Sessions, f).pipe(
    Effect.map((result) => ({ result, requests: mock.recorded })),
    Effect.provide(mock.layer)
  )
}

const expectCommonHeaders = (req: Recorded) => {
  expect(req.headers.authorization).toBe(`Bearer ${CANARY_SECRET}`)
  expect(req.headers["clerk-api-version"]).toBe("2026-05-12")
  expect(req.headers["user-agent"]).toBe("effect-clerk/0.1.0")
  expect(req.headers.accept).toBe("application/json")
  expect(req.headers.traceparent).toBeUndefined()
  expect(req.headers.b3).toBeUndefined()
  expect(req.url.origin).toBe("https://api.clerk.test")
}

describe.each(TRANSPORTS)("over %s", (transport) => {
  const withSessions = sessionsOver(transport)

  describe("Sessions: every method sends the exact request and decodes the real body", () => {
    it.effect("getSessionList sends paginated=true with the filters and decodes {data,total_count}", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          [json(sample("session_list_200_paginated"))],
          (s) => s.getSessionList({ userId: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S", status: "active", limit: 10, offset: 20 })
        )
        expect(requests).toHaveLength(1)
        const [req] = requests
        expect(req.method).toBe("GET")
        expect(req.path).toBe("/v1/sessions")
        expect(req.query).toEqual({
          user_id: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          status: "active",
          paginated: "true",
          limit: "10",
          offset: "20"
        })
        expect(req.body).toBeUndefined()
        expectCommonHeaders(req)
        const body = sample("session_list_200_paginated")
        expect(result.totalCount).toBe(body.total_count)
        expect(result.data).toHaveLength(body.data.length)
        expect(result.data[0]).toBeInstanceOf(Session)
        expect(result.data[0].id).toBe(body.data[0].id)
        expect(DateTime.toEpochMillis(result.data[0].createdAt)).toBe(body.data[0].created_at)
      }))

    it.effect("getSessionList also accepts the bare-array shape (totalCount = its length)", () =>
      Effect.gen(function*() {
        const body = sample("session_list_200_unpaginated")
        const { requests, result } = yield* withSessions([json(body)], (s) => s.getSessionList({ clientId: "client_1" }))
        expect(requests[0].query).toEqual({ client_id: "client_1", paginated: "true" })
        expect(result.data.map((x) => x.id)).toEqual(body.map((x) => x.id))
        expect(result.totalCount).toBe(body.length)
      }))

    it.effect("getSession: GET /v1/sessions/{id}, every field decoded", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions([json(sample("session_get_200"))], (s) => s.getSession(SID))
        expect(requests[0].method).toBe("GET")
        expect(requests[0].path).toBe(`/v1/sessions/${SID}`)
        expect(requests[0].query).toEqual({})
        expect(requests[0].body).toBeUndefined()
        expectCommonHeaders(requests[0])
        expect(result).toBeInstanceOf(Session)
        expect(result.id).toBe(SID)
        expect(result.userId).toBe("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        expect(result.clientId).toBe("client_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        expect(result.status).toBe("active")
        expect(result.actor).toBeUndefined()
        expect(result.lastActiveOrganizationId).toBe("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        expect(DateTime.formatIso(result.lastActiveAt)).toBe("2024-05-28T08:00:00.000Z")
        expect(DateTime.formatIso(result.expireAt)).toBe("2024-05-29T08:00:00.000Z")
        expect(DateTime.formatIso(result.abandonAt)).toBe("2024-06-27T08:00:00.000Z")
        expect(result.latestActivity?.deviceType).toBe("desktop")
        expect(result.latestActivity?.isMobile).toBe(false)
        expect(result.latestActivity?.browserName).toBe("Chrome")
        expect(result.latestActivity?.ipAddress).toBe("192.168.1.100")
        expect(result.latestActivity?.city).toBe("San Francisco")
        expect(result.tasks).toBeUndefined()
      }))

    it.effect("getSession decodes the real-world body without latest_activity", () =>
      Effect.gen(function*() {
        const { result } = yield* withSessions(
          [json(sample("session_get_200_real_world"))],
          (s) => s.getSession("sess_2wmSnIrq5dtl2HNZf1WfgeHraby")
        )
        expect(result.latestActivity).toBeUndefined()
        expect(DateTime.toEpochMillis(result.lastActiveAt)).toBe(1746645421127)
        expect(DateTime.toEpochMillis(result.updatedAt)).toBe(1746645421195)
      }))

    it.effect("getSession decodes a pending session with tasks and nulls", () =>
      Effect.gen(function*() {
        const { result } = yield* withSessions([json(sample("session_pending_200"))], (s) => s.getSession(SID))
        expect(result.status).toBe("pending")
        expect(result.tasks?.map((t) => t.key)).toEqual(["choose-organization"])
        expect(result.latestActivity).toBeUndefined()
        expect(result.lastActiveOrganizationId).toBeUndefined()
      }))

    it.effect("revokeSession: POST /v1/sessions/{id}/revoke with no body", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions([json(sample("session_revoke_200"))], (s) => s.revokeSession(SID))
        expect(requests[0].method).toBe("POST")
        expect(requests[0].path).toBe(`/v1/sessions/${SID}/revoke`)
        expect(requests[0].body).toBeUndefined()
        expectCommonHeaders(requests[0])
        expect(result.status).toBe("revoked")
      }))

    it.effect("verifySession: POST /v1/sessions/{id}/verify with {token}", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          [json(sample("session_get_200"))],
          (s) => s.verifySession(SID, { token: Redacted.make("eyJ.session.token") })
        )
        expect(requests[0].method).toBe("POST")
        expect(requests[0].path).toBe(`/v1/sessions/${SID}/verify`)
        expect(requests[0].body).toEqual({ token: "eyJ.session.token" })
        expect(requests[0].headers["content-type"]).toBe("application/json")
        expect(result.id).toBe(SID)
      }))

    it.effect("createSessionToken: POST /v1/sessions/{id}/tokens, no body unless expiresInSeconds", () =>
      Effect.gen(function*() {
        const body = sample("token_200_from_template")
        const { requests, result } = yield* withSessions([json(body)], (s) =>
          Effect.all([s.createSessionToken(SID), s.createSessionToken(SID, { expiresInSeconds: 120 })]))
        expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([
          ["POST", `/v1/sessions/${SID}/tokens`, undefined],
          ["POST", `/v1/sessions/${SID}/tokens`, { expires_in_seconds: 120 }]
        ])
        expect(result[0]).toBeInstanceOf(SessionToken)
        expect(result[0].object).toBe("token")
        expect(Redacted.value(result[0].jwt)).toBe(body.jwt)
      }))

    it.effect("createSessionTokenFromTemplate: POST /v1/sessions/{id}/tokens/{template}", () =>
      Effect.gen(function*() {
        const body = sample("token_200_from_template")
        const { requests, result } = yield* withSessions(
          [json(body)],
          (s) => s.createSessionTokenFromTemplate(SID, "custom_hasura", { expiresInSeconds: 30 })
        )
        expect(requests[0].method).toBe("POST")
        expect(requests[0].path).toBe(`/v1/sessions/${SID}/tokens/custom_hasura`)
        expect(requests[0].body).toEqual({ expires_in_seconds: 30 })
        expect(Redacted.value(result.jwt)).toBe(body.jwt)
      }))

    it.effect("a template name with reserved characters is sent as one encoded segment", () =>
      Effect.gen(function*() {
        const { requests } = yield* withSessions(
          [json(sample("token_200_from_template"))],
          (s) => s.createSessionTokenFromTemplate(SID, "a/../b?x=1#frag %")
        )
        expect(requests[0].url.pathname).toBe(`/v1/sessions/${SID}/tokens/a%2F..%2Fb%3Fx%3D1%23frag%20%25`)
        expect(requests[0].url.search).toBe("")
      }))

    it.effect("createSession: POST /v1/sessions with user_id (and active_organization_id)", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions([json(sample("session_get_200"))], (s) =>
          Effect.all([
            s.createSession({ userId: "user_1" }),
            s.createSession({ userId: "user_1", activeOrganizationId: "org_1" })
          ]))
        expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([
          ["POST", "/v1/sessions", { user_id: "user_1" }],
          ["POST", "/v1/sessions", { user_id: "user_1", active_organization_id: "org_1" }]
        ])
        expect(result[0].status).toBe("active")
      }))

    it.effect("refreshSession: token format", () =>
      Effect.gen(function*() {
        const body = sample("token_200_from_template")
        const { requests, result } = yield* withSessions([json(body)], (s) =>
          s.refreshSession(SID, {
            expiredToken: Redacted.make("expired.jwt.value"),
            refreshToken: "refresh_abc",
            requestOrigin: "https://app.example.com",
            requestHeaders: { "user-agent": "Mozilla/5.0", cookie: ["a=1", "b=2"] },
            format: "token",
            requestOriginatingIp: "203.0.113.7"
          }))
        expect(requests[0].method).toBe("POST")
        expect(requests[0].path).toBe(`/v1/sessions/${SID}/refresh`)
        expect(requests[0].body).toEqual({
          expired_token: "expired.jwt.value",
          refresh_token: "refresh_abc",
          request_origin: "https://app.example.com",
          request_headers: { "user-agent": "Mozilla/5.0", cookie: ["a=1", "b=2"] },
          format: "token",
          request_originating_ip: "203.0.113.7"
        })
        expect(result).toBeInstanceOf(SessionToken)
        expect(Redacted.value((result as SessionToken).jwt)).toBe(body.jwt)
      }))

    it.effect("refreshSession: cookie format decodes SessionCookies with redacted cookies", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions([json(sample("refresh_200_cookie_format"))], (s) =>
          s.refreshSession(SID, {
            expiredToken: "e",
            refreshToken: "r",
            requestOrigin: "https://app.example.com",
            format: "cookie"
          }))
        expect(requests[0].body).toEqual({
          expired_token: "e",
          refresh_token: "r",
          request_origin: "https://app.example.com",
          format: "cookie"
        })
        expect(result).toBeInstanceOf(SessionCookies)
        const cookies = (result as SessionCookies).cookies
        expect(cookies.map(Redacted.value)).toEqual(["__session=eyJ...; Path=/; Secure; SameSite=Lax"])
        expect(String(cookies[0])).not.toContain("__session")
      }))
  })

  describe("Sessions.listAll", () => {
    const page = (ids: ReadonlyArray<string>, total: number | undefined) => {
      const base = sample("session_get_200")
      const data = ids.map((id) => ({ ...base, id }))
      return total === undefined ? data : { data, total_count: total }
    }

    it.effect("pages with limit/offset until total_count", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          (req) => {
            const offset = Number(req.query.offset ?? 0)
            const all = ["s1", "s2", "s3", "s4", "s5"]
            return json(page(all.slice(offset, offset + 2), all.length))
          },
          (s) => runCollect(s.listAll({ userId: "user_1", limit: 2 }))
        )
        expect(result.map((x) => x.id)).toEqual(["s1", "s2", "s3", "s4", "s5"])
        expect(requests.map((r) => r.query)).toEqual([
          { user_id: "user_1", paginated: "true", limit: "2" },
          { user_id: "user_1", paginated: "true", limit: "2", offset: "2" },
          { user_id: "user_1", paginated: "true", limit: "2", offset: "4" }
        ])
      }))

    it.effect("stops exactly at total_count when the last page is full", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          (req) => {
            const offset = Number(req.query.offset ?? 0)
            return json(page(["a", "b", "c", "d"].slice(offset, offset + 2), 4))
          },
          (s) => runCollect(s.listAll({ userId: "u", limit: 2 }))
        )
        expect(result.length).toBe(4)
        expect(requests).toHaveLength(2)
      }))

    it.effect("with the bare-array shape, stops at the first short page", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          (req) => {
            const offset = Number(req.query.offset ?? 0)
            return json(page(["a", "b", "c"].slice(offset, offset + 2), undefined))
          },
          (s) => runCollect(s.listAll({ userId: "u", limit: 2 }))
        )
        expect(result.map((x) => x.id)).toEqual(["a", "b", "c"])
        expect(requests).toHaveLength(2)
      }))

    it.effect("uses a page size of 100 by default and stops on an empty first page", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* withSessions(
          [json({ data: [], total_count: 0 })],
          (s) => runCollect(s.listAll({ userId: "u" }))
        )
        expect(result.length).toBe(0)
        expect(requests.map((r) => r.query.limit)).toEqual(["100"])
      }))

    it.effect("a failing page fails the stream with the typed error", () =>
      Effect.gen(function*() {
        const { result } = yield* withSessions(
          (req) =>
            req.query.offset === "2"
              ? json(sample("error_422_invalid_param"), 422)
              : json(page(["a", "b"], 10)),
          (s) => runCollect(s.listAll({ userId: "u", limit: 2 })).pipe(Effect.flip)
        )
        expect(result._tag).toBe("ClerkUnprocessableEntity")
      }))
  })
})

describe("every method sends the same bytes over both transports", () => {
  const calls: ReadonlyArray<readonly [string, (s: Sessions.Service) => Effect.Effect<unknown, unknown>]> = [
    ["getSessionList", (s) => s.getSessionList({ userId: "user a+b/é", clientId: "client 😀", status: "revoked", limit: 5, offset: 7 })],
    ["listAll", (s) => Stream.runDrain(Stream.take(s.listAll({ userId: "user a+b", limit: 1 }), 2))],
    ["getSession", (s) => s.getSession("sess é/1")],
    ["revokeSession", (s) => s.revokeSession(SID)],
    ["verifySession", (s) => s.verifySession(SID, { token: Redacted.make("tok \"ü\" </script> 😀") })],
    ["createSessionToken", (s) => s.createSessionToken(SID, { expiresInSeconds: 60 })],
    ["createSessionTokenFromTemplate", (s) => s.createSessionTokenFromTemplate(SID, "tmpl ü+/")],
    ["createSession", (s) => s.createSession({ userId: "user_1", activeOrganizationId: "org é" })],
    ["refreshSession", (s) =>
      s.refreshSession(SID, {
        expiredToken: "e",
        refreshToken: "r",
        requestOrigin: "https://app.example",
        requestHeaders: { "x-ü": ["1", "2"] },
        format: "cookie"
      })]
  ]
  for (const [name, call] of calls) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const [viaHttpClient, viaFetch] = yield* Effect.forEach(TRANSPORTS, (transport) =>
          Effect.map(sessionsOver(transport)(okReply, call), ({ requests }) => requests))
        expect(viaFetch.length).toBeGreaterThan(0)
        expect(viaFetch).toHaveLength(viaHttpClient.length)
        viaHttpClient.forEach((a, i) => {
          const b = viaFetch[i]
          expect(b.method).toBe(a.method)
          expect(b.url.href).toBe(a.url.href)
          expect(b.bodyText).toBe(a.bodyText)
          // The HttpClient path names the body's length; fetch computes it from the body.
          const { "content-length": length, ...headers } = a.headers
          expect(b.headers).toEqual(headers)
          expect(length).toBe(a.bodyText === undefined ? undefined : String(new TextEncoder().encode(a.bodyText).length))
          expectCommonHeaders(b)
          expect(b.headers["content-type"]).toBe(b.bodyText === undefined ? undefined : "application/json")
        })
      }))
  }
})
