/** Pass/fail counts of one runtime. */
export interface Tally {
  readonly passed: number
  readonly failed: number
}

/** The part of vitest's JSON report `readReport` reads. */
export interface JsonReport {
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly status: string
    readonly message?: string
    readonly assertionResults: ReadonlyArray<{
      readonly ancestorTitles: ReadonlyArray<string>
      readonly title: string
      readonly status: string
    }>
  }>
}

/** Tally one vitest run: counts and failed names per runtime. */
export declare const readReport: (
  report: JsonReport | undefined,
  options: { readonly name: string; readonly status: number; readonly root: string; readonly owner?: string; readonly runtimeOf?: (file: string) => string }
) => { readonly tally: Map<string, Tally>; readonly failures: Map<string, ReadonlyArray<string>> }

/** The lines `npm test` prints after its summary: nothing when nothing failed. */
export declare const failureLines: (failures: Map<string, ReadonlyArray<string>>, order: ReadonlyArray<string>) => Array<string>
