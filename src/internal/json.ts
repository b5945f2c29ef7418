/** `JSON.parse` without a throw: the value, or {@link INVALID_JSON} for text that is not JSON. */
export const INVALID_JSON: unique symbol = Symbol("effect-clerk/invalidJson")

export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return INVALID_JSON
  }
}
