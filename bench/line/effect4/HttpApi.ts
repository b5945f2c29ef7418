/**
 * Row 8's HttpApi server, Effect 4 spelling (`effect/http` and `effect/http-api`; same exports
 * as bench/line/effect3/HttpApi.ts): one `GET /me` answering `{ userId }`, served in-process
 * as a web handler, without any middleware (`plainHandler`) or behind `ClerkAuth`
 * (`authHandler`, the user id read from `CurrentSession`).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import { ClerkAuth, CurrentSession } from "../../../src/http/index.js"
import type { TokenVerifier } from "../../../src/TokenVerifier.js"

/** An in-process web handler and what releases it. */
export interface WebHandler {
  readonly handler: (request: Request) => Promise<Response>
  readonly dispose: () => Promise<void>
}

const Me = Schema.Struct({ userId: Schema.String })

class PlainApi extends HttpApi.make("plain").add(HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me", { success: Me }))) {}

class AuthApi extends HttpApi.make("auth").add(
  HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me", { success: Me })).middleware(ClerkAuth)
) {}

/** A: `GET /me` with no middleware, answering `{ userId }` (the same body B answers). */
export const plainHandler = (userId: string): WebHandler => {
  const GroupLive = HttpApiBuilder.group(PlainApi, "me", (handlers) => handlers.handle("me", () => Effect.succeed({ userId })))
  return HttpRouter.toWebHandler(
    HttpApiBuilder.layer(PlainApi).pipe(Layer.provide(GroupLive), Layer.provide(HttpServer.layerServices)),
    { disableLogger: true }
  )
}

/** B: the same `GET /me` behind `ClerkAuth` (verifying with `verifier`), answering the session's `userId`. */
export const authHandler = <E>(verifier: Layer.Layer<TokenVerifier, E>): WebHandler => {
  const GroupLive = HttpApiBuilder.group(AuthApi, "me", (handlers) =>
    handlers.handle("me", () => Effect.map(CurrentSession, (session) => ({ userId: session.userId }))))
  return HttpRouter.toWebHandler(
    HttpApiBuilder.layer(AuthApi).pipe(
      Layer.provide(GroupLive),
      Layer.provide(ClerkAuth.layer),
      Layer.provide(verifier),
      Layer.provide(HttpServer.layerServices)
    ),
    { disableLogger: true }
  )
}
