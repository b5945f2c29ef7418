/**
 * The bare Effect program's model (bench/workers/bare-effect.ts), Effect 3 spelling: a Schema
 * class with a DateTime field read from another key on the wire, and the response decoder.
 */
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Schema from "effect/Schema"

export class Session extends Schema.Class<Session>("Session")({
  id: Schema.String,
  status: Schema.String,
  createdAt: Schema.DateTimeUtcFromNumber.pipe(Schema.propertySignature, Schema.fromKey("created_at"))
}) {}

export const decodeSession = HttpClientResponse.schemaBodyJson(Session)
