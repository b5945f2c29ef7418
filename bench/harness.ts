/**
 * Interleaved micro-benchmarks on mitata's sampler: every contender of a row is measured
 * once per round, the order rotating each round, so drift on a shared machine hits all of
 * them alike.
 *
 * Two numbers per round: the process CPU time (user + system, all threads, so garbage
 * collection is paid by whoever allocates) divided by the calls made, and mitata's median
 * wall time per call. CPU time is the primary one: it is what a Worker is billed and it
 * does not count the time other processes on a shared machine take. A row's number is
 * the median over the rounds; the spread is their lowest and highest.
 *
 * Warm-up is long on purpose: V8 keeps growing its young generation for a few seconds
 * under allocation-heavy code, and timing before that settles measures the heap, not us.
 * For the same reason no full collection is forced between measurements (mitata's
 * default, which shrinks the heap back, or without --expose-gc allocates 1 GiB to force
 * one): every contender is timed in the steady state a long-running process reaches.
 */
import { measure } from "mitata"

export interface Contender {
  readonly name: string
  readonly fn: () => unknown
}

export interface ContenderResult {
  readonly name: string
  /** Median over the rounds of the CPU time per call, nanoseconds. */
  readonly median: number
  readonly low: number
  readonly high: number
  /** Per-round CPU time per call, nanoseconds. */
  readonly rounds: ReadonlyArray<number>
  /** Median over the rounds of mitata's median wall time per call, nanoseconds. */
  readonly wallP50: number
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

const cpuNanos = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) * 1000
}

export const runRow = async (
  label: string,
  contenders: ReadonlyArray<Contender>,
  options: RowOptions = {}
): Promise<ReadonlyArray<ContenderResult>> => {
  const rounds = options.rounds ?? 7
  const budget = (options.budgetMs ?? 150) * 1e6
  const cpu = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const wall = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const calls = new Map<string, number>(contenders.map((c) => [c.name, 0]))
  // Warm-up: every contender runs until its JIT and heap have settled before anything is timed.
  const warmup = (options.warmupMs ?? 2000) * 1e6
  for (const c of contenders) await measure(c.fn, { min_cpu_time: warmup, min_samples: 32, gc: false })
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length]
      let n = 0
      const counted = () => {
        n++
        return c.fn()
      }
      const since = process.cpuUsage()
      const stats = await measure(counted, { min_cpu_time: budget, min_samples: 32, gc: false })
      cpu.get(c.name)!.push(cpuNanos(since) / n)
      wall.get(c.name)!.push(stats.p50)
      calls.set(c.name, calls.get(c.name)! + n)
    }
    process.stderr.write(`  ${label}: round ${r + 1}/${rounds}\r`)
  }
  process.stderr.write("\n")
  return contenders.map((c) => {
    const values = cpu.get(c.name)!
    return {
      name: c.name,
      median: median(values),
      low: Math.min(...values),
      high: Math.max(...values),
      rounds: values,
      wallP50: median(wall.get(c.name)!),
      calls: calls.get(c.name)!
    }
  })
}

/** Fail loudly before timing anything if a contender does not produce what it should. */
export const check = (what: string, ok: boolean) => {
  if (!ok) throw new Error(`bench sanity check failed: ${what}`)
}
