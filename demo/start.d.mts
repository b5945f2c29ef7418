/** Bundle the demo for `line` into `outfile`, an ES module that starts the demo when run. */
export declare const buildDemo: (line: "effect3" | "effect4", outfile: string) => Promise<string>
