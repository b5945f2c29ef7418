/** Every cycle (a list of files, first = last) of src/'s import graph on `line`, type-only imports included. */
export declare const findCycles: (line: "effect3" | "effect4") => { readonly modules: number; readonly cycles: ReadonlyArray<ReadonlyArray<string>> }
