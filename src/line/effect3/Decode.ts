/**
 * The Effect 3 side of `#line/Decode`: Schema decoding with a result type shared code reads
 * the same way on both lines (`src/line/effect4/Decode.ts` has the same exports).
 */
import * as DateTime from "effect/DateTime"
import type * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** Why a value did not decode (Effect 3: a `ParseError`). */
export type DecodeIssues = ParseResult.ParseError

/** A decoded value or the issues that stopped it. */
export type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly issues: DecodeIssues }

/** A schema a decoder can be compiled from. */
export type Decodable<A, I> = Schema.Schema<A, I, never>

/**
 * What `ClerkClient`'s `request` accepts from a decoder: a `Decoded`, or what effect 3's own
 * `Schema.decodeUnknownEither(schema)` returns.
 */
export type DecodeResult<A> = Decoded<A> | Either.Either<A, DecodeIssues>

/** A `DecodeResult` read as a `Decoded`. */
export const toDecoded = <A>(result: DecodeResult<A>): Decoded<A> =>
  "ok" in result ? result : result._tag === "Right" ? { ok: true, value: result.right } : { ok: false, issues: result.left }

/** This line's compiler of a schema's decoder, returning a `DecodeResult` (`Schema.decodeUnknownEither`). */
export const decodeUnknown = <A, I>(schema: Decodable<A, I>): (input: unknown) => DecodeResult<A> => Schema.decodeUnknownEither(schema)

/** One issue: where (the path into the input) and what was expected, never the value. */
export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/** Every issue, by path and expectation: Schema's own messages quote the value, which is cut. */
export const issueList = (issues: DecodeIssues): ReadonlyArray<Issue> =>
  ParseResult.ArrayFormatter.formatErrorSync(issues).map((issue) => ({
    path: issue.path,
    message: issue._tag === "Missing" ? "is missing" : issue.message.replace(/,\s*actual[\s\S]*$/, "")
  }))

/**
 * `DateTime.unsafeMake(millis)` for an integer in range, built the way effect 3.22 builds a
 * `DateTime.Utc` (its prototype, `epochMillis`, then a non-enumerable `partsUtc` cache) but
 * without the input sniffing and the `Date` round trip. Shared code checks once that it
 * still builds the same shape (`decode.ts`).
 */
const UtcProto: object = Object.getPrototypeOf(DateTime.unsafeMake(0))
// One descriptor for every instance: V8 defines from a shared descriptor ~30% faster.
const partsUtc: PropertyDescriptor = { value: undefined, enumerable: false, writable: true }
export const replicaUtc = (epochMillis: number): DateTime.Utc => {
  const self = Object.create(UtcProto)
  self.epochMillis = epochMillis
  Object.defineProperty(self, "partsUtc", partsUtc)
  return self
}
