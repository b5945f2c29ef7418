/** Helpers of the fleet suites (JWKS store, rate limiter), on Node and inside workerd alike. */
import * as Logger from "effect/Logger"

/** A logger that keeps each line as `LEVEL: message`, to provide as a layer. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      lines.push(`${logLevel.label}: ${Array.isArray(message) ? message.join(" ") : String(message)}`)
    })
  )
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
