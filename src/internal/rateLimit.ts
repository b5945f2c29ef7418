/**
 * `ClerkClient`'s `rateLimit` option as a wrapper of one attempt: take a slot from the
 * limiter first (waiting for it up to `maxWait`, or failing typed before sending), and report
 * a 429's Retry-After to the budget. A limiter that fails or does not answer in time is logged
 * and the attempt goes ahead: a broken limiter never stops or hangs a call.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { catchAll, toDuration, TRUSTED } from "#line/Kernel"
import type { ClerkClientOptions, RateLimitPolicy } from "./options.js"
import type { ClerkRequest } from "./request.js"
import { ClerkApiError, type ClerkError, ClerkRateLimited } from "../ClerkError.js"
import { timeoutFail } from "./attempt.js"
import { BUDGET_EXHAUSTED, isBudgetExhausted, MAX_HOLD_MILLIS } from "./budget.js"
import type { FleetError, RateLimiterService } from "./fleet.js"

/** Clerk's documented per-instance limit (per 10 s) for a key: production keys get 1000. */
const documentedLimit = (secretKey: Redacted.Redacted<string>) => Redacted.value(secretKey).startsWith("sk_live_") ? 1000 : 100

export const makeRateLimit = (
  options: ClerkClientOptions,
  limiter: RateLimiterService,
  instanceKey: Effect.Effect<string>
) => {
  const policy: RateLimitPolicy = typeof options.rateLimit === "object" ? options.rateLimit : {}
  const deadline = options.retry === false || options.retry?.deadline === undefined
    ? Duration.seconds(60)
    : options.retry.deadline
  const request = {
    limit: policy.limit ?? documentedLimit(options.secretKey),
    windowMillis: Duration.toMillis(policy.window ?? Duration.seconds(11)),
    maxWaitMillis: policy.onLimit === "fail" ? 0 : Duration.toMillis(policy.maxWait ?? deadline)
  }
  const timeout = toDuration(policy.timeout ?? Duration.seconds(1))
  const timedOut = (): FleetError => ({ message: `the rate limiter did not answer within ${Duration.format(timeout)}` })
  const unavailable = (what: string) => (error: FleetError) =>
    Effect.logWarning(`effect-clerk: ${what}: ${error.message}`)

  const take = (spec: ClerkRequest): Effect.Effect<void, ClerkRateLimited> =>
    Effect.flatMap(instanceKey, (key) =>
      timeoutFail(limiter.acquire(key, request), timeout, timedOut).pipe(
        Effect.matchEffect({
          onFailure: unavailable("sending without the rate limit"),
          onSuccess: (grant): Effect.Effect<void, ClerkRateLimited> => {
            // A grant past maxWait (a custom limiter, a Durable Object of another version) is
            // refused like a spent budget: the caller never waits longer than it allowed.
            if (grant.granted && grant.waitMillis <= request.maxWaitMillis) {
              return grant.waitMillis > 0 ? Effect.sleep(Duration.millis(grant.waitMillis)) : Effect.void
            }
            const wait = Duration.millis(
              Number.isFinite(grant.waitMillis) ? Math.min(Math.max(0, grant.waitMillis), MAX_HOLD_MILLIS) : MAX_HOLD_MILLIS
            )
            return Effect.fail(
              new ClerkRateLimited({
                status: 0,
                errors: [
                  new ClerkApiError({
                    code: BUDGET_EXHAUSTED,
                    message: "The request budget is spent",
                    longMessage: `The Clerk request budget (${request.limit} per ${Duration.format(Duration.millis(request.windowMillis))}) ` +
                      `has no slot for ${Duration.format(wait)}; ${spec.method} ${spec.path} was not sent`
                  })
                ],
                retryAfter: wait
              }, TRUSTED)
            )
          }
        })
      ))

  const reportRetryAfter = (error: ClerkError): Effect.Effect<void> =>
    error._tag === "ClerkRateLimited" && error.retryAfter !== undefined && !isBudgetExhausted(error)
      ? Effect.flatMap(instanceKey, (key) =>
        // At most a minute: a Retry-After of years must not stop the fleet for years.
        timeoutFail(limiter.holdOff(key, Math.min(Duration.toMillis(error.retryAfter!), MAX_HOLD_MILLIS)), timeout, timedOut).pipe(
          catchAll(unavailable("could not share Clerk's Retry-After with the rate limiter"))
        ))
      : Effect.void

  return <A, E extends ClerkError>(spec: ClerkRequest, attempt: Effect.Effect<A, E>): Effect.Effect<A, E | ClerkRateLimited> =>
    spec.rateLimited === false
      ? attempt
      : Effect.andThen(take(spec), Effect.tapError(attempt, reportRetryAfter))
}
