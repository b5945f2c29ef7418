/**
 * The bare Effect program's model (bench/workers/bare-effect.ts), Effect 4 spelling: the same
 * Schema class (camelCase on both sides in effect 4), its wire keys renamed by `encodeKeys`.
 */
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schema from "effect/Schema"

export class Session extends Schema.Class<Session>("Session")({
  id: Schema.String,
  status: Schema.String,
  createdAt: Schema.DateTimeUtcFromMillis
}) {}

export const decodeSession = HttpClientResponse.schemaBodyJson(Session.pipe(Schema.encodeKeys({ createdAt: "created_at" })))
