/**
 * Every emulator route and error body, checked against Clerk's OpenAPI excerpt with ajv:
 * for each response the spec declares, the body must validate against the declared schema;
 * a status the spec does not declare (e.g. 401 on /jwks) must still be a valid `ClerkErrors`.
 */
import { TestClock } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ClerkEmulator, type ClerkEmulatorOptions, Fault } from "../../src/testing/index.js"
import {
  call,
  type CallOptions,
  componentValidator,
  declaredValidator,
  errorsOf,
  NOW,
  paginatedListValidator,
  type RawResponse,
  samples
} from "./support.js"

const SPEC_PATHS: Record<string, string> = {
  "GET /v1/sessions": "/sessions",
  "POST /v1/sessions": "/sessions",
  "GET /v1/jwks": "/jwks"
}

/** The spec path of a concrete request path. */
const specPath = (method: string, path: string): string => {
  const known = SPEC_PATHS[`${method} ${path.split("?")[0]}`]
  if (known !== undefined) return known
  return path.split("?")[0]
    .replace(/^\/v1/, "")
    .replace(/^\/sessions\/[^/]+\/tokens\/[^/]+$/, "/sessions/{session_id}/tokens/{template_name}")
    .replace(/^\/sessions\/[^/]+(\/[a-z]+)?$/, (_, rest) => `/sessions/{session_id}${rest ?? ""}`)
}

/**
 * Send, then check the body: against the spec's declared schema for this status when there
 * is one (`declared: true` demands that), else against `ClerkErrors`.
 */
const send = (
  emulator: ClerkEmulator.Service,
  method: string,
  path: string,
  options: CallOptions & { readonly declared?: boolean; readonly paginated?: boolean } = {}
) =>
  Effect.gen(function*() {
    const response = yield* call(emulator, method, path, options)
    expect(response.headers.get("content-type")).toContain("application/json")
    if (options.paginated === true) {
      const ok = paginatedListValidator(response.json)
      expect(ok, errorsOf(paginatedListValidator)).toBe(true)
      return response
    }
    const validate = declaredValidator(method, specPath(method, path), response.status)
    if (options.declared !== false) {
      expect(validate, `the spec declares ${response.status} for ${method} ${specPath(method, path)}`).toBeDefined()
    }
    const validator = validate ?? componentValidator("ClerkErrors")
    expect(validator(response.json), errorsOf(validator)).toBe(true)
    return response
  })

const expectError = (response: RawResponse, status: number, code: string, paramName?: string) => {
  expect(response.status).toBe(status)
  expect(response.json.errors).toHaveLength(1)
  expect(response.json.errors[0].code).toBe(code)
  expect(response.json.errors[0].message.length).toBeGreaterThan(0)
  expect(response.json.errors[0].long_message.length).toBeGreaterThan(0)
  expect(response.json.clerk_trace_id).toMatch(/^[0-9a-f]{32}$/)
  if (paramName !== undefined) expect(response.json.errors[0].meta).toEqual({ param_name: paramName })
}

/** A fresh emulator at NOW with user_a (3 sessions on 2 clients) and user_b (1 session). */
const withSeeded = <A, E>(
  f: (emulator: ClerkEmulator.Service) => Effect.Effect<A, E>,
  options: ClerkEmulatorOptions = {}
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const emulator = yield* ClerkEmulator.make(options)
    yield* emulator.seedSession({
      id: "sess_a1",
      userId: "user_a",
      clientId: "client_1",
      createdAt: NOW - 3000,
      device: { deviceType: "desktop", isMobile: false, browserName: "Chrome", city: "Oslo", country: "NO" }
    })
    yield* emulator.seedSession({ id: "sess_a2", userId: "user_a", clientId: "client_1", createdAt: NOW - 2000, status: "ended" })
    yield* emulator.seedSession({ id: "sess_a3", userId: "user_a", clientId: "client_2", createdAt: NOW - 1000 })
    yield* emulator.seedSession({ id: "sess_b1", userId: "user_b", createdAt: NOW - 500 })
    yield* emulator.seedTemplate({ name: "hasura", claims: { role: "user" } })
    return yield* f(emulator)
  })

