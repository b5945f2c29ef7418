/**
 * The public surface is the same on both release lines: this one test body runs on the
 * Effect 3 line (vitest.config.ts) and on the Effect 4 line (lines/effect4/vitest.config.ts),
 * and each time compares what `effect-clerk` and `effect-clerk/testing` export with the
 * reviewed list in test/surface.json: every export's name and kind, every error's `_tag` and
 * fields, every model's fields, every service's static members (`layer`, `layerConfig`, …),
 * which exports are Schemas, and the members of namespace objects (`Fault`).
 * Equal to the same file on both lines means equal to each other; a name added, renamed or
 * dropped on one line only fails here.
 *
 * SURFACE_WRITE=1 rewrites test/surface.json from the line under test (then review the diff).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { LINE } from "#test-line/Testing"
import { Service } from "#line/Kernel"
import * as main from "effect-clerk"
import * as testing from "effect-clerk/testing"
import * as http from "effect-clerk/http"

const file = fileURLToPath(new URL("./surface.json", import.meta.url))

// What Effect's own classes carry as statics on this line, so only the SDK's own are listed.
class ProbeModel extends Schema.Class<ProbeModel>("ProbeModel")({ a: Schema.String }) {}
class ProbeError extends Schema.TaggedError<ProbeError>()("ProbeError", { a: Schema.String }) {}
class ProbeService extends Service<ProbeService, { readonly a: string }>()("ProbeService") {}
const effectStatics = new Set(
  [ProbeModel, ProbeError, ProbeService, class {}].flatMap((c) => Object.getOwnPropertyNames(c))
)

interface Field {
  readonly ast?: { readonly literal?: unknown; readonly type?: { readonly literal?: unknown } }
}
/** A Schema class's fields (effect 3 and 4 both keep them on `fields`). */
const fieldsOf = (value: unknown): Record<string, Field> | undefined =>
  typeof value === "function" && "fields" in value && typeof value.fields === "object" && value.fields !== null
    ? value.fields as Record<string, Field>
    : undefined
/** The literal of a `_tag` field: effect 4 keeps it on the literal's AST, effect 3 on its property signature's type. */
const tagOf = (fields: Record<string, Field>): unknown => fields._tag?.ast?.literal ?? fields._tag?.ast?.type?.literal

const surfaceOf = (module: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(module).sort().map((name) => {
    const value = module[name]
    const entry: Record<string, unknown> = { kind: typeof value }
    // `*FromWire` (Clerk's snake_case JSON → the model) is the model class itself on effect 3 and
    // a separate codec on effect 4; the model it decodes into is listed under its own name.
    const fields = name.endsWith("FromWire") ? undefined : fieldsOf(value)
    if (fields !== undefined) {
      const tag = tagOf(fields)
      if (tag !== undefined) entry.tag = tag
      entry.fields = Object.keys(fields).filter((f) => f !== "_tag").sort()
    }
    if (Schema.isSchema(value)) entry.schema = true
    // A service's own statics (its layers and constructors): services are the classes with a key.
    if (typeof value === "function" && typeof (value as { key?: unknown }).key === "string") {
      entry.statics = Object.getOwnPropertyNames(value).filter((s) => !effectStatics.has(s)).sort()
    }
    // A namespace object's members (`Fault.*`).
    if (typeof value === "object" && value !== null && !Schema.isSchema(value)) entry.members = Object.keys(value).sort()
    return [name, entry]
  }))

describe(`the public surface on ${LINE}`, () => {
  const surface = { "effect-clerk": surfaceOf(main), "effect-clerk/testing": surfaceOf(testing), "effect-clerk/http": surfaceOf(http) }

  it("is the reviewed one (test/surface.json), the same on both lines", () => {
    if (process.env.SURFACE_WRITE === "1") writeFileSync(file, `${JSON.stringify(surface, null, 2)}\n`)
    expect(surface).toEqual(JSON.parse(readFileSync(file, "utf8")))
  })

  it("lists every Clerk error with its tag, and the names a user reaches for", () => {
    const tags = Object.values(surface["effect-clerk"]).map((e) => (e as { tag?: string }).tag).filter(Boolean)
    expect(tags).toEqual(expect.arrayContaining([
      "ClerkBadRequest", "ClerkUnauthorized", "ClerkForbidden", "ClerkNotFound", "ClerkConflict", "ClerkGone",
      "ClerkUnprocessableEntity", "ClerkRateLimited", "ClerkServerError", "ClerkUnexpectedStatus",
      "ClerkTransportError", "ClerkTimeout", "ClerkDecodeError", "ClerkInvalidInput", "ClerkTokenInvalid",
      "ClerkTokenMissing"
    ]))
    expect(surface["effect-clerk"].ClerkClient?.statics).toEqual(
      expect.arrayContaining(["layer", "layerConfig", "layerFetch", "layerFetchConfig"])
    )
    expect(surface["effect-clerk"].TokenVerifier?.statics).toEqual(expect.arrayContaining(["layer", "layerConfig", "layerJwtKey"]))
    expect(surface["effect-clerk"].ClerkRateLimited?.fields).toEqual(expect.arrayContaining(["status", "errors", "clerkTraceId", "retryAfter"]))
    expect(Object.keys(surface["effect-clerk/testing"])).toEqual(expect.arrayContaining(["ClerkEmulator", "SessionsTest", "Fault"]))
    expect(surface["effect-clerk/http"].ClerkWebhooks?.statics).toEqual(["layer", "layerConfig", "verifyRequest"])
    expect(surface["effect-clerk/http"].ClerkWebhookInvalid).toMatchObject({ tag: "ClerkWebhookInvalid", fields: ["message", "reason"] })
  })
})
