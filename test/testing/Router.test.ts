/**
 * The emulator's route table (src/testing/internal/router.ts) reads paths the way
 * `@effect/platform`'s router did before it: these are the answers that router gave.
 */
import { describe, expect, it } from "vitest"
import { makeRouter } from "../../src/testing/internal/router.js"

const route = makeRouter([
  ["GET", "/v1/sessions", "getSessionList"],
  ["POST", "/v1/sessions", "createSession"],
  ["GET", "/v1/sessions/:session_id", "getSession"],
  ["POST", "/v1/sessions/:session_id/tokens", "createSessionToken"],
  ["POST", "/v1/sessions/:session_id/tokens/:template_name", "createSessionTokenFromTemplate"],
  ["GET", "/v1/jwks", "getJwks"]
])

const found = (method: string, path: string) => {
  const match = route(method, path)
  return match === undefined ? undefined : [match.handler, match.params]
}

describe("the emulator's router", () => {
  it("matches by method and path, with named parameters", () => {
    expect(found("GET", "/v1/sessions")).toEqual(["getSessionList", {}])
    expect(found("POST", "/v1/sessions")).toEqual(["createSession", {}])
    expect(found("GET", "/v1/sessions/sess_1")).toEqual(["getSession", { session_id: "sess_1" }])
    expect(found("POST", "/v1/sessions/sess_1/tokens/tmpl")).toEqual([
      "createSessionTokenFromTemplate",
      { session_id: "sess_1", template_name: "tmpl" }
    ])
    expect(found("DELETE", "/v1/sessions/sess_1")).toBeUndefined()
    expect(found("GET", "/v1/sessions/sess_1/tokens")).toBeUndefined()
    expect(found("GET", "/v1/users")).toBeUndefined()
    expect(found("GET", "/")).toBeUndefined()
  })

  it("ignores trailing and repeated slashes and anything from a ';' on", () => {
    expect(found("GET", "/v1/sessions/")).toEqual(["getSessionList", {}])
    expect(found("GET", "/v1//sessions//")).toEqual(["getSessionList", {}])
    expect(found("GET", "/v1/sessions/sess_1/")).toEqual(["getSession", { session_id: "sess_1" }])
    expect(found("GET", "/v1/sessions/sess_1;jsessionid=1")).toEqual(["getSession", { session_id: "sess_1" }])
  })

  it("matches literals in any case and keeps parameters as written", () => {
    expect(found("GET", "/V1/SESSIONS/Sess_A")).toEqual(["getSession", { session_id: "Sess_A" }])
    expect(found("POST", "/v1/Sessions/s/TOKENS/MyTemplate")).toEqual([
      "createSessionTokenFromTemplate",
      { session_id: "s", template_name: "MyTemplate" }
    ])
  })

  it("percent-decodes parameters; a malformed escape or a parameter over 100 characters matches nothing", () => {
    expect(found("GET", "/v1/sessions/sess%5F1")).toEqual(["getSession", { session_id: "sess_1" }])
    expect(found("GET", "/v1/sessions/a%2Fb")).toEqual(["getSession", { session_id: "a/b" }])
    expect(found("GET", "/v1/sessions/%25")).toEqual(["getSession", { session_id: "%" }])
    expect(found("GET", "/v1%2Fsessions")).toBeUndefined()
    expect(found("GET", "/v1/sessions/%E0%A4%A")).toBeUndefined()
    expect(found("GET", `/v1/sessions/${"x".repeat(100)}`)).toEqual(["getSession", { session_id: "x".repeat(100) }])
    expect(found("GET", `/v1/sessions/${"x".repeat(101)}`)).toBeUndefined()
  })

  it("answers HEAD with the GET route, and only GET routes", () => {
    expect(found("HEAD", "/v1/jwks")).toEqual(["getJwks", {}])
    expect(found("HEAD", "/v1/sessions/sess_1/tokens")).toBeUndefined()
  })

  it("takes a longer parameter limit when asked (the example Worker allows 4096 characters)", () => {
    const long = makeRouter([["GET", "/sessions/:id", "getSession"]], { maxParamLength: 4096 })
    expect(long("GET", `/sessions/${"a".repeat(4096)}`)?.params).toEqual({ id: "a".repeat(4096) })
    expect(long("GET", `/sessions/${"a".repeat(4097)}`)).toBeUndefined()
    // Counted after decoding: 4096 characters sent as %61 escapes still fit.
    expect(long("GET", `/sessions/${"%61".repeat(4096)}`)?.params.id).toHaveLength(4096)
    expect(found("GET", `/v1/sessions/${"a".repeat(101)}`)).toBeUndefined()
  })
})
