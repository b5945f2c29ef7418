/**
 * The one base64 codec of src/ (src/internal/base64.ts): what the webhook secret and its
 * signatures, the stored JWKS's MAC and a JWK's integers are decoded with. It takes exactly
 * the encodings RFC 4648 allows (padding optional, but whole quads when present) and says
 * `undefined` to the rest, never throwing: a forged `svix-signature` is an answer, not a defect.
 */
import { describe, expect, it } from "@effect/vitest"
import { decodeBase64, encodeBase64 } from "../src/internal/base64.js"

const bytes = (text: string | undefined) => (text === undefined ? undefined : [...new TextEncoder().encode(text)])
const decoded = (text: string, url = false) => {
  const out = decodeBase64(text, url)
  return out === undefined ? undefined : [...out]
}

describe("base64", () => {
  it("round-trips every length of bytes, padded (base64) and unpadded (base64url)", () => {
    for (let n = 0; n <= 40; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) % 256)
      const plain = encodeBase64(data)
      const url = encodeBase64(data.buffer, true)
      expect(plain).toBe(btoa(String.fromCharCode(...data)))
      expect(url).not.toMatch(/[+/=]/)
      expect(decoded(plain)).toEqual([...data])
      expect(decoded(url, true)).toEqual([...data])
    }
  })

  it("takes padding when it makes whole quads, and leaving it out", () => {
    expect(decoded("QQ==")).toEqual(bytes("A"))
    expect(decoded("QQ")).toEqual(bytes("A"))
    expect(decoded("QUI=")).toEqual(bytes("AB"))
    expect(decoded("QUI")).toEqual(bytes("AB"))
    expect(decoded("")).toEqual([])
  })

  it("refuses what is not base64: stray padding, a lone character, the other alphabet", () => {
    for (const text of ["QQ=", "AAAA=", "AAA==", "=", "A", "AAAAA", "QQ==QQ==", "Q Q=", "a-b_", "AB+/="]) {
      expect(decodeBase64(text), text).toBeUndefined()
    }
    for (const text of ["a+b/", "QQ==", "A", "ab=", "é"]) expect(decodeBase64(text, true), text).toBeUndefined()
    expect(decoded("-_8", true)).toEqual([0xfb, 0xff])
  })
})
