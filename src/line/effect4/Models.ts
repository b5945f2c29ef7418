/**
 * The Effect 4 side of `#line/Models` (same exports as `src/line/effect3/Models.ts`): the
 * Schema pieces the models spell differently on the two lines.
 *
 * Effect 4 has no per-field wire key: a class is camelCase on both sides, and its wire form
 * is a separate codec, `fromWire(Class, keys, nested)`: a struct of the class's fields
 * (nested models replaced by their own wire codecs) with the keys renamed
 * (`Schema.encodeKeys`), decoded into instances of the class.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaTransformation from "effect/SchemaTransformation"

/** A schema with no requirements, its decoded type `A` and its encoded type `I`. */
export type Codec<A, I = A> = Schema.Codec<A, I, never, never>

/** The wire key of each camelCase field that has another one on the wire. */
export type WireKeys<F> = { readonly [K in keyof F]?: string }

/** The class fields: on this line they are the camelCase fields (the keys go to `fromWire`). */
export const wireFields = <const F extends Schema.Struct.Fields, const M extends WireKeys<F>>(fields: F, _keys: M): F =>
  fields

/** A struct whose wire form uses `keys` (`{ camelField: "wire_key" }`). */
export const wireStruct = <const F extends Schema.Struct.Fields, const M extends WireKeys<F>>(fields: F, keys: M) =>
  Schema.Struct(fields).pipe(Schema.encodeKeys(keys))

/** `E` with each key of `M` renamed to its wire key. */
type Renamed<E, M> = { [K in keyof E as K extends keyof M ? M[K] extends string ? M[K] : K : K]: E[K] }

type Instances<C> = C extends abstract new(...args: any) => infer I ? I : never

/**
 * The codec from a class's wire JSON (snake_case keys, nested models read by their own
 * wire codecs in `nested`) to its instances. Instances are built as `Data`-style classes
 * are: the decoded fields, in field order, on an object with the class's prototype (what
 * the constructor makes, without its second parse).
 */
export const fromWire = <
  C extends Schema.Top & { readonly fields: Schema.Struct.Fields } & (abstract new(...args: any) => any),
  const M extends WireKeys<C["fields"]>,
  const N extends { readonly [K in keyof C["fields"]]?: Schema.Struct.Fields[string] } = {}
>(Class: C, keys: M, nested?: N) => {
  const fields = { ...Class.fields, ...nested } as Schema.Struct.Fields as Omit<C["fields"], keyof N> & N
  return Schema.Struct(fields).pipe(
    Schema.encodeKeys(keys as WireKeys<typeof fields>),
    Schema.decodeTo(
      Schema.toType(Class),
      SchemaTransformation.transform({
        decode: (props: object): Instances<C> => Object.assign(Object.create(Class.prototype), props),
        encode: (instance: object) => ({ ...instance })
      }) as never
    )
  ) as unknown as Codec<Instances<C>, Renamed<Schema.Struct<Omit<C["fields"], keyof N> & N>["Encoded"], M>>
}

/**
 * `null` and a missing key both decode to absent (`optional(NullOr(x))` would keep `null`).
 * A key present with `undefined` (which JSON cannot express) keeps its key, as on Effect 3.
 */
export const optionalNullable = <S extends Schema.Top>(schema: S) =>
  Schema.optional(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(
      Schema.optional(Schema.toType(schema)),
      SchemaTransformation.transformOptional({
        decode: (o: Option.Option<S["Type"] | null | undefined>) =>
          Option.filter(o, (v): v is S["Type"] | undefined => v !== null),
        encode: (o: Option.Option<S["Type"] | undefined>) => o
      })
    )
  )

/** A field that decodes to `value` when the key is missing, and defaults in the constructor too. */
export const withDefault = <S extends Schema.Top & { readonly "~type.constructor.default": "no-default" }>(
  schema: S,
  value: S["Type"] & S["Encoded"]
) =>
  schema.pipe(
    Schema.withDecodingDefaultKey(Effect.succeed(value)),
    Schema.withConstructorDefault(Effect.succeed(value))
  )

/** One of the literals in `list`. */
export const Literals = <const L extends readonly [string, ...Array<string>]>(list: L): Schema.Literals<L> =>
  Schema.Literals(list)

/** One of `members`. */
export const Union = <const M extends ReadonlyArray<Schema.Top>>(members: M): Schema.Union<M> => Schema.Union(members)

/** A JSON object with any keys and values (copied on decode). */
export const UnknownRecord = Schema.Record(Schema.String, Schema.Unknown)

/**
 * Epoch milliseconds on the wire, `DateTime.Utc` decoded; any number `new Date(n)` accepts,
 * as on Effect 3 (`Schema.DateTimeUtcFromMillis` would refuse a fraction). The range is
 * checked on the wire side, so a failure names the wire key, as on Effect 3.
 */
export const Timestamp = Schema.Number.check(
  Schema.makeFilter((n: number) => Math.abs(n) <= 8.64e15, { expected: "epoch milliseconds within ±8.64e15" })
).pipe(
  Schema.decodeTo(Schema.DateTimeUtc, {
    decode: SchemaGetter.dateTimeUtcFromInput<number>(),
    encode: SchemaGetter.transform(DateTime.toEpochMillis)
  })
)

/** A string on the wire, `Redacted<string>` decoded. */
export const RedactedString = Schema.RedactedFromValue(Schema.String)

/** A `Duration` value as it is (no encoding). */
export const DurationValue = Schema.Duration

/** A JSON number read as its decimal string (encodes back to the number). */
export const NumberAsString = Schema.Number.pipe(
  Schema.decodeTo(Schema.String, SchemaTransformation.transform({ decode: String, encode: Number }))
)

/** A finite number from `min` to `max`, named `identifier` in messages. */
export const NumberBetween = (min: number, max: number, identifier: string) =>
  Schema.Number.check(Schema.isBetween({ minimum: min, maximum: max })).annotate({ identifier })

/** `schema` named `identifier` in messages. */
export const named = <S extends Schema.Top>(schema: S, identifier: string): S =>
  schema.annotate({ identifier }) as S
