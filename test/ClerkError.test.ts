import { causeOf } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { Sessions } from "../src/Sessions.js"
import { json, mockSessions, type Reply } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

const SID = "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S"

/** Call `f` once over a mock that answers `reply`, with retries off; return the failure. */
const failure = (reply: Reply, f: (s: Sessions.Service) => Effect.Effect<unknown, unknown>) => {
  const mock = mockSessions([reply], { retry: false })
  return Effect.flatMap(Sessions, f).pipe(
    Effect.exit,
    Effect.map((exit) => {
      if (Exit.isSuccess(exit)) throw new Error("expected a failure")
      const cause = causeOf(exit.cause)
      if (cause._tag !== "Fail") throw new Error(`expected a typed failure, got ${cause._tag}`)
      return { error: cause.error as any, requests: mock.recorded }
    }),
    Effect.provide(mock.layer)
  )
}

const clerkErrors = (code: string, traceId?: string) => ({
  errors: [
    { message: `short ${code}`, long_message: `long ${code}`, code, meta: { param_name: "x" } },
    { message: "second", long_message: "second long", code: "other_code" }
  ],
  ...(traceId === undefined ? {} : { clerk_trace_id: traceId })
})

describe("status → tag", () => {
  const table: ReadonlyArray<readonly [number, string, (s: Sessions.Service) => Effect.Effect<unknown, unknown>]> = [
    [400, "ClerkBadRequest", (s) => s.getSession(SID)],
    [401, "ClerkUnauthorized", (s) => s.getSession(SID)],
    [404, "ClerkNotFound", (s) => s.getSession(SID)],
    [410, "ClerkGone", (s) => s.verifySession(SID)],
    [422, "ClerkUnprocessableEntity", (s) => s.getSessionList({ userId: "u" })],
    [422, "ClerkUnprocessableEntity", (s) => s.createSession({ userId: "u" })],
    [404, "ClerkNotFound", (s) => s.createSessionTokenFromTemplate(SID, "t")],
    [401, "ClerkUnauthorized", (s) => s.refreshSession(SID, { expiredToken: "e", refreshToken: "r", requestOrigin: "o" })],
    [429, "ClerkRateLimited", (s) => s.getSession(SID)],
    [500, "ClerkServerError", (s) => s.getSession(SID)],
    [502, "ClerkServerError", (s) => s.createSessionToken(SID)],
    [503, "ClerkServerError", (s) => s.revokeSession(SID)],
    [504, "ClerkServerError", (s) => s.getSessionList({ userId: "u" })],
    // Statuses the operation does not declare become ClerkUnexpectedStatus, keeping the type honest.
    [403, "ClerkUnexpectedStatus", (s) => s.getSession(SID)],
    [409, "ClerkUnexpectedStatus", (s) => s.createSession({ userId: "u" })],
    [410, "ClerkUnexpectedStatus", (s) => s.getSession(SID)],
    [400, "ClerkUnexpectedStatus", (s) => s.createSessionToken(SID)],
    [404, "ClerkUnexpectedStatus", (s) => s.refreshSession(SID, { expiredToken: "e", refreshToken: "r", requestOrigin: "o" })],
    [418, "ClerkUnexpectedStatus", (s) => s.getSession(SID)],
    [302, "ClerkUnexpectedStatus", (s) => s.getSession(SID)]
  ]
  for (const [status, tag, call] of table) {
    it.effect(`${status} → ${tag} (${call.toString().match(/s\.(\w+)/)?.[1]})`, () =>
      Effect.gen(function*() {
        const { error } = yield* failure(json(clerkErrors(`code_${status}`, "trace_abc"), status), call)
        expect(error._tag).toBe(tag)
        expect(error.status).toBe(status)
        expect(error.clerkTraceId).toBe("trace_abc")
        expect(error.errors.map((e: any) => [e.code, e.message, e.longMessage, e.meta])).toEqual([
          [`code_${status}`, `short code_${status}`, `long code_${status}`, { param_name: "x" }],
          ["other_code", "second", "second long", undefined]
        ])
        expect(error.message).toContain(`(${status})`)
        expect(error.message).toContain(`code_${status}: long code_${status}`)
        expect(error.message).toContain("trace_abc")
      }))
  }
})