describe("GET /v1/sessions", () => {
  it.effect("answers a bare Session[] without paginated, newest first, filtered by user_id", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const response = yield* send(emulator, "GET", "/v1/sessions?user_id=user_a")
        expect(response.status).toBe(200)
        expect(response.json.map((s: any) => s.id)).toEqual(["sess_a3", "sess_a2", "sess_a1"])
        // Lists carry latest_activity (null when the session has none).
        expect(response.json[2].latest_activity).toEqual({
          object: "session_activity",
          id: expect.stringMatching(/^sess_activity_/),
          device_type: "desktop",
          is_mobile: false,
          browser_name: "Chrome",
          city: "Oslo",
          country: "NO"
        })
        expect(response.json[0].latest_activity).toBeNull()
      })
    ))

  it.effect("answers {data,total_count} with paginated=true; limit/offset page it and total_count counts all", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const page = yield* send(emulator, "GET", "/v1/sessions?user_id=user_a&paginated=true&limit=2&offset=1", {
          paginated: true
        })
        expect(page.status).toBe(200)
        expect(page.json.total_count).toBe(3)
        expect(page.json.data.map((s: any) => s.id)).toEqual(["sess_a2", "sess_a1"])
        const all = yield* send(emulator, "GET", "/v1/sessions?paginated=true", { paginated: true })
        expect(all.json.total_count).toBe(4)
        expect(all.json.data.map((s: any) => s.id)).toEqual(["sess_b1", "sess_a3", "sess_a2", "sess_a1"])
        const paginatedFalse = yield* send(emulator, "GET", "/v1/sessions?user_id=user_b&paginated=false")
        expect(paginatedFalse.json.map((s: any) => s.id)).toEqual(["sess_b1"])
      })
    ))

  it.effect("filters by client_id and status, and defaults to 10 per page", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const byClient = yield* send(emulator, "GET", "/v1/sessions?client_id=client_1")
        expect(byClient.json.map((s: any) => s.id)).toEqual(["sess_a2", "sess_a1"])
        const ended = yield* send(emulator, "GET", "/v1/sessions?user_id=user_a&status=ended")
        expect(ended.json.map((s: any) => s.id)).toEqual(["sess_a2"])
        const active = yield* send(emulator, "GET", "/v1/sessions?user_id=user_a&client_id=client_1&status=active")
        expect(active.json.map((s: any) => s.id)).toEqual(["sess_a1"])
        for (let i = 0; i < 12; i++) yield* emulator.seedSession({ userId: "user_c" })
        const firstPage = yield* send(emulator, "GET", "/v1/sessions?user_id=user_c&paginated=true", { paginated: true })
        expect(firstPage.json.data).toHaveLength(10)
        expect(firstPage.json.total_count).toBe(12)
      })
    ))

  it.effect("answers 422 form_param_value_invalid naming the parameter for limit 0 / 501 / abc, offset -1, a bad status", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        for (
          const [query, param] of [
            ["limit=0", "limit"],
            ["limit=501", "limit"],
            ["limit=abc", "limit"],
            ["limit=2.5", "limit"],
            ["offset=-1", "offset"],
            ["status=bogus", "status"],
            ["status=pending", "status"],
            ["paginated=maybe", "paginated"]
          ] as const
        ) {
          const response = yield* send(emulator, "GET", `/v1/sessions?user_id=user_a&${query}`)
          expectError(response, 422, "form_param_value_invalid", param)
        }
        // The exact body of sample error_422_invalid_param, apart from the trace id.
        const bogus = yield* send(emulator, "GET", "/v1/sessions?status=bogus")
        expect(bogus.json.errors).toEqual(samples.error_422_invalid_param.body.errors)
        // The limits themselves are fine.
        expect((yield* send(emulator, "GET", "/v1/sessions?limit=1")).status).toBe(200)
        expect((yield* send(emulator, "GET", "/v1/sessions?limit=500")).status).toBe(200)
        expect((yield* send(emulator, "GET", "/v1/sessions?offset=0")).status).toBe(200)
      })
    ))
})

