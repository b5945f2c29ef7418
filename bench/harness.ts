/**
 * Interleaved micro-benchmarks on mitata's sampler: every contender of a row is measured
 * once per round, the order rotating each round, so drift on a shared machine hits all of
 * them alike. Each round's number is the mean time per call (mitata's trimmed average, so
 * garbage collection is paid by whoever allocates); a row's number is the median of those
 * per-round means, and the spread is the lowest and highest of them.
 *
 * Warm-up is long on purpose: V8 keeps growing its young generation for a few seconds
 * under allocation-heavy code, and timing before that settles measures the heap, not us.
 */
import { measure } from "mitata"

export interface Contender {
  readonly name: string
  readonly fn: () => unknown
}

export interface ContenderResult {
  readonly name: string
  /** Median over the rounds of the mean time per call, nanoseconds. */
  readonly median: number
  readonly low: number
  readonly high: number
  /** Per-round mean time per call, nanoseconds. */
  readonly rounds: ReadonlyArray<number>
  /** Calls timed, all rounds together. */
  readonly calls: number
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export interface RowOptions {
  readonly rounds?: number
  /** Time budget per contender per round, milliseconds. */
  readonly budgetMs?: number
  /** Warm-up per contender before the first round, milliseconds. */
  readonly warmupMs?: number
}

export const runRow = async (
  label: string,
  contenders: ReadonlyArray<Contender>,
  options: RowOptions = {}
): Promise<ReadonlyArray<ContenderResult>> => {
  const rounds = options.rounds ?? 7
  const budget = (options.budgetMs ?? 150) * 1e6
  const perRound = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const calls = new Map<string, number>(contenders.map((c) => [c.name, 0]))
  // Warm-up: every contender runs until its JIT and heap have settled before anything is timed.
  const warmup = (options.warmupMs ?? 2000) * 1e6
  for (const c of contenders) await measure(c.fn, { min_cpu_time: warmup, min_samples: 32 })
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length]
      const stats = await measure(c.fn, { min_cpu_time: budget, min_samples: 32 })
      perRound.get(c.name)!.push(stats.avg)
      calls.set(c.name, calls.get(c.name)! + stats.ticks)
    }
    process.stderr.write(`  ${label}: round ${r + 1}/${rounds}\r`)
  }
  process.stderr.write("\n")
  return contenders.map((c) => {
    const values = perRound.get(c.name)!
    return {
      name: c.name,
      median: median(values),
      low: Math.min(...values),
      high: Math.max(...values),
      rounds: values,
      calls: calls.get(c.name)!
    }
  })
}

/** Fail loudly before timing anything if a contender does not produce what it should. */
export const check = (what: string, ok: boolean) => {
  if (!ok) throw new Error(`bench sanity check failed: ${what}`)
}
