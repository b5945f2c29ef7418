import * as Kernel from "#line/Kernel"
import { causeOf, httpSpanName, isHttpSpanName, LINE, prettyCause, tapErrorCause, TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { SessionToken } from "../src/Session.js"
import { Sessions } from "../src/Sessions.js"
import { CANARY_SECRET, json, mockSessions, type Reply, TRANSPORTS } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"
import { makeRecorder } from "./support/TestTracer.js"

const SID = "sess_canary"
const CANARY_SESSION_TOKEN = "eyJhbGciOiJSUzI1NiJ9.CANARY_SESSION_TOKEN.sig"
const CANARY_REFRESH_TOKEN = "CANARY_REFRESH_TOKEN_9f8e7d"
const CANARY_JWT = "eyJhbGciOiJSUzI1NiJ9.CANARY_MINTED_JWT.sig"
const canaries = [CANARY_SECRET, CANARY_SESSION_TOKEN, CANARY_REFRESH_TOKEN, CANARY_JWT, "CANARY"]

type Call = (s: Sessions.Service) => Effect.Effect<unknown, unknown>
const refresh: Call = (s) =>
  s.refreshSession(SID, {
    expiredToken: Redacted.make(CANARY_SESSION_TOKEN),
    refreshToken: CANARY_REFRESH_TOKEN,
    requestOrigin: "https://app.example"
  })
const verify: Call = (s) => s.verifySession(SID, { token: CANARY_SESSION_TOKEN })
const mint: Call = (s) => s.createSessionToken(SID)

const failures: ReadonlyArray<readonly [string, Reply, Call]> = [
  ["401 on getSession", json(sample("error_401_invalid_secret_key"), 401), (s) => s.getSession(SID)],
  ["404 on refresh", json(sample("error_404_session_not_found"), 404), refresh],
  ["401 on refresh", json(sample("error_401_invalid_secret_key"), 401), refresh],
  ["410 on verify", json(sample("error_410_verify_deprecated"), 410), verify],
  ["429 on verify", json(sample("error_429_rate_limited"), 429, { "retry-after": "1" }), verify],
  ["HTML 502 on mint", { status: 502, text: "<html>bad gateway</html>" }, mint],
  ["truncated token body", { status: 200, text: `{"object":"token","jwt":"${CANARY_JWT}` }, mint],
  ["wrong-shape token body", json({ object: 7, jwt: CANARY_JWT }), mint],
  ["wrong-shape refresh body", json({ object: "cookies", cookies: CANARY_JWT }), refresh],
  ["transport error on refresh", { transportError: "socket hang up" }, refresh],
  ["hang on verify (timeout)", { hang: true }, verify],
  ["invalid input on refresh", json(sample("session_get_200")), (s) =>
    s.refreshSession(SID, {
      expiredToken: Redacted.make(CANARY_SESSION_TOKEN),
      refreshToken: CANARY_REFRESH_TOKEN,
      requestOrigin: ""
    })]
]

const expectClean = (text: string, what: string) => {
  for (const canary of canaries) {
    if (text.includes(canary)) { const i = text.indexOf(canary); throw new Error(`${what} contains the canary ${canary}: ...${text.slice(Math.max(0, i - 400), i + 100)}`) }
  }
}

describe.each(TRANSPORTS)("over %s", (transport) => {
  describe("secret canary: no secret in errors, causes, spans or logs", () => {
    for (const [name, reply, call] of failures) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const recorder = makeRecorder()
          const mock = mockSessions([reply], {}, transport)
          const fiber = yield* Kernel.fork(
            Effect.flatMap(Sessions, call).pipe(
              tapErrorCause((cause) => Effect.logError("call failed", cause)),
              Effect.exit,
              Effect.provide(Layer.merge(mock.layer, recorder.layer))
            )
          )
          yield* TestClock.adjust("5 minutes")
          const exit = yield* Fiber.join(fiber)
          expect(Exit.isFailure(exit)).toBe(true)
          if (!Exit.isFailure(exit)) return
          const error = Cause.squash(exit.cause) as Error
          expect(causeOf(exit.cause)._tag).toBe("Fail")
          expectClean(String(error), "String(error)")
          expectClean(JSON.stringify(error), "JSON.stringify(error)")
          expectClean(error.message, "error.message")
          expectClean(inspect(error, { depth: 10 }), "inspect(error)")
          expectClean(prettyCause(exit.cause), "Cause.pretty")
          expectClean(recorder.dump(), "spans/logs")
          // The recorder really captured the failing span and the log line.
          expect(recorder.spans.some((s) => s.name.startsWith("Sessions.") && s.exit && Exit.isFailure(s.exit))).toBe(true)
          expect(recorder.logs.some((l) => l.includes("call failed"))).toBe(true)
          // The request really carried the secrets, so the test is not vacuous.
          if (mock.recorded.length > 0) expect(mock.recorded[0].headers.authorization).toBe(`Bearer ${CANARY_SECRET}`)
        }))
    }

    it.effect("a minted token, logged and traced on success, prints as <redacted>", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const mock = mockSessions([json({ object: "token", jwt: CANARY_JWT })], {}, transport)
        const token = yield* Effect.flatMap(Sessions, (s) => s.createSessionToken(SID)).pipe(
          Effect.tap((t) => Effect.log("minted", t)),
          Effect.provide(Layer.merge(mock.layer, recorder.layer))
        )
        expect(token).toBeInstanceOf(SessionToken)
        expect(Redacted.value(token.jwt)).toBe(CANARY_JWT)
        expectClean(String(token), "String(token)")
        expectClean(JSON.stringify(token), "JSON.stringify(token)")
        expectClean(inspect(token, { depth: 10 }), "inspect(token)")
        expectClean(String(token.jwt), "String(jwt)")
        expectClean(`${token.jwt}`, "template string")
        expectClean(recorder.dump(), "spans/logs")
        expect(recorder.logs.some((l) => l.includes("minted"))).toBe(true)
        expect(String(token.jwt)).toBe("<redacted>")
      }))
  })

  describe("spans", () => {
    it.effect("each method has a span named after it carrying the session id; the HTTP span (HttpClient only) is its child", () =>
      Effect.gen(function*() {
        const recorder = makeRecorder()
        const mock = mockSessions((req) =>
          req.path.endsWith("/tokens") || req.path.includes("/tokens/")
            ? json({ object: "token", jwt: CANARY_JWT })
            : req.path === "/v1/sessions" && req.method === "GET"
            ? json(sample("session_list_200_paginated"))
            : json(sample("session_get_200"))
        , {}, transport)
        yield* Effect.gen(function*() {
          const s = yield* Sessions
          yield* s.getSession(SID)
          yield* s.revokeSession(SID)
          yield* s.verifySession(SID)
          yield* s.createSessionToken(SID)
          yield* s.createSessionTokenFromTemplate(SID, "tmpl")
          yield* s.createSession({ userId: "user_1" })
          yield* s.getSessionList({ userId: "user_1" })
        }).pipe(Effect.provide(Layer.merge(mock.layer, recorder.layer)))
        const byName = (name: string) => recorder.spans.find((s) => s.name === name)!
        for (
          const name of [
            "Sessions.getSession",
            "Sessions.revokeSession",
            "Sessions.verifySession",
            "Sessions.createSessionToken",
            "Sessions.createSessionTokenFromTemplate"
          ]
        ) {
          expect(byName(name).attributes.get("clerk.session_id")).toBe(SID)
          expect(byName(name).exit && Exit.isSuccess(byName(name).exit!)).toBe(true)
        }
        expect(byName("Sessions.createSessionTokenFromTemplate").attributes.get("clerk.template")).toBe("tmpl")
        expect(byName("Sessions.createSession").attributes.get("clerk.user_id")).toBe("user_1")
        expect(byName("Sessions.getSessionList").attributes.get("clerk.user_id")).toBe("user_1")
        const operations = [
          "Sessions.getSession",
          "Sessions.revokeSession",
          "Sessions.verifySession",
          "Sessions.createSessionToken",
          "Sessions.createSessionTokenFromTemplate",
          "Sessions.createSession",
          "Sessions.getSessionList"
        ]
        const http = recorder.spans.filter((s) => isHttpSpanName(s.name))
        if (transport === "httpClient") {
          // The platform HttpClient opens an `http.client` span under each operation's span.
          expect(http.length).toBe(7)
          expect(http.every((s) => s.parent?.startsWith("Sessions."))).toBe(true)
          // effect 3 records request headers on the span, the key as <redacted>; effect 4 records no
          // header unless a TracerHeaderFilter asks for it.
          expect(http[0].attributes.get("http.request.header.authorization")).toBe(LINE === "effect3" ? "<redacted>" : undefined)
          const methods = ["GET", "POST", "POST", "POST", "POST", "POST", "GET"]
          expect(recorder.spans.map((s) => s.name)).toEqual(
            operations.flatMap((name, i) => [name, httpSpanName(methods[i]!)])
          )
          expect(mock.recorded.map((r) => r.spans.map((s) => s.name))).toEqual(
            operations.map((name, i) => [httpSpanName(methods[i]!), name])
          )
        } else {
          // fetch: no HttpClient, so no `http.client` span; each request is sent inside its operation's span.
          expect(http).toEqual([])
          expect(recorder.spans.map((s) => s.name)).toEqual(operations)
          expect(mock.recorded.map((r) => r.spans.map((s) => s.name))).toEqual(operations.map((name) => [name]))
        }
        // Each request was sent inside its own operation's span (the outermost one).
        expect(mock.recorded.map((r) => r.spans.at(-1)!.name)).toEqual(operations)
        expect(mock.recorded.map((r) => r.spans.at(-1)!.attributes.get("clerk.session_id"))).toEqual(
          [SID, SID, SID, SID, SID, undefined, undefined]
        )
        expectClean(recorder.dump(), "spans")
      }))
  })
})