describe("authentication (every route)", () => {
  const routes: ReadonlyArray<readonly [string, string, unknown?]> = [
    ["GET", "/v1/sessions"],
    ["POST", "/v1/sessions", { user_id: "user_a" }],
    ["GET", "/v1/sessions/sess_a1"],
    ["POST", "/v1/sessions/sess_a1/revoke"],
    ["POST", "/v1/sessions/sess_a1/verify", {}],
    ["POST", "/v1/sessions/sess_a1/tokens"],
    ["POST", "/v1/sessions/sess_a1/tokens/hasura"],
    ["POST", "/v1/sessions/sess_a1/refresh", { expired_token: "x", refresh_token: "y", request_origin: "z" }],
    ["GET", "/v1/jwks"]
  ]

  it.effect("401 clerk_key_invalid (the sample body) for an unknown key, 401 for a missing or malformed header", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        for (const [method, path, body] of routes) {
          // /jwks declares no error responses; its 401 is still a ClerkErrors body.
          const declared = path !== "/v1/jwks"
          const wrongKey = yield* send(emulator, method, path, {
            body,
            authorization: "Bearer sk_test_somebody_else",
            declared
          })
          expectError(wrongKey, 401, "clerk_key_invalid")
          expect(wrongKey.json.errors).toEqual(samples.error_401_invalid_secret_key.body.errors)
          const missing = yield* send(emulator, method, path, { body, authorization: null, declared })
          expectError(missing, 401, "authentication_invalid")
          const basic = yield* send(emulator, method, path, { body, authorization: "Basic c2tfdGVzdA==", declared })
          expectError(basic, 401, "authorization_header_format_invalid")
        }
        // Nothing changed: the session was not revoked by the refused requests.
        expect((yield* emulator.getSession("sess_a1"))?.status).toBe("active")
        const log = yield* emulator.requests
        expect(log).toHaveLength(routes.length * 3)
        expect(log.map((r) => r.authorization)).toEqual(routes.flatMap(() => ["invalid", "missing", "invalid"]))
      })
    ))
})

describe("POST /v1/sessions", () => {
  it.effect("200: a new active session on a new client, for a known user (with an active organization)", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedOrganization({ id: "org_1", slug: "acme", members: [{ userId: "user_a", role: "org:admin" }] })
        const response = yield* send(emulator, "POST", "/v1/sessions", {
          body: { user_id: "user_a", active_organization_id: "org_1" }
        })
        expect(response.status).toBe(200)
        expect(response.json).toMatchObject({
          object: "session",
          user_id: "user_a",
          status: "active",
          last_active_organization_id: "org_1",
          created_at: NOW,
          updated_at: NOW,
          last_active_at: NOW,
          expire_at: NOW + 7 * 86_400_000,
          abandon_at: NOW + 30 * 86_400_000
        })
        expect(response.json.id).toMatch(/^sess_[0-9A-Za-z]{27}$/)
        expect(response.json.client_id).toMatch(/^client_[0-9A-Za-z]{27}$/)
        expect((yield* emulator.getSession(response.json.id))?.status).toBe("active")
      })
    ))

  it.effect("400 request_body_invalid for a body that is not a JSON object", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        for (const body of ["{not json", "[1,2]", "\"user_a\"", ""]) {
          const response = yield* send(emulator, "POST", "/v1/sessions", { body })
          expectError(response, 400, "request_body_invalid")
        }
      })
    ))

  it.effect("422 for a missing, mistyped or unknown parameter; 404 for an unknown user or organization", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        expectError(yield* send(emulator, "POST", "/v1/sessions", { body: {} }), 422, "form_param_missing", "user_id")
        expectError(
          yield* send(emulator, "POST", "/v1/sessions", { body: { user_id: 42 } }),
          422,
          "form_param_type_invalid",
          "user_id"
        )
        expectError(
          yield* send(emulator, "POST", "/v1/sessions", { body: { user_id: "user_a", colour: "blue" } }),
          422,
          "form_param_unknown",
          "colour"
        )
        const noUser = yield* send(emulator, "POST", "/v1/sessions", { body: { user_id: "user_nobody" } })
        expectError(noUser, 404, "resource_not_found")
        expect(noUser.json.errors[0].long_message).toBe("No user was found with id user_nobody")
        expectError(
          yield* send(emulator, "POST", "/v1/sessions", { body: { user_id: "user_a", active_organization_id: "org_x" } }),
          404,
          "resource_not_found"
        )
        yield* emulator.seedOrganization({ id: "org_2", slug: "other" })
        expectError(
          yield* send(emulator, "POST", "/v1/sessions", { body: { user_id: "user_a", active_organization_id: "org_2" } }),
          422,
          "form_param_value_invalid",
          "active_organization_id"
        )
        expect((yield* emulator.listSessions)).toHaveLength(4)
      })
    ))

  it.effect("is refused on a production instance with 400 bad_request that says so", () =>
    withSeeded(
      (emulator) =>
        Effect.gen(function*() {
          expect(emulator.production).toBe(true)
          const response = yield* send(emulator, "POST", "/v1/sessions", {
            body: { user_id: "user_a" },
            authorization: "Bearer sk_live_prod"
          })
          expectError(response, 400, "bad_request")
          expect(response.json.errors[0].long_message).toContain("not available for production instances")
          expect((yield* emulator.listSessions)).toHaveLength(4)
        }),
      { secretKey: "sk_live_prod" }
    ))
})

