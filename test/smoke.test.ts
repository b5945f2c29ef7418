import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Sessions } from "../src/Sessions.js"
import { json, mockSessions } from "./support/MockTransport.js"
import { sample } from "./support/samples.js"

describe("smoke", () => {
  it.effect("getSession", () => {
    const mock = mockSessions([json(sample("session_get_200"))])
    return Effect.gen(function*() {
      const s = yield* Sessions
      const session = yield* s.getSession("sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      expect(session.userId).toBe("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      expect(mock.recorded[0].path).toBe("/v1/sessions/sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
      console.log(mock.recorded[0].headers, session)
    }).pipe(Effect.provide(mock.layer))
  })
})
