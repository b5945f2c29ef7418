#!/usr/bin/env node
// The public exports' JSDoc, read the way docgen reads it: every declaration a user can import
// from an entry point of package.json "exports" carries `@since`, `@category` and an `@example`
// with a ```ts block. `node scripts/docs.mjs` type-checks every such example as its own module
// against both release lines (tsconfig.json: effect 3; tsconfig.effect4.test.json: effect 4),
// so an example that drifts from the API fails `npm test`'s typecheck step; it names the
// export and the source line of the example. test/Docs.test.ts checks the tags with `collect`.
import { readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import ts from "typescript"

const root = resolve(dirname(new URL(import.meta.url).pathname), "..")

/** package.json "exports" → the source files of the entry points (dist/x.js → src/x.ts). */
const entryFiles = () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  return Object.values(pkg.exports)
    .filter((target) => typeof target === "object")
    .map((target) => join(root, target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")))
}

const LINES = ["effect3", "effect4"]
/** The Effect line a file of src/line/<line>/ is written for (its examples compile on that line only). */
const lineOf = (file) => LINES.find((line) => relative(root, file).startsWith(`src/line/${line}/`))
/** The line a tsconfig type-checks. */
const projectLine = (project) => (project.includes("effect4") ? "effect4" : "effect3")

const parse = (file) => ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
const exported = (node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const nameOf = (node) => {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((d) => d.name.getText()).join(", ")
  return node.name?.getText() ?? "(default)"
}

const kindOf = (node) =>
  ts.isClassDeclaration(node) ? "class"
  : ts.isInterfaceDeclaration(node) ? "interface"
  : ts.isTypeAliasDeclaration(node) ? "type"
  : ts.isFunctionDeclaration(node) ? "function"
  : ts.isModuleDeclaration(node) ? "namespace"
  : ts.isVariableStatement(node) ? "const"
  : ts.isEnumDeclaration(node) ? "enum"
  : "other"

/** The text of a JSDoc tag's comment (a string or, with links, a list of parts). */
const tagText = (tag) => (typeof tag.comment === "string" ? tag.comment : (tag.comment ?? []).map((part) => part.text).join(""))

/**
 * Every public declaration: `{ file, line, name, kind, since, category, examples }`, where
 * `examples` are `{ code, line }` (the ```ts blocks of the `@example` tags, `line` 1-based in
 * the source). A namespace merged with a class of the same name (`Sessions.Service`) is part of
 * the class's documentation and has `merged: true`.
 */
export const collect = () => {
  const files = new Map() // file → Set of names to check, or "all"
  const want = (file, names) => {
    const current = files.get(file)
    if (current === "all" || names === "all") files.set(file, "all")
    else files.set(file, new Set([...(current ?? []), ...names]))
  }
  // The entry points, then every file they re-export from, following named re-exports through
  // public modules too (ClerkClient.ts re-exports the option types internal/options.ts declares).
  const queue = entryFiles()
  for (const entry of queue) want(entry, "all")
  const seen = new Set()
  while (queue.length > 0) {
    const file = queue.shift()
    if (seen.has(file)) continue
    seen.add(file)
    for (const statement of parse(file).statements) {
      if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier) continue
      const specifier = statement.moduleSpecifier.text
      // `#line/X` (a class spelled per Effect line, ClerkAuth) is both lines' src/line/<line>/X.ts.
      const targets = specifier.startsWith("#line/")
        ? LINES.map((line) => join(root, "src/line", line, `${specifier.slice("#line/".length)}.ts`))
        : [resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))]
      for (const target of targets) {
        want(target, statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements.map((e) => (e.propertyName ?? e.name).text) : "all")
        queue.push(target)
      }
    }
  }
  const found = []
  for (const [file, names] of files) {
    const source = parse(file)
    const classes = new Set(source.statements.filter((s) => ts.isClassDeclaration(s) && exported(s)).map((s) => s.name?.text))
    for (const node of source.statements) {
      if (!exported(node) || ts.isExportDeclaration(node)) continue
      const name = nameOf(node)
      if (names !== "all" && !names.has(name)) continue
      const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)
      const tags = docs.at(-1)?.tags ?? []
      const text = (tagName) => tags.filter((t) => t.tagName.text === tagName).map(tagText)
      // A class's members' examples (`ClerkClient.layerConfig`, …) are checked with the class's.
      const memberTags = ts.isClassDeclaration(node)
        ? node.members.flatMap((member) => ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc).at(-1)?.tags ?? [])
        : []
      const examples = [...tags, ...memberTags]
        .filter((t) => t.tagName.text === "example")
        .flatMap((tag) => {
          const body = tagText(tag)
          const blocks = [...body.matchAll(/```ts\n([\s\S]*?)```/g)]
          const tagLine = source.getLineAndCharacterOfPosition(tag.getStart()).line + 1
          return blocks.length === 0 ? [{ code: "", line: tagLine }] : blocks.map((m) => ({ code: m[1], line: tagLine + 1 + body.slice(0, m.index).split("\n").length }))
        })
      found.push({
        file: relative(root, file),
        lineOnly: lineOf(file),
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        name,
        kind: kindOf(node),
        merged: ts.isModuleDeclaration(node) && classes.has(name),
        since: text("since"),
        category: text("category"),
        examples
      })
    }
  }
  return found
}