describe("GET /v1/sessions/{session_id}", () => {
  it.effect("200: the Session with every required field in epoch milliseconds, without latest_activity", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const response = yield* send(emulator, "GET", "/v1/sessions/sess_a1")
        expect(response.status).toBe(200)
        expect(response.json).toEqual({
          object: "session",
          id: "sess_a1",
          user_id: "user_a",
          client_id: "client_1",
          actor: null,
          status: "active",
          last_active_organization_id: null,
          last_active_at: NOW - 3000,
          expire_at: NOW - 3000 + 7 * 86_400_000,
          abandon_at: NOW - 3000 + 30 * 86_400_000,
          updated_at: NOW - 3000,
          created_at: NOW - 3000,
          tasks: null
        })
      })
    ))

  it.effect("with latestActivity: 'always', single-session responses carry latest_activity too", () =>
    withSeeded(
      (emulator) =>
        Effect.gen(function*() {
          const response = yield* send(emulator, "GET", "/v1/sessions/sess_a1")
          expect(response.json.latest_activity).toMatchObject({ object: "session_activity", browser_name: "Chrome" })
        }),
      { latestActivity: "always" }
    ))

  it.effect("404 resource_not_found with the sample's message for an unknown session", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const response = yield* send(emulator, "GET", "/v1/sessions/sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        expectError(response, 404, "resource_not_found")
        expect(response.json.errors).toEqual(samples.error_404_session_not_found.body.errors)
      })
    ))

  it.effect("a pending session carries its tasks", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        yield* emulator.seedSession({ id: "sess_p", userId: "user_a", tasks: ["choose-organization"] })
        const response = yield* send(emulator, "GET", "/v1/sessions/sess_p")
        expect(response.json.status).toBe("pending")
        expect(response.json.tasks).toEqual([{ key: "choose-organization" }])
      })
    ))
})

describe("POST /v1/sessions/{session_id}/revoke", () => {
  it.effect("200: the session, now revoked; revoking again changes nothing; 404 for an unknown one", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        yield* TestClock.adjust("1 minute")
        const first = yield* send(emulator, "POST", "/v1/sessions/sess_a1/revoke")
        expect(first.status).toBe(200)
        expect(first.json.status).toBe("revoked")
        expect(first.json.updated_at).toBe(NOW + 60_000)
        yield* TestClock.adjust("1 minute")
        const again = yield* send(emulator, "POST", "/v1/sessions/sess_a1/revoke")
        expect(again.json).toEqual(first.json)
        const ended = yield* send(emulator, "POST", "/v1/sessions/sess_a2/revoke")
        expect(ended.json.status).toBe("ended")
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_none/revoke"), 404, "resource_not_found")
      })
    ))
})

