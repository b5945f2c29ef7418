/** The release lines. */
export declare const LINES: ReadonlyArray<"effect3" | "effect4">
/** The directory of the `effect` package a line bundles. */
export declare const effectDirOf: (line: string) => string
/** Conditions to add to a build's own for `line`. */
export declare const lineConditions: (line: string) => Array<string>
/** The esbuild plugin of `line`: where its `effect` comes from (scripts/lines.mjs). */
export declare const linePlugin: (
  line: string,
  options?: { readonly external?: boolean }
) => { readonly name: string; setup(build: unknown): void }
