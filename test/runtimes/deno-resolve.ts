// Run by test/runtimes/deno.test.ts under Deno: load each package, then print where it resolved.
import "@effect/platform/HttpClient"
import "effect"
import "effect-clerk"
import "jose"

for (const specifier of ["effect", "@effect/platform/HttpClient", "jose", "effect-clerk"]) {
  console.log(`${specifier} -> ${import.meta.resolve(specifier)}`)
}
