/** Clerk-looking random ids (`sess_…`, 27 base62 characters like Clerk's KSUIDs) from Web Crypto. */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const randomBase62 = (length: number): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  let out = ""
  // 62 * 4 = 248: rejecting bytes ≥ 248 keeps every character equally likely.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) return out + randomBase62(length - out.length)
    if (bytes[i] < 248) out += BASE62[bytes[i] % 62]
  }
  return out
}

/** `prefix_` + 27 base62 characters, e.g. `sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S`. */
export const clerkId = (prefix: string): string => `${prefix}_${randomBase62(27)}`

/** `bytes` random bytes as lowercase hex (trace ids, `jti`). */
export const randomHex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("")

/** An opaque refresh token, as found in the `__refresh` cookie. */
export const refreshTokenValue = (): string => randomBase62(40)
