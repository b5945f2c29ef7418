/**
 * Input checks that run before anything is sent. Each returns the value to send or fails
 * with `ClerkInvalidInput` naming the field and the reason. Values are never quoted in the
 * reason when the field may carry a secret.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkInvalidInput } from "../ClerkError.js"
import { makeUnchecked } from "./unchecked.js"

export const invalid = (operation: string, field: string, reason: string) =>
  Effect.fail(makeUnchecked(ClerkInvalidInput, { operation, field, reason }))

// C0 controls, DEL, and the Unicode line/paragraph separators: never legitimate in an id.
const controlChars = /[\u0000-\u001f\u007f\u2028\u2029]/
const MAX_SEGMENT = 512

/**
 * A path parameter: one non-empty segment, sent percent-encoded so that `/`, `?`, `#` and
 * `%` can never change the path. `.` and `..` are refused because URL parsers resolve them.
 */
export const segment = (
  operation: string,
  field: string,
  value: unknown
): Effect.Effect<string, ClerkInvalidInput> => {
  const checked = checkSegment(operation, field, value)
  return typeof checked === "string" ? Effect.succeed(checked) : Effect.fail(checked)
}

/** {@link segment} as a plain value: the encoded segment, or the error (no Effect on the hot path). */
export const checkSegment = (operation: string, field: string, value: unknown): string | ClerkInvalidInput => {
  const error = (reason: string) => makeUnchecked(ClerkInvalidInput, { operation, field, reason })
  if (typeof value !== "string") return error(`must be a string, got ${typeof value}`)
  if (value.length === 0) return error("must not be empty")
  if (value.trim() !== value) return error("must not have leading or trailing whitespace")
  if (value.length > MAX_SEGMENT) return error(`must be at most ${MAX_SEGMENT} characters`)
  if (value === "." || value === "..") return error(`must not be "${value}"`)
  if (controlChars.test(value)) return error("must not contain control characters")
  if (!isWellFormed(value)) return error("must be well-formed Unicode (no lone surrogates)")
  return encodeURIComponent(value)
}

const isWellFormed = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false
    }
  }
  return true
}

/** An optional query or body string: a non-empty, well-formed string without control characters. */
export const optionalString = (
  operation: string,
  field: string,
  value: unknown
): Effect.Effect<string | undefined, ClerkInvalidInput> => {
  if (value === undefined) return Effect.succeed(undefined)
  return requiredString(operation, field, value)
}

export const requiredString = (
  operation: string,
  field: string,
  value: unknown
): Effect.Effect<string, ClerkInvalidInput> => {
  if (value === undefined || value === null) return invalid(operation, field, "is required")
  if (typeof value !== "string") return invalid(operation, field, `must be a string, got ${typeof value}`)
  if (value.length === 0) return invalid(operation, field, "must not be empty")
  if (controlChars.test(value)) return invalid(operation, field, "must not contain control characters")
  if (!isWellFormed(value)) return invalid(operation, field, "must be well-formed Unicode (no lone surrogates)")
  return Effect.succeed(value)
}

/** A secret given as `Redacted<string>` or a plain string; the reason never quotes it. */
export const secretString = (
  operation: string,
  field: string,
  value: unknown,
  required: boolean
): Effect.Effect<string | undefined, ClerkInvalidInput> => {
  if (value === undefined || value === null) {
    return required ? invalid(operation, field, "is required") : Effect.succeed(undefined)
  }
  const plain = Redacted.isRedacted(value) ? Redacted.value(value) : value
  if (typeof plain !== "string") return invalid(operation, field, "must be a string or Redacted<string>")
  if (plain.length === 0) return invalid(operation, field, "must not be empty")
  if (controlChars.test(plain)) return invalid(operation, field, "must not contain control characters")
  return Effect.succeed(plain)
}

export const integerInRange = (
  operation: string,
  field: string,
  value: unknown,
  min: number,
  max: number
): Effect.Effect<number | undefined, ClerkInvalidInput> => {
  if (value === undefined) return Effect.succeed(undefined)
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return invalid(operation, field, `must be an integer in ${min}..${max}, got ${describeNumber(value)}`)
  }
  if (value < min || value > max) return invalid(operation, field, `must be in ${min}..${max}, got ${value}`)
  return Effect.succeed(value)
}

const describeNumber = (value: unknown) =>
  typeof value === "number" ? String(value) : typeof value === "string" ? "a string" : typeof value

export const oneOf = <const L extends ReadonlyArray<string>>(
  operation: string,
  field: string,
  value: unknown,
  allowed: L
): Effect.Effect<L[number] | undefined, ClerkInvalidInput> => {
  if (value === undefined) return Effect.succeed(undefined)
  if (typeof value === "string" && (allowed as ReadonlyArray<string>).includes(value)) {
    return Effect.succeed(value as L[number])
  }
  return invalid(
    operation,
    field,
    `must be one of ${allowed.join(", ")}, got ${typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value}`
  )
}
