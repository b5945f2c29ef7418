import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import { ClerkMiddleware, CurrentSession, OptionalSession } from "effect-clerk/http"

// A public page that shows more when signed in, and an API route for signed-in users only.
// Both need a TokenVerifier (TokenVerifier.layer({ authorizedParties: [...] })) in context.
export const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/",
    ClerkMiddleware.optional(Effect.flatMap(OptionalSession, (session) =>
      HttpServerResponse.json({ signedIn: Option.isSome(session) })))
  ),
  HttpRouter.get(
    "/invoices",
    ClerkMiddleware.required(Effect.gen(function*() {
      const session = yield* CurrentSession.require({ permission: "org:invoices:read" })
      return yield* HttpServerResponse.json({ organization: session.orgId, invoices: [] })
    }).pipe(
      // CurrentSession.require's refusal (ClerkForbidden) as the 403 it stands for.
      Effect.catchTag("ClerkForbidden", () => HttpServerResponse.json({ error: "forbidden" }, { status: 403 }))
    ))
  )
)
