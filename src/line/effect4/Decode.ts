/**
 * The Effect 4 side of `#line/Decode` (same exports as `src/line/effect3/Decode.ts`):
 * Schema decoding with a result type shared code reads the same way on both lines.
 */
import * as DateTime from "effect/DateTime"
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

/** Why a value did not decode (Effect 4: a `SchemaError`, its `issue` the tree). */
export type DecodeIssues = Schema.SchemaError

/** A decoded value or the issues that stopped it. */
export type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly issues: DecodeIssues }

/** A schema a decoder can be compiled from. */
export type Decodable<A, I> = Schema.Codec<A, I, never, never>

/**
 * What `ClerkClient`'s `request` accepts from a decoder: a `Decoded`, or what effect 4's own
 * `Schema.decodeUnknownResult(schema)` returns.
 */
export type DecodeResult<A> = Decoded<A> | Result.Result<A, DecodeIssues>

/** A `DecodeResult` read as a `Decoded`. */
export const toDecoded = <A>(result: DecodeResult<A>): Decoded<A> =>
  "ok" in result
    ? result
    : result._tag === "Success"
    ? { ok: true, value: result.success }
    : { ok: false, issues: result.failure }

/** This line's compiler of a schema's decoder, returning a `DecodeResult` (`Schema.decodeUnknownResult`). */
export const decodeUnknown = <A, I>(schema: Decodable<A, I>): (input: unknown) => DecodeResult<A> => Schema.decodeUnknownResult(schema)

/** One issue: where (the path into the input) and what was expected, never the value. */
export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

// Effect 4 quotes the input only when asked (`reportInput`); cut it anyway, as on Effect 3.
const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) =>
    issue._tag === "MissingKey" ? "is missing" : SchemaIssue.defaultLeafHook(issue).replace(/,\s*got[\s\S]*$/, "")
})

/** Every issue, by path and expectation, never the value. */
export const issueList = (issues: DecodeIssues): ReadonlyArray<Issue> =>
  formatter(issues.issue).issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => typeof p === "object" ? p.key : p),
    message: issue.message.replace(/,\s*got[\s\S]*$/, "")
  }))

/**
 * `DateTime.makeUnsafe(millis)` for an integer in range, built the way effect 4.1 builds a
 * `DateTime.Utc` (its prototype and an enumerable `epochMilliseconds`) without the input
 * sniffing and the `Date` round trip. Shared code checks once that it still builds the
 * same shape (`decode.ts`).
 */
const UtcProto: object = Object.getPrototypeOf(DateTime.makeUnsafe(0))
export const replicaUtc = (epochMillis: number): DateTime.Utc => {
  const self = Object.create(UtcProto)
  self.epochMilliseconds = epochMillis
  return self
}
