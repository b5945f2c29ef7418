/**
 * The session-claims decoder with a hand-written fast path, like the Session decoders in
 * decode.ts: Schema's interpreter allocated about half of what a cached verification does
 * (its issue lists, key sorting and sets). The fast path reads the shape the claims are
 * declared with and builds the same plain object Schema builds (declared keys only, in
 * declared order, arrays and nested objects copied). Anything else goes to the Schema
 * decoder, whose result or error then stands. test/ClaimsDecode.test.ts proves the two agree.
 */
import type { Decoded } from "#line/Decode"
import { ok } from "./lazy.js"
import * as Schema from "effect/Schema"
import { MAX_NUMERIC_DATE, MIN_NUMERIC_DATE, SessionClaims } from "../SessionClaims.js"
import { lazyDecoder } from "./lazy.js"

const NO: unique symbol = Symbol("NO")
type Read = (value: unknown) => unknown

const string: Read = (value) => typeof value === "string" ? value : NO
const number: Read = (value) => typeof value === "number" ? value : NO
/** SessionClaims' NumericDate: a number from year 1 to the end of year 9999 (so never NaN or Infinity). */
const numericDate: Read = (value) =>
  typeof value === "number" && value >= MIN_NUMERIC_DATE && value <= MAX_NUMERIC_DATE ? value : NO
const arrayOf = (item: Read): Read => (value) => {
  if (!Array.isArray(value)) return NO
  const out = new Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const read = item(value[i])
    if (read === NO) return NO
    out[i] = read
  }
  return out
}
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** [claim, reader, optional], in the declared order of SessionClaims' fields. */
type Field = readonly [string, Read, boolean]
const struct = (fields: ReadonlyArray<Field>): Read => (value) => {
  if (!isObject(value)) return NO
  const out: Record<string, unknown> = {}
  for (const [name, read, optional] of fields) {
    const raw = value[name]
    if (raw === undefined) {
      // Absent is fine for an optional claim; a key present with `undefined` is Schema's call.
      if (!optional || Object.prototype.hasOwnProperty.call(value, name)) return NO
      continue
    }
    const decoded = read(raw)
    if (decoded === NO) return NO
    out[name] = decoded
  }
  return out
}

const fastClaims = struct([
  ["sid", string, false],
  ["sub", string, false],
  ["iss", string, false],
  ["azp", string, true],
  ["exp", numericDate, false],
  ["iat", numericDate, false],
  ["nbf", numericDate, true],
  ["jti", string, true],
  ["v", number, true],
  ["fva", arrayOf(number), true],
  ["sts", string, true],
  ["o", struct([["id", string, false], ["slg", string, true], ["rol", string, true], ["per", string, true], ["fpm", string, true]]), true],
  ["act", struct([["sub", string, false], ["iss", string, true], ["sid", string, true]]), true],
  ["pla", string, true],
  ["fea", string, true],
  ["org_id", string, true],
  ["org_role", string, true],
  ["org_slug", string, true],
  ["org_permissions", arrayOf(string), true]
])

// `raw` is not decoded: it is the verified payload itself, attached to the decoded claims.
const { raw: _raw, ...claimFields } = SessionClaims.fields
/** The Schema decoder the fast path stands in for (exported for the equivalence test). */
export const schemaClaims = lazyDecoder(Schema.Struct(claimFields))

type Claims = Omit<SessionClaims, "raw">

/** The verified payload's claims: the fast path, or Schema's verdict when it does not apply. */
export const decodeClaims = (payload: unknown): Decoded<Claims> => {
  const fast = fastClaims(payload)
  return fast === NO ? schemaClaims(payload) : ok(fast as Claims)
}

/** Whether the fast path took `payload` (for the test that it is the path real tokens take). */
export const fastPathTakes = (payload: unknown): boolean => fastClaims(payload) !== NO
