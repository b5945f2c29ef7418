/** One example of a declaration: the code of a ```ts block and its 1-based line in the source. */
export interface Example {
  readonly code: string
  readonly line: number
}

/** A public declaration and the JSDoc tags docgen reads. */
export interface Declaration {
  readonly file: string
  /** Declared in src/line/<line>/ (spelled per Effect line): its examples are checked on that line only. */
  readonly lineOnly?: "effect3" | "effect4" | undefined
  readonly line: number
  readonly name: string
  readonly kind: "class" | "interface" | "type" | "function" | "namespace" | "const" | "enum" | "other"
  /** A `declare namespace X` merged with `class X`: documented by the class. */
  readonly merged: boolean
  readonly since: ReadonlyArray<string>
  readonly category: ReadonlyArray<string>
  readonly examples: ReadonlyArray<Example>
}

/** Every declaration a user can import from an entry point of package.json "exports". */
export declare const collect: () => Array<Declaration>

/** Type-checks each example as its own module against one line's tsconfig. */
export declare const check: (
  declarations: ReadonlyArray<Declaration>,
  project: string
) => { readonly examples: number; readonly errors: ReadonlyArray<string> }