/** Type-check every example against one line's tsconfig; returns the diagnostics as lines. */
export const check = (declarations, project) => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, project), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")) } })
  const options = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false }
  const virtual = new Map()
  for (const d of declarations) {
    if (d.lineOnly !== undefined && d.lineOnly !== projectLine(project)) continue
    d.examples.forEach((example, i) => {
      if (example.code === "") return
      const file = join(root, ".tmp", "doc-examples", `${d.file.replace(/[/.]/g, "_")}__${d.name.replace(/\W/g, "_")}__${i}.ts`)
      // Each example is a module of its own (its names never clash with another example's).
      virtual.set(file, { code: `${example.code}\nexport {}\n`, where: `${d.file}:${example.line} (${d.name}, example ${i + 1})` })
    })
  }
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f)
  host.readFile = (f) => virtual.get(f)?.code ?? readFile.call(host, f)
  host.getSourceFile = (f, language, ...rest) =>
    virtual.has(f) ? ts.createSourceFile(f, virtual.get(f).code, language, true) : getSourceFile.call(host, f, language, ...rest)
  const program = ts.createProgram([...virtual.keys()], options, host)
  const diagnostics = [...virtual.keys()].flatMap((f) => [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))])
  return {
    examples: virtual.size,
    errors: diagnostics.map((d) => {
      const where = virtual.get(d.file?.fileName)?.where ?? d.file?.fileName ?? project
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0
      return `${where} line ${line} of the example: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
    })
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const declarations = collect()
  let failed = false
  for (const d of declarations) {
    const missing = [
      d.since.length === 0 && "@since",
      !d.merged && d.category.length === 0 && "@category",
      !d.merged && d.examples.length === 0 && "@example"
    ].filter(Boolean)
    if (missing.length > 0) {
      failed = true
      console.error(`docs: ${d.file}:${d.line} ${d.kind} ${d.name} lacks ${missing.join(", ")}`)
    }
  }
  for (const project of process.argv.includes("--effect3-only") ? ["tsconfig.json"] : ["tsconfig.json", "tsconfig.effect4.test.json"]) {
    const { examples, errors } = check(declarations, project)
    for (const error of errors) console.error(`docs (${project}): ${error}`)
    console.log(`docs: ${examples} examples type-check against ${project}: ${errors.length === 0 ? "ok" : `${errors.length} error(s)`}`)
    failed ||= errors.length > 0
  }
  process.exit(failed ? 1 : 0)
}
