import { Effect, Option } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { ClerkMiddleware, CurrentSession, OptionalSession } from "effect-clerk/http"

// A public page that shows more when signed in, and an API route for signed-in users only.
// Both need a TokenVerifier (TokenVerifier.layer({ authorizedParties: [...] })) in context.
export const Routes = HttpRouter.addAll([
  HttpRouter.route(
    "GET",
    "/",
    ClerkMiddleware.optional(Effect.flatMap(OptionalSession, (session) =>
      HttpServerResponse.json({ signedIn: Option.isSome(session) })))
  ),
  HttpRouter.route(
    "GET",
    "/invoices",
    ClerkMiddleware.required(Effect.gen(function*() {
      const session = yield* CurrentSession.require({ permission: "org:invoices:read" })
      return yield* HttpServerResponse.json({ organization: session.orgId, invoices: [] })
    }).pipe(
      // CurrentSession.require's refusal (ClerkForbidden) as the 403 it stands for.
      Effect.catchTag("ClerkForbidden", () => HttpServerResponse.json({ error: "forbidden" }, { status: 403 }))
    ))
  )
])
