/**
 * The scrubbing of a runtime's error before it becomes `ClerkTransportError.cause`
 * (src/internal/scrub.ts): kept as it is unless something in its chain could quote a header
 * or the key; else rebuilt with the same names, Node's `code`, and a fixed message.
 */
import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import { SCRUBBED_MESSAGE, scrubCause, secretNeedles } from "../src/internal/scrub.js"

const KEY = "sk_test_CANARYscrub0123456789"
const needles = secretNeedles(KEY)

describe("scrubCause", () => {
  it("copies an ordinary network error's chain: names, messages and codes, nothing else", () => {
    const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED", port: 9 }) })
    const scrubbed = scrubCause(cause, needles) as TypeError & { cause: Error & { code?: string; port?: number } }
    expect(scrubbed).not.toBe(cause)
    expect(scrubbed).toBeInstanceOf(TypeError)
    expect([scrubbed.name, scrubbed.message]).toEqual(["TypeError", "fetch failed"])
    expect([scrubbed.cause.message, scrubbed.cause.code, scrubbed.cause.port]).toEqual(["connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED", undefined])
    expect(scrubCause(undefined, needles)).toBeUndefined()
    expect(scrubCause("ECONNRESET", needles)).toBe("ECONNRESET")
  })

  it("a wrapper's error carrying the request's options (ky / ofetch style) loses them: no key in inspect or JSON.stringify", () => {
    const headers = new Headers({ authorization: `Bearer ${KEY}` })
    const cause = Object.assign(new TypeError("fetch failed"), {
      options: { method: "GET", headers: { Authorization: `Bearer ${KEY}` } },
      request: new Request("https://api.clerk.com/v1/sessions", { headers }),
      init: { headers },
      response: { nested: { deeper: { auth: `Bearer ${KEY}` } } }
    })
    // The error as ky and ofetch make it shows the key wherever a logger prints it.
    expect(inspect(cause, { depth: 10 })).toContain("CANARY")
    const scrubbed = scrubCause(cause, needles) as Error
    expect([scrubbed.name, scrubbed.message]).toEqual(["TypeError", "fetch failed"])
    for (const text of [inspect(scrubbed, { depth: 20, showHidden: true }), JSON.stringify(scrubbed), String(scrubbed), String(scrubbed.stack)]) {
      expect(text).not.toContain("CANARY")
    }
    expect(Object.keys(scrubbed)).toEqual(["name"])
  })

  it("replaces an error that quotes a header value, keeping its name and code", () => {
    const cause = Object.assign(new TypeError(`Headers.append: "Bearer ${KEY}" is an invalid header value.`), {
      code: "ERR_INVALID_CHAR"
    })
    const scrubbed = scrubCause(cause, needles) as Error & { code?: string }
    expect(scrubbed).not.toBe(cause)
    expect(scrubbed.name).toBe("TypeError")
    expect(scrubbed.message).toBe(SCRUBBED_MESSAGE)
    expect(scrubbed.code).toBe("ERR_INVALID_CHAR")
    expect(inspect(scrubbed, { depth: 10 })).not.toContain("CANARY")
  })

  it("rebuilds the whole chain when a nested cause carries the key (escaped or its first characters too)", () => {
    for (const quoted of [KEY, JSON.stringify(`${KEY}\r\n`).slice(1, -1), KEY.slice(0, 12) + "…"]) {
      const cause = new TypeError("fetch failed", { cause: new Error(`sending ${quoted}`) })
      const scrubbed = scrubCause(cause, needles) as Error & { cause: Error }
      expect(scrubbed.message).toBe("fetch failed")
      expect(scrubbed.cause.message).toBe(SCRUBBED_MESSAGE)
      expect(inspect(scrubbed, { depth: 10 })).not.toContain("CANARY")
      expect(String(scrubbed.stack)).not.toContain("CANARY")
    }
  })

  it("a string cause or a plain object that quotes the key is replaced; a throwing getter does not throw", () => {
    expect(scrubCause(`bad value ${KEY}`, needles)).toBe(SCRUBBED_MESSAGE)
    const object = { detail: `Authorization: Bearer ${KEY}` }
    const scrubbed = scrubCause(object, needles) as Error
    expect(scrubbed).toBeInstanceOf(Error)
    expect(scrubbed.message).toBe(SCRUBBED_MESSAGE)
    const hostile = new Proxy({}, { get: () => { throw new Error(KEY) }, ownKeys: () => { throw new Error(KEY) } })
    expect(inspect(scrubCause(hostile, needles))).not.toContain("CANARY")
  })
})
