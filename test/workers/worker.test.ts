import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"

describe("example Worker", () => {
  it("lists a user's sessions", async () => {
    const res = await SELF.fetch("https://example.com/users/user_123/sessions?status=active")
    expect(res.status).toBe(200)
    const body = await res.json() as any
    expect(body.totalCount).toBe(2)
    expect(body.data[0].userId).toBe("user_123")
  })
})
