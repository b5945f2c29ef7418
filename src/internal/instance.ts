/**
 * What this SDK's fleet state knows of one Clerk instance, derived from its secret key with
 * HKDF-SHA256 (RFC 5869; salt `effect-clerk`, one `info` per use, so no value reveals
 * another): the instance's name (the JWKS store's key, the rate-limit budget's Durable
 * Object) and the HMAC key that authenticates what is kept in shared stores. Every isolate
 * holding the secret key derives the same values; the key itself never leaves the isolate,
 * and someone who can write to a store without it cannot forge an entry.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const hex = (bytes: ArrayBuffer): string => {
  let text = ""
  for (const byte of new Uint8Array(bytes)) text += byte.toString(16).padStart(2, "0")
  return text
}

const encode = (text: string) => new TextEncoder().encode(text)
const SALT = encode("effect-clerk")

const hkdfOf = (secretKey: Redacted.Redacted<string>, info: string) =>
  crypto.subtle.importKey("raw", encode(Redacted.value(secretKey)), "HKDF", false, ["deriveBits", "deriveKey"])
    .then((base) => ({ base, params: { name: "HKDF", hash: "SHA-256", salt: SALT, info: encode(info) } }))

/** An effect computing `make` once, on first use; after that it succeeds with no async step. */
const once = <A>(make: () => Promise<A>): Effect.Effect<A> => {
  let computed: Effect.Effect<A> | undefined
  let pending: Promise<A> | undefined
  return Effect.suspend(() =>
    computed ?? Effect.promise(() =>
      pending ??= make().then((value) => {
        computed = Effect.succeed(value)
        return value
      })
    )
  )
}

/**
 * `https://api.clerk.com/v1#<HKDF of the key, 32 bytes hex>`, computed once (it is read on
 * every rate-limited request).
 */
export const makeInstanceKey = (baseUrl: string, secretKey: Redacted.Redacted<string>): Effect.Effect<string> =>
  once(() =>
    hkdfOf(secretKey, "instance-key/v1")
      .then(({ base, params }) => crypto.subtle.deriveBits(params, base, 256))
      .then((bits) => `${baseUrl}#${hex(bits)}`)
  )

/** The non-extractable HMAC-SHA256 key for shared-store entries, computed once. */
export const makeStateKey = (secretKey: Redacted.Redacted<string>): Effect.Effect<CryptoKey> =>
  once(() =>
    hkdfOf(secretKey, "store-mac/v1").then(({ base, params }) =>
      crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"])
    )
  )
