/** The emulator's RS256 signing keys, made and used with jose (Web Crypto underneath). */
import * as Effect from "effect/Effect"
import { compactVerify, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose"
import { decodeBase64 } from "../../internal/base64.js"

/**
 * A public key exactly as `GET /v1/jwks` serves it (`JWKS.rsa.PublicKey`): what the
 * emulator's `jwks` lists, one per signing key.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClerkEmulator, type PublicJwk } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkEmulator.make({ instanceId: "ins_test" })
 *   const { keys } = yield* clerk.jwks
 *   const key: PublicJwk = keys[0]
 *   // The first key's kid is the instance id; `n` is the 2048-bit modulus, base64url.
 *   return { kid: key.kid, kty: key.kty, alg: key.alg, use: key.use, e: key.e }
 * })
 *
 * Effect.runPromise(program).then(console.log) // { kid: 'ins_test', kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface PublicJwk {
  readonly use: "sig"
  readonly kty: "RSA"
  readonly kid: string
  readonly alg: "RS256"
  readonly n: string
  readonly e: string
}

export interface SigningKey {
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly jwk: PublicJwk
}

export const generateSigningKey = (kid: string): Effect.Effect<SigningKey> =>
  Effect.promise(async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048 })
    const { e, n } = await exportJWK(publicKey)
    return { kid, privateKey, publicKey, jwk: { use: "sig", kty: "RSA", kid, alg: "RS256", n: n!, e: e! } }
  })

/** A compact JWS with header `{ alg: RS256, kid, typ: JWT }`, as Clerk signs session tokens. */
export const signJwt = (key: SigningKey, payload: Record<string, unknown>): Effect.Effect<string> =>
  Effect.promise(() =>
    new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" }).sign(key.privateKey)
  )

export const publicKeyPem = (key: SigningKey): Effect.Effect<string> => Effect.promise(() => exportSPKI(key.publicKey))

/**
 * The payload of a token one of `keys` signed (by its `kid`), whatever its times say;
 * `undefined` when the signature, algorithm, kid or payload is not right.
 */
export const verifiedPayload = (
  keys: ReadonlyArray<SigningKey>,
  token: string
): Effect.Effect<Record<string, unknown> | undefined> =>
  Effect.promise(async () => {
    try {
      const header = JSON.parse(new TextDecoder().decode(decodeBase64(token.split(".")[0] ?? "", true)))
      const key = keys.find((k) => k.kid === header.kid)
      if (key === undefined || header.alg !== "RS256") return undefined
      const { payload } = await compactVerify(token, await importJWK(key.jwk, "RS256"))
      const claims = JSON.parse(new TextDecoder().decode(payload))
      return typeof claims === "object" && claims !== null && !Array.isArray(claims) ? claims : undefined
    } catch {
      return undefined
    }
  })
