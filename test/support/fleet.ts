/** Helpers of the fleet suites (JWKS store, rate limiter), on Node and inside workerd alike. */
import { loggerLayer } from "#test-line/Testing"

/** A logger that keeps each line as `LEVEL: message` (but those `ignore` matches), to provide as a layer. */
export const captureLogs = (ignore?: RegExp) => {
  const lines: Array<string> = []
  const logger = loggerLayer(({ level, message }) => {
    const line = `${level}: ${Array.isArray(message) ? message.join(" ") : String(message)}`
    if (ignore === undefined || !ignore.test(line)) lines.push(line)
  })
  return { lines, logger }
}

/** The most requests that arrived (epoch ms) within any window of `millis`. */
export const busiestWindow = (times: ReadonlyArray<number>, millis: number) => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j < sorted.length && sorted[j]! < sorted[i]! + millis) j++
    most = Math.max(most, j - i)
  }
  return most
}
