/**
 * Decoders giving a `Decoded` (the same shape on both lines), and compiled once, on first use
 * rather than at import: compiling costs start-up time (a Worker's cold start), and some
 * decoders (Schema fallbacks, error bodies, the JWKS) are never needed by most isolates.
 */
import { type Decodable, type Decoded, decodeUnknown, toDecoded } from "#line/Decode"

/** A successful `Decoded`. */
export const ok = <A>(value: A): Decoded<A> => ({ ok: true, value })

/** The compiled decoder of `schema`, giving a `Decoded`. */
export const decoder = <A, I>(schema: Decodable<A, I>): (input: unknown) => Decoded<A> => {
  const decode = decodeUnknown(schema)
  return (input) => toDecoded(decode(input))
}

/** The decoder of `schema` (`Decoded`, the same on both lines), compiled on the first call. */
export const lazyDecoder = <A, I>(schema: Decodable<A, I>): (input: unknown) => Decoded<A> => {
  let decode: ((input: unknown) => Decoded<A>) | undefined
  return (input) => (decode ??= decoder(schema))(input)
}

/** `f` applied to a decoded value; issues pass through. */
export const mapDecoded = <A, B>(decoded: Decoded<A>, f: (a: A) => B): Decoded<B> =>
  decoded.ok ? ok(f(decoded.value)) : decoded
