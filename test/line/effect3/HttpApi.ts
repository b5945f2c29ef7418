/**
 * The Effect 3 side of `#test-line/HttpApi` (same exports as test/line/effect4/HttpApi.ts): a
 * small HttpApi in @effect/platform 0.97's own spelling — a public group and a group behind
 * `ClerkAuth` — served as a web handler, and its OpenAPI document.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpServer from "@effect/platform/HttpServer"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ClerkAuth, ClerkWebhookInvalid, ClerkWebhooks } from "../../../src/http/index.js"
import type { ClerkWebhookEvent } from "../../../src/http/index.js"
import { adminHandler, type ApiHandler, billingHandler, hello, Me, meHandler, Ok, receive, Received, unusedWebhooks } from "../api.js"

class Api extends HttpApi.make("test")
  .add(HttpApiGroup.make("public").add(HttpApiEndpoint.get("hello", "/public").addSuccess(Ok)))
  .add(
    HttpApiGroup.make("private")
      .add(HttpApiEndpoint.get("me", "/me").addSuccess(Me))
      .add(HttpApiEndpoint.get("admin", "/admin").addSuccess(Ok))
      .add(HttpApiEndpoint.get("billing", "/billing").addSuccess(Ok))
      .middleware(ClerkAuth)
  )
  .add(
    HttpApiGroup.make("webhooks").add(
      HttpApiEndpoint.post("clerk", "/webhooks/clerk").addSuccess(Received).addError(ClerkWebhookInvalid)
    )
  )
{}

const PublicLive = HttpApiBuilder.group(Api, "public", (handlers) => handlers.handle("hello", hello))
const PrivateLive = HttpApiBuilder.group(Api, "private", (handlers) =>
  handlers.handle("me", meHandler).handle("admin", adminHandler).handle("billing", billingHandler))

const webhooksLive = (received: Array<ClerkWebhookEvent>) =>
  HttpApiBuilder.group(Api, "webhooks", (handlers) =>
    handlers.handle("clerk", () =>
      Effect.map(ClerkWebhooks.verifyRequest, receive(received))))

/** The API as a web handler (see `ApiHandler`). */
export const apiHandler: ApiHandler = (verifier, webhooks = unusedWebhooks, received = []) =>
  HttpApiBuilder.toWebHandler(
    Layer.mergeAll(
      HttpApiBuilder.api(Api).pipe(Layer.provide([PublicLive, PrivateLive, webhooksLive(received).pipe(Layer.provide(webhooks))]), Layer.provide(ClerkAuth.layer), Layer.provide(verifier)),
      HttpServer.layerContext
    )
  )

/** The API's OpenAPI document. */
export const apiSpec = (): any => OpenApi.fromApi(Api)

