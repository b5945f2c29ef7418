/**
 * The Effect 3 side of `#line/Models`: the Schema pieces the models (`Session.ts`,
 * `SessionClaims.ts`, `ClerkError.ts`, the wire-error struct) spell differently on the two
 * lines. `src/line/effect4/Models.ts` has the same exports. Field lists, literal lists, wire
 * keys and messages stay in the shared modules.
 *
 * On this line a class decodes its own wire form: a wire key is the field's `fromKey`, so
 * `wireFields` adds them and `fromWire` is the class itself.
 */
import * as Schema from "effect/Schema"

/** A schema with no requirements, its decoded type `A` and its encoded type `I`. */
export type Codec<A, I = A> = Schema.Schema<A, I, never>

/** A field of a struct or class. */
type Field = Schema.Schema.All | Schema.PropertySignature.All

/** The wire key of each camelCase field that has another one on the wire. */
export type WireKeys<F> = { readonly [K in keyof F]?: string }

type Keyed<F, K extends PropertyKey> = F extends
  Schema.PropertySignature<infer TT, infer T, PropertyKey, infer ET, infer E, infer D, infer R>
  ? Schema.PropertySignature<TT, T, K, ET, E, D, R>
  : F extends Schema.Schema.All
    ? Schema.PropertySignature<":", Schema.Schema.Type<F>, K, ":", Schema.Schema.Encoded<F>, false, Schema.Schema.Context<F>>
  : never

/** The class fields: on this line each field named in `keys` reads its wire key. */
export const wireFields = <const F extends { readonly [k: string]: Field }, const M extends WireKeys<F>>(
  fields: F,
  keys: M
): { -readonly [K in keyof F]: K extends keyof M ? M[K] extends string ? Keyed<F[K], M[K]> : F[K] : F[K] } => {
  const out: Record<string, Field> = {}
  for (const [name, field] of Object.entries(fields)) {
    const key = (keys as Record<string, string | undefined>)[name]
    out[name] = key === undefined
      ? field
      : Schema.fromKey(key)(
        (Schema.isPropertySignature(field) ? field : Schema.propertySignature(field)) as Schema.PropertySignature.Any
      )
  }
  return out as any
}

/** A struct whose wire form uses `keys` (`{ camelField: "wire_key" }`). */
export const wireStruct = <const F extends { readonly [k: string]: Field }, const M extends WireKeys<F>>(
  fields: F,
  keys: M
) => Schema.Struct(wireFields(fields, keys))

/**
 * The codec from a class's wire JSON (snake_case keys, nested wire codecs in `nested`) to
 * its instances. On this line the class reads its wire form itself, so it is the class.
 */
export const fromWire = <C, F, M extends WireKeys<F>>(
  Class: C & { readonly fields: F },
  _keys: M,
  _nested?: { readonly [K in keyof F]?: Field }
): C => Class

/** `null` and a missing key both decode to absent (Schema.optionalWith nullable). */
export const optionalNullable = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

/** A field that decodes to `value` when the key is missing, and defaults in the constructor too. */
export const withDefault = <S extends Schema.Schema.All>(schema: S, value: Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: () => value })

/** One of the literals in `list`. */
export const Literals = <const L extends readonly [string, ...Array<string>]>(list: L): Schema.Literal<[...L]> =>
  Schema.Literal(...list)

/** One of `members`. */
export const Union = <const M extends ReadonlyArray<Schema.Schema.All>>(members: M): Schema.Union<M> =>
  Schema.Union(...members) as unknown as Schema.Union<M>

/** A JSON object with any keys and values (copied on decode). */
export const UnknownRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** Epoch milliseconds on the wire, `DateTime.Utc` decoded; any number `new Date(n)` accepts. */
export const Timestamp = Schema.DateTimeUtcFromNumber

/** A string on the wire, `Redacted<string>` decoded. */
export const RedactedString = Schema.Redacted(Schema.String)

/** A `Duration` value as it is (no encoding). */
export const DurationValue = Schema.DurationFromSelf

/** A JSON number read as its decimal string (encodes back to the number). */
export const NumberAsString = Schema.transform(Schema.Number, Schema.String, {
  strict: true,
  decode: String,
  encode: Number
})

/** A finite number from `min` to `max`, named `identifier` in messages. */
export const NumberBetween = (min: number, max: number, identifier: string) =>
  Schema.Number.pipe(Schema.between(min, max)).annotations({ identifier })

/** `schema` named `identifier` in messages. */
export const named = <S extends Schema.Annotable.All>(schema: S, identifier: string): S =>
  schema.annotations({ identifier }) as S