describe("POST /v1/sessions/{session_id}/verify", () => {
  it.effect("410 operation_deprecated (the sample body), before looking the session up", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const response = yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: "x" } })
        expectError(response, 410, "operation_deprecated")
        expect(response.json.errors).toEqual(samples.error_410_verify_deprecated.body.errors)
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_none/verify", { body: {} }), 410, "operation_deprecated")
      })
    ))

  it.effect("switched to the old behaviour: 200 for its own token, 400 for another's, 404 unknown or inactive", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        yield* emulator.setVerifyEndpoint("legacy")
        const own = yield* emulator.mintToken("sess_a1")
        const ok = yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: own } })
        expect(ok.status).toBe(200)
        expect(ok.json.id).toBe("sess_a1")
        const other = yield* emulator.mintToken("sess_b1")
        expectError(
          yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: other } }),
          400,
          "invalid_session_token"
        )
        expectError(
          yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: "not.a.jwt" } }),
          400,
          "invalid_session_token"
        )
        expectError(
          yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: own, extra: 1 } }),
          400,
          "form_param_unknown",
          "extra"
        )
        yield* TestClock.adjust("2 minutes")
        expectError(
          yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: { token: own } }),
          400,
          "invalid_session_token"
        )
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_none/verify", { body: {} }), 404, "resource_not_found")
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_a2/verify", { body: {} }), 404, "resource_not_found")
        yield* emulator.setVerifyEndpoint("gone")
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_a1/verify", { body: {} }), 410, "operation_deprecated")
      })
    ))
})

describe("POST /v1/sessions/{session_id}/tokens and …/tokens/{template_name}", () => {
  it.effect("200 {object:'token', jwt}; expires_in_seconds sets the lifetime", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const token = yield* send(emulator, "POST", "/v1/sessions/sess_a1/tokens")
        expect(token.status).toBe(200)
        expect(Object.keys(token.json).sort()).toEqual(["jwt", "object"])
        expect(token.json.object).toBe("token")
        expect(token.json.jwt.split(".")).toHaveLength(3)
        // The Token component (used by refresh) is stricter than the inline schema: it holds too.
        expect(componentValidator("Token")(token.json)).toBe(true)
        const longer = yield* send(emulator, "POST", "/v1/sessions/sess_a1/tokens", { body: { expires_in_seconds: 3600 } })
        const payload = JSON.parse(atob(longer.json.jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")))
        expect(payload.exp - payload.iat).toBe(3600)
        const templated = yield* send(emulator, "POST", "/v1/sessions/sess_a1/tokens/hasura", {
          body: { expires_in_seconds: null }
        })
        expect(templated.status).toBe(200)
        expect(templated.json.object).toBe("token")
      })
    ))

  it.effect("404 for an unknown or inactive session and for an unknown template (the sample's message)", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_none/tokens"), 404, "resource_not_found")
        const ended = yield* send(emulator, "POST", "/v1/sessions/sess_a2/tokens")
        expectError(ended, 404, "resource_not_found")
        expect(ended.json.errors[0].long_message).toBe("No active session was found with id sess_a2")
        expectError(yield* send(emulator, "POST", "/v1/sessions/sess_none/tokens/hasura"), 404, "resource_not_found")
        const template = yield* send(emulator, "POST", "/v1/sessions/sess_a1/tokens/custom_hasura")
        expectError(template, 404, "resource_not_found")
        expect(template.json.errors).toEqual(samples.error_404_jwt_template_not_found.body.errors)
      })
    ))

  it.effect("an out-of-range expires_in_seconds is 422, a non-JSON body 400 (statuses the spec leaves undeclared)", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        for (const path of ["/v1/sessions/sess_a1/tokens", "/v1/sessions/sess_a1/tokens/hasura"]) {
          for (const expires of [29, 315360001, 1.5, "60"]) {
            expectError(
              yield* send(emulator, "POST", path, { body: { expires_in_seconds: expires }, declared: false }),
              422,
              "form_param_value_invalid",
              "expires_in_seconds"
            )
          }
          expectError(yield* send(emulator, "POST", path, { body: "{", declared: false }), 400, "request_body_invalid")
        }
      })
    ))
})