describe("Clerk's real error bodies", () => {
  it.effect("404 session not found keeps code, messages and trace id", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(json(sample("error_404_session_not_found"), 404), (s) => s.getSession(SID))
      expect(error._tag).toBe("ClerkNotFound")
      expect(error.errors[0].code).toBe("resource_not_found")
      expect(error.errors[0].message).toBe("Session not found")
      expect(error.errors[0].longMessage).toBe(`No session was found with id ${SID}`)
      expect(error.clerkTraceId).toBe("0123456789abcdef0123456789abcdef")
      expect(error.message).toBe(
        `Clerk not found (404): resource_not_found: No session was found with id ${SID} [trace 0123456789abcdef0123456789abcdef]`
      )
    }))

  it.effect("404 JWT template not found", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json(sample("error_404_jwt_template_not_found"), 404),
        (s) => s.createSessionTokenFromTemplate(SID, "custom_hasura")
      )
      expect(error._tag).toBe("ClerkNotFound")
      expect(error.errors[0].longMessage).toBe("No JWT template exists with name: custom_hasura")
    }))

  it.effect("401 invalid secret key", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(json(sample("error_401_invalid_secret_key"), 401), (s) => s.revokeSession(SID))
      expect(error._tag).toBe("ClerkUnauthorized")
      expect(error.errors[0].code).toBe("clerk_key_invalid")
    }))

  it.effect("422 keeps meta.param_name", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json(sample("error_422_invalid_param"), 422),
        (s) => s.getSessionList({ userId: "u" })
      )
      expect(error._tag).toBe("ClerkUnprocessableEntity")
      expect(error.errors[0].meta).toEqual({ param_name: "status" })
    }))

  it.effect("410 on verify is ClerkGone with operation_deprecated", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(json(sample("error_410_verify_deprecated"), 410), (s) => s.verifySession(SID))
      expect(error._tag).toBe("ClerkGone")
      expect(error.errors[0].code).toBe("operation_deprecated")
    }))

  it.effect("429 keeps Retry-After in seconds", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json(sample("error_429_rate_limited"), 429, { "retry-after": "7" }),
        (s) => s.getSession(SID)
      )
      expect(error._tag).toBe("ClerkRateLimited")
      expect(Duration.toMillis(error.retryAfter)).toBe(7000)
      expect(error.errors[0].code).toBe("too_many_requests")
      expect(error.message).toContain("retry after 7s")
    }))

  it.effect("429 keeps Retry-After as an HTTP-date, relative to the Clock", () =>
    Effect.gen(function*() {
      // TestClock starts at epoch 0: an HTTP-date 90 s after it is a 90 s wait.
      const { error } = yield* failure(
        json(sample("error_429_rate_limited"), 429, { "retry-after": new Date(90_000).toUTCString() }),
        (s) => s.getSession(SID)
      )
      expect(Duration.toMillis(error.retryAfter)).toBe(90_000)
    }))

  it.effect("429 without Retry-After has retryAfter undefined", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(json(sample("error_429_rate_limited"), 429), (s) => s.getSession(SID))
      expect(error._tag).toBe("ClerkRateLimited")
      expect(error.retryAfter).toBeUndefined()
    }))
})

