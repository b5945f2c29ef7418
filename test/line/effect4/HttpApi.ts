/**
 * The Effect 4 side of `#test-line/HttpApi` (same exports as test/line/effect3/HttpApi.ts): a
 * small HttpApi in effect 4's own spelling — a public group and a group behind `ClerkAuth` —
 * served as a web handler, and its OpenAPI document.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import { ClerkAuth, ClerkWebhookInvalid, ClerkWebhooks } from "../../../src/http/index.js"
import type { ClerkWebhookEvent } from "../../../src/http/index.js"
import { adminHandler, type ApiHandler, billingHandler, hello, Me, meHandler, Ok, receive, Received, unusedWebhooks } from "../api.js"

class Api extends HttpApi.make("test")
  .add(HttpApiGroup.make("public").add(HttpApiEndpoint.get("hello", "/public", { success: Ok })))
  .add(
    HttpApiGroup.make("private")
      .add(HttpApiEndpoint.get("me", "/me", { success: Me }))
      .add(HttpApiEndpoint.get("admin", "/admin", { success: Ok }))
      .add(HttpApiEndpoint.get("billing", "/billing", { success: Ok }))
      .middleware(ClerkAuth)
  )
  .add(
    HttpApiGroup.make("webhooks").add(
      HttpApiEndpoint.post("clerk", "/webhooks/clerk", { success: Received, error: ClerkWebhookInvalid })
    )
  )
{}

const PublicLive = HttpApiBuilder.group(Api, "public", (handlers) => handlers.handle("hello", hello))
const PrivateLive = HttpApiBuilder.group(Api, "private", (handlers) =>
  handlers.handle("me", meHandler).handle("admin", adminHandler).handle("billing", billingHandler))

// Effect 4's handlers take their services when the group is built (a handler's own
// requirements would be the request's), so ClerkWebhooks is read here.
const webhooksLive = (received: Array<ClerkWebhookEvent>) =>
  HttpApiBuilder.group(Api, "webhooks", (handlers) =>
    Effect.map(ClerkWebhooks, (webhooks) =>
      handlers.handle("clerk", () =>
        Effect.map(Effect.flatMap(HttpServerRequest, webhooks.verifyServerRequest), receive(received)))))

/** The API as a web handler (see `ApiHandler`). */
export const apiHandler: ApiHandler = (verifier, webhooks = unusedWebhooks, received = []) =>
  HttpRouter.toWebHandler(
    HttpApiBuilder.layer(Api).pipe(
      Layer.provide([PublicLive, PrivateLive, webhooksLive(received).pipe(Layer.provide(webhooks))]),
      Layer.provide(ClerkAuth.layer),
      Layer.provide(verifier),
      Layer.provide(HttpServer.layerServices)
    ),
    { disableLogger: true }
  )

/** The API's OpenAPI document. */
export const apiSpec = (): any => OpenApi.fromApi(Api)