describe("POST /v1/sessions/{session_id}/refresh", () => {
  const refreshBody = (emulator: ClerkEmulator.Service, sessionId: string, extra: Record<string, unknown> = {}) =>
    Effect.gen(function*() {
      const session = (yield* emulator.getSession(sessionId))!
      return {
        expired_token: yield* emulator.mintToken(sessionId),
        refresh_token: session.refreshToken,
        request_origin: "http://localhost:3000",
        ...extra
      }
    })

  it.effect("200 Token by default and with format token; 200 Cookies with format cookie", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const body = yield* refreshBody(emulator, "sess_a1")
        yield* TestClock.adjust("5 minutes")
        const token = yield* send(emulator, "POST", "/v1/sessions/sess_a1/refresh", { body })
        expect(token.status).toBe(200)
        expect(token.json.object).toBe("token")
        expect(componentValidator("Token")(token.json)).toBe(true)
        expect((yield* emulator.getSession("sess_a1"))?.lastActiveAt).toBe(NOW + 300_000)
        const explicit = yield* send(emulator, "POST", "/v1/sessions/sess_a1/refresh", {
          body: { ...body, format: "token", request_headers: { origin: ["http://localhost:3000"] }, request_originating_ip: "127.0.0.1" }
        })
        expect(explicit.json.object).toBe("token")
        const cookies = yield* send(emulator, "POST", "/v1/sessions/sess_a1/refresh", { body: { ...body, format: "cookie" } })
        expect(cookies.status).toBe(200)
        expect(cookies.json.object).toBe("cookies")
        expect(componentValidator("Cookies")(cookies.json)).toBe(true)
        expect(cookies.json.cookies[0]).toMatch(/^__session=ey[^;]+; Path=\/; Secure; SameSite=Lax$/)
      })
    ))

  it.effect("400 for a missing, unknown or mistyped field and for a body that is not JSON", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const body = yield* refreshBody(emulator, "sess_a1")
        const path = "/v1/sessions/sess_a1/refresh"
        expectError(yield* send(emulator, "POST", path, { body: "nope" }), 400, "request_body_invalid")
        expectError(yield* send(emulator, "POST", path), 400, "request_body_invalid")
        for (const name of ["expired_token", "refresh_token", "request_origin"]) {
          const { [name]: _, ...rest } = body as Record<string, unknown>
          expectError(yield* send(emulator, "POST", path, { body: rest }), 400, "form_param_missing", name)
        }
        expectError(yield* send(emulator, "POST", path, { body: { ...body, extra: 1 } }), 400, "form_param_unknown", "extra")
        expectError(yield* send(emulator, "POST", path, { body: { ...body, format: "xml" } }), 400, "form_param_value_invalid", "format")
        expectError(yield* send(emulator, "POST", path, { body: { ...body, refresh_token: 7 } }), 400, "form_param_type_invalid", "refresh_token")
      })
    ))

  it.effect("401 with Clerk's refresh codes when the session, token, origin or refresh token do not match", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        const body = yield* refreshBody(emulator, "sess_a1")
        const path = "/v1/sessions/sess_a1/refresh"
        expectError(
          yield* send(emulator, "POST", "/v1/sessions/sess_none/refresh", { body }),
          401,
          "session_refresh_session_not_found"
        )
        expectError(yield* send(emulator, "POST", path, { body: { ...body, expired_token: "a.b.c" } }), 401, "expired_session_token_invalid")
        const template = yield* emulator.mintToken("sess_a1", { template: "hasura" })
        expectError(yield* send(emulator, "POST", path, { body: { ...body, expired_token: template } }), 401, "expired_session_token_missing_sid")
        const other = yield* emulator.mintToken("sess_b1")
        expectError(yield* send(emulator, "POST", path, { body: { ...body, expired_token: other } }), 401, "refresh_sid_mismatch")
        expectError(
          yield* send(emulator, "POST", path, { body: { ...body, request_origin: "https://evil.example" } }),
          401,
          "refresh_request_origin_azp_mismatch"
        )
        expectError(yield* send(emulator, "POST", path, { body: { ...body, refresh_token: "stolen" } }), 401, "refresh_token_not_found")
        yield* emulator.updateSession("sess_a1", { status: "removed" })
        expectError(yield* send(emulator, "POST", path, { body }), 401, "session_refresh_inactive_session")
      })
    ))
})