describe("trace id and odd bodies", () => {
  it.effect("trace id from x-clerk-trace-id when the body has none", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json(clerkErrors("c"), 404, { "x-clerk-trace-id": "hdr_trace" }),
        (s) => s.getSession(SID)
      )
      expect(error.clerkTraceId).toBe("hdr_trace")
    }))

  it.effect("trace id from cf-ray as a last resort; the body wins over headers", () =>
    Effect.gen(function*() {
      const a = yield* failure(json(clerkErrors("c"), 500, { "cf-ray": "8a1b2c3d4e5f-SJC" }), (s) => s.getSession(SID))
      expect(a.error.clerkTraceId).toBe("8a1b2c3d4e5f-SJC")
      const b = yield* failure(
        json(clerkErrors("c", "body_trace"), 500, { "cf-ray": "ray", "x-clerk-trace-id": "hdr" }),
        (s) => s.getSession(SID)
      )
      expect(b.error.clerkTraceId).toBe("body_trace")
    }))

  it.effect("an HTML 502 from a proxy is still ClerkServerError, with no errors and the cf-ray", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        { status: 502, text: "<html><body><h1>502 Bad Gateway</h1></body></html>", headers: { "content-type": "text/html", "cf-ray": "ray123" } },
        (s) => s.getSession(SID)
      )
      expect(error._tag).toBe("ClerkServerError")
      expect(error.status).toBe(502)
      expect(error.errors).toEqual([])
      expect(error.clerkTraceId).toBe("ray123")
      expect(error.message).toBe("Clerk server error (502) [trace ray123]")
    }))

  it.effect("an empty 401 body is ClerkUnauthorized with no errors", () =>
    Effect.gen(function*() {
      const { error } = yield* failure({ status: 401, text: "" }, (s) => s.getSession(SID))
      expect(error._tag).toBe("ClerkUnauthorized")
      expect(error.errors).toEqual([])
    }))

  it.effect("numeric error codes become strings; entries without a code are dropped", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json({ errors: [{ code: 1234, message: "m" }, { message: "no code" }, "junk"] }, 400),
        (s) => s.getSession(SID)
      )
      expect(error.errors.map((e: any) => e.code)).toEqual(["1234"])
    }))
})

describe("2xx bodies that do not decode → ClerkDecodeError (never a defect)", () => {
  const cases: ReadonlyArray<readonly [string, Reply, RegExp]> = [
    ["truncated JSON", { status: 200, text: `{"object":"session","id":"sess_1","user_` }, /not valid JSON/],
    ["empty body", { status: 200, text: "" }, /empty/],
    ["HTML", { status: 200, text: "<html>oops</html>" }, /not valid JSON/],
    ["wrong shape", json({ object: "session", id: 42 }), /\["id"\]: Expected string/],
    ["missing required field", json({ ...sample("session_get_200"), user_id: undefined }), /\["user_id"\]: is missing/],
    ["null", json(null), /body: Expected/]
  ]
  for (const [name, reply, issue] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const { error } = yield* failure(reply, (s) => s.getSession(SID))
        expect(error._tag).toBe("ClerkDecodeError")
        expect(error.status).toBe(200)
        expect(error.method).toBe("GET")
        expect(error.path).toBe(`/sessions/${SID}`)
        expect(error.issues).toMatch(issue)
      }))
  }

  it.effect("decode issues never quote values (a token body with a bad field)", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(
        json({ object: "nope", jwt: "eyJSECRETTOKENVALUE" }),
        (s) => s.createSessionToken(SID)
      )
      expect(error._tag).toBe("ClerkDecodeError")
      expect(error.issues).toContain(`["object"]`)
      expect(JSON.stringify(error)).not.toContain("eyJSECRETTOKENVALUE")
      expect(error.message).not.toContain("nope")
    }))

  it.effect("an unknown status value still decodes; unknown fields are ignored", () =>
    Effect.gen(function*() {
      const mock = mockSessions([json({ ...sample("session_get_200"), status: "hibernating", brand_new_field: { x: 1 } })])
      const session = yield* Effect.flatMap(Sessions, (s) => s.getSession(SID)).pipe(Effect.provide(mock.layer))
      expect(session.status).toBe("hibernating")
      expect(Object.keys(session)).not.toContain("brand_new_field")
    }))
})
