/**
 * Decoders compiled once, on first use rather than at import: compiling costs start-up time
 * (a Worker's cold start), and some decoders (Schema fallbacks, error bodies, the JWKS) are
 * never needed by most isolates.
 */
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** `Schema.decodeUnknownEither(schema)`, compiled on the first call. */
export const lazyDecoder = <A, I>(
  schema: Schema.Schema<A, I, never>
): (input: unknown) => Either.Either<A, ParseResult.ParseError> => {
  let decode: ((input: unknown) => Either.Either<A, ParseResult.ParseError>) | undefined
  return (input) => (decode ??= Schema.decodeUnknownEither(schema))(input)
}
