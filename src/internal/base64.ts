/**
 * base64 (RFC 4648 §4) and base64url (§5, unpadded) over bytes, with web-standard `btoa` /
 * `atob` only: the webhook secret and signatures, the stored JWKS's MAC, a JWK's integers.
 */

/** The base64 of `bytes`; with `url`, base64url without padding. */
export const encodeBase64 = (bytes: ArrayBuffer | Uint8Array, url = false): string => {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  let binary = ""
  for (let i = 0; i < view.length; i++) binary += String.fromCharCode(view[i])
  const text = btoa(binary)
  return url ? text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : text
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * The bytes `text` encodes in base64 (padding optional) or, with `url`, base64url
 * (unpadded); `undefined` when it is not that encoding.
 */
export const decodeBase64 = (text: string, url = false): Uint8Array<ArrayBuffer> | undefined => {
  const bare = text.replace(/=+$/, "")
  // Padding, when there is any, must make whole quads; a lone character is no byte at all.
  if (!(url ? BASE64URL : BASE64).test(text) || bare.length % 4 === 1 || (bare !== text && text.length % 4 !== 0)) {
    return undefined
  }
  const binary = atob(url ? text.replace(/-/g, "+").replace(/_/g, "/") : bare)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
