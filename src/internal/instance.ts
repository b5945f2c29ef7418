/**
 * The name of one Clerk instance as this SDK's fleet state knows it (the JWKS store's key,
 * the rate-limit budget's Durable Object): the API base URL and a SHA-256 of the secret key.
 * The key itself never leaves the isolate.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const hex = (bytes: ArrayBuffer): string => {
  let text = ""
  for (const byte of new Uint8Array(bytes)) text += byte.toString(16).padStart(2, "0")
  return text
}

/**
 * `https://api.clerk.com/v1#<sha-256 of the key, hex>`, computed once, on first use; after
 * that the effect succeeds at once, with no async step (it is read on every rate-limited
 * request).
 */
export const makeInstanceKey = (baseUrl: string, secretKey: Redacted.Redacted<string>): Effect.Effect<string> => {
  let computed: Effect.Effect<string> | undefined
  let digest: Promise<string> | undefined
  return Effect.suspend(() =>
    computed ?? Effect.promise(() =>
      digest ??= crypto.subtle
        .digest("SHA-256", new TextEncoder().encode(`effect-clerk:${Redacted.value(secretKey)}`))
        .then((bytes) => {
          const key = `${baseUrl}#${hex(bytes)}`
          computed = Effect.succeed(key)
          return key
        })
    )
  )
}
