/**
 * The request budget of one Clerk instance, as a sliding log of granted send times: the
 * memory limiter and the Durable Object both run it. A slot is granted at the earliest time
 * `t >= now` that is past any hold-off (a 429's Retry-After) and at least `window` after the
 * slot `limit` places back, so no window of that length ever holds more than `limit` sends,
 * wherever it starts (a token bucket lets up to twice its size through a window that
 * straddles a refill). Slots may lie in the future: a caller granted a wait has its slot
 * reserved, so waiting costs no second round trip.
 */
export interface Budget {
  /** Granted send times, ascending; at most the last `limit` are kept. */
  readonly slots: Array<number>
  /** No slot before this time (epoch ms). */
  holdUntil: number
}

export interface BudgetRequest {
  readonly limit: number
  readonly windowMillis: number
  /** Grant (and reserve) only if the wait is at most this long; otherwise take nothing. */
  readonly maxWaitMillis: number
}

/** `granted`: a slot is reserved `waitMillis` from now. Otherwise nothing was taken. */
export interface Grant {
  readonly granted: boolean
  readonly waitMillis: number
}

/**
 * The longest a 429's Retry-After holds the shared budget: one minute. Clerk's own windows
 * are 10 seconds; a Retry-After of years (a broken proxy, a hostile answer) must not stop a
 * fleet for longer than this. The client caps what it reports, the budget caps what it keeps.
 */
export const MAX_HOLD_MILLIS = 60_000

/** The bounds of a `BudgetRequest`: a larger limit or a longer window or wait is refused. */
export const MAX_LIMIT = 10_000
export const MAX_WINDOW_MILLIS = 5 * 60_000
export const MAX_WAIT_MILLIS = 5 * 60_000

export const makeBudget = (): Budget => ({ slots: [], holdUntil: 0 })

export const reserve = (budget: Budget, now: number, request: BudgetRequest): Grant => {
  const { slots } = budget
  const limit = Math.max(1, Math.floor(request.limit))
  let at = Math.max(now, budget.holdUntil)
  if (slots.length >= limit) at = Math.max(at, slots[slots.length - limit]! + request.windowMillis)
  const waitMillis = at - now
  if (waitMillis > request.maxWaitMillis) return { granted: false, waitMillis }
  slots.push(at)
  // Only the last `limit` slots, and only those a window can still hold, constrain a grant.
  let drop = Math.max(0, slots.length - limit)
  while (drop < slots.length && slots[drop]! <= now - request.windowMillis) drop++
  if (drop > 0) slots.splice(0, drop)
  return { granted: true, waitMillis }
}

/** Clerk answered 429 with Retry-After: nothing is granted for `millis` from `now`. */
export const holdOff = (budget: Budget, now: number, millis: number): void => {
  const held = Math.min(Math.max(0, millis), MAX_HOLD_MILLIS)
  // A hold already past the ceiling (kept by an older version) is cut back to it too.
  budget.holdUntil = Math.min(Math.max(budget.holdUntil, now + held), now + MAX_HOLD_MILLIS)
}

/** Whether a JSON value is a usable `BudgetRequest` (the Durable Object checks what it is sent). */
export const isBudgetRequest = (value: unknown): value is BudgetRequest => {
  if (typeof value !== "object" || value === null) return false
  const { limit, maxWaitMillis, windowMillis } = value as Record<string, unknown>
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_LIMIT &&
    typeof windowMillis === "number" && windowMillis > 0 && windowMillis <= MAX_WINDOW_MILLIS &&
    typeof maxWaitMillis === "number" && maxWaitMillis >= 0 && maxWaitMillis <= MAX_WAIT_MILLIS
}

/** Whether a JSON value is a usable hold (milliseconds; holds past MAX_HOLD_MILLIS are cut to it). */
export const isHold = (millis: unknown): millis is number =>
  typeof millis === "number" && millis >= 0 && Number.isFinite(millis)

/** The code of the `ClerkRateLimited` a spent budget fails with (status 0: nothing was sent). */
export const BUDGET_EXHAUSTED = "rate_limit_budget_exhausted"

/** The budget said no (or no sooner than maxWait): the request was never sent. */
export const isBudgetExhausted = (error: { readonly status: number; readonly errors: ReadonlyArray<{ readonly code: string }> }): boolean =>
  error.status === 0 && error.errors[0]?.code === BUDGET_EXHAUSTED
