import { FetchHttpClient, HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
import { Effect, Layer, Redacted, Schema } from "effect"
import { ClerkClient, TokenVerifier } from "effect-clerk"
import { ClerkAuth, CurrentSession } from "effect-clerk/http"

// A JSON API on Cloudflare Workers: /invoices for signed-in members who may read invoices,
// its OpenAPI document (security schemes, 401/403/503 included) at /openapi.json.
class Api extends HttpApi.make("invoices").add(
  HttpApiGroup.make("invoices").add(
    HttpApiEndpoint.get("list", "/invoices").addSuccess(Schema.Struct({ organization: Schema.String, canManage: Schema.Boolean }))
  ).middleware(ClerkAuth)
) {}

const InvoicesLive = HttpApiBuilder.group(Api, "invoices", (handlers) =>
  handlers.handle("list", () =>
    Effect.map(CurrentSession.require({ permission: "org:invoices:read" }), (session) => ({
      organization: session.orgId ?? "",
      canManage: session.has({ permission: "org:invoices:manage" })
    }))))

interface Env { readonly CLERK_SECRET_KEY: string; readonly CLERK_API_URL?: string; readonly APP_ORIGIN: string }

const makeHandler = (env: Env) => {
  const ApiLive = HttpApiBuilder.api(Api).pipe(
    Layer.provide(InvoicesLive),
    Layer.provide(ClerkAuth.layer),
    Layer.provide(TokenVerifier.layer({ authorizedParties: [env.APP_ORIGIN] })),
    Layer.provide(ClerkClient.layer({ secretKey: Redacted.make(env.CLERK_SECRET_KEY), apiUrl: env.CLERK_API_URL })),
    Layer.provide(FetchHttpClient.layer)
  )
  const OpenApiLive = HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }).pipe(Layer.provideMerge(ApiLive))
  return HttpApiBuilder.toWebHandler(Layer.mergeAll(OpenApiLive, HttpServer.layerContext)).handler
}

// One handler per isolate (its JWKS cache with it), built on the first request.
let handler: ((request: Request) => Promise<Response>) | undefined
export default {
  fetch: (request: Request, env: Env) => (handler ??= makeHandler(env))(request)
}