describe("GET /v1/jwks", () => {
  it.effect("200: one RS256 key whose kid is the instance id, valid against the JWKS oneOf", () =>
    withSeeded(
      (emulator) =>
        Effect.gen(function*() {
          const response = yield* send(emulator, "GET", "/v1/jwks")
          expect(response.status).toBe(200)
          expect(response.json.keys).toHaveLength(1)
          expect(response.json.keys[0]).toEqual({
            use: "sig",
            kty: "RSA",
            kid: "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD",
            alg: "RS256",
            n: expect.stringMatching(/^[A-Za-z0-9_-]{342}$/),
            e: "AQAB"
          })
          // The same shape as the sample (Clerk's own fixture).
          expect(Object.keys(response.json.keys[0]).sort()).toEqual(Object.keys(samples.jwks_200.body.keys[0]).sort())
        }),
      { instanceId: "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD" }
    ))
})

describe("other answers", () => {
  it.effect("an unknown path or method is a 404 resource_not_found ClerkErrors body", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        for (const [method, path] of [["GET", "/v1/users"], ["DELETE", "/v1/sessions/sess_a1"], ["GET", "/v1/sessions/sess_a1/revoke"]]) {
          const response = yield* send(emulator, method, path, { declared: false })
          expectError(response, 404, "resource_not_found")
        }
        const log = yield* emulator.requests
        expect(log.map((r) => [r.route, r.status])).toEqual([[undefined, 404], [undefined, 404], [undefined, 404]])
      })
    ))

  it.effect("the 429 and 5xx bodies of status faults are ClerkErrors too", () =>
    withSeeded((emulator) =>
      Effect.gen(function*() {
        yield* emulator.injectFault(Fault.rateLimited({ retryAfter: 7 }))
        for (const status of [500, 502, 503, 504]) yield* emulator.injectFault(Fault.status(status))
        const limited = yield* send(emulator, "GET", "/v1/sessions/sess_a1", { declared: false })
        expectError(limited, 429, "too_many_requests")
        expect(limited.headers.get("retry-after")).toBe("7")
        expect(limited.json.errors).toEqual(samples.error_429_rate_limited.body.errors)
        expectError(yield* send(emulator, "GET", "/v1/sessions/sess_a1", { declared: false }), 500, "internal_clerk_error")
        for (const status of [502, 503, 504]) {
          expectError(yield* send(emulator, "GET", "/v1/sessions/sess_a1", { declared: false }), status, "service_unavailable")
        }
      })
    ))
})

describe("the validator itself", () => {
  it("rejects what the spec forbids, so the checks above are real", () => {
    const session = componentValidator("Session")
    const good = samples.session_get_200.body
    expect(session(good)).toBe(true)
    const { id: _, ...missingId } = good
    expect(session(missingId)).toBe(false)
    expect(session({ ...good, user: {} })).toBe(false)
    expect(session({ ...good, status: "sleeping" })).toBe(false)
    expect(session({ ...good, created_at: "yesterday" })).toBe(false)
    expect(session({ ...good, latest_activity: null, actor: null, last_active_organization_id: null })).toBe(true)
    expect(session({ ...good, latest_activity: { id: "x", object: "session_activity" } })).toBe(false)
    expect(componentValidator("ClerkErrors")({ errors: [{ message: "m", code: "c" }] })).toBe(false)
    expect(componentValidator("Token")({ object: "token" })).toBe(false)
    expect(paginatedListValidator([good])).toBe(false)
    expect(paginatedListValidator({ data: [good] })).toBe(false)
    const jwks = declaredValidator("GET", "/jwks", 200)!
    expect(jwks(samples.jwks_200.body)).toBe(true)
    expect(jwks({ keys: [{ kid: "k", alg: "RS256", use: "sig", kty: "RSA", n: "x" }] })).toBe(false)
  })
})
