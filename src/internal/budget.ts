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

export const makeBudget = (): Budget => ({ slots: [], holdUntil: 0 })

export const reserve = (budget: Budget, now: number, request: BudgetRequest): Grant => {
  const { slots } = budget
  const limit = Math.max(1, Math.floor(request.limit))
  let at = Math.max(now, budget.holdUntil)
  if (slots.length >= limit) at = Math.max(at, slots[slots.length - limit]! + request.windowMillis)
  const waitMillis = at - now
  if (waitMillis > request.maxWaitMillis) return { granted: false, waitMillis }
  slots.push(at)
  if (slots.length > limit) slots.splice(0, slots.length - limit)
  return { granted: true, waitMillis }
}

/** Clerk answered 429 with Retry-After: nothing is granted for `millis` from `now`. */
export const holdOff = (budget: Budget, now: number, millis: number): void => {
  budget.holdUntil = Math.max(budget.holdUntil, now + millis)
}

/** Whether a JSON value is a usable `BudgetRequest` (the Durable Object checks what it is sent). */
export const isBudgetRequest = (value: unknown): value is BudgetRequest => {
  if (typeof value !== "object" || value === null) return false
  const { limit, maxWaitMillis, windowMillis } = value as Record<string, unknown>
  return typeof limit === "number" && limit >= 1 && Number.isFinite(limit) &&
    typeof windowMillis === "number" && windowMillis > 0 && Number.isFinite(windowMillis) &&
    typeof maxWaitMillis === "number" && maxWaitMillis >= 0
}
