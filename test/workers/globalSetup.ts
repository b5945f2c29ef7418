/**
 * Runs in Node before the workerd suite: the Clerk emulator served on 127.0.0.1 by its Node
 * adapter, for the SDK inside workerd and for the example Worker (`SELF`). Tests in workerd
 * cannot reach this process's objects, so the server also answers a few `/__test/*` routes
 * (never part of the emulator itself) to inject faults, seed sessions and read the log.
 */
import * as Effect from "effect/Effect"
import type { TestProject } from "vitest/node"
import { ClerkEmulator, type EmulatorRoute, Fault } from "../../src/testing/index.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"

declare module "vitest" {
  export interface ProvidedContext {
    clerkUrl: string
    clerkSecretKey: string
    /** The example Worker's CLERK_WEBHOOK_SIGNING_SECRET (test/workers/webhooks.test.ts signs with it). */
    webhookSigningSecret: string
  }
}

export const SECRET_KEY = "sk_test_workerd_suite"

/** The fault a test asks for, as JSON. */
interface FaultRequest {
  readonly fault: "rateLimited" | "status" | "html" | "hang" | "delay" | "truncatedJson" | "wrongShape"
  readonly status?: number
  readonly retryAfter?: number
  readonly millis?: number
  readonly route?: EmulatorRoute
  readonly times?: number
}

const toFault = (req: FaultRequest) => {
  switch (req.fault) {
    case "rateLimited":
      return Fault.rateLimited({ retryAfter: req.retryAfter })
    case "status":
      return Fault.status(req.status ?? 500)
    case "html":
      return Fault.html(req.status ?? 502)
    case "hang":
      return Fault.hang()
    case "delay":
      return Fault.delay(req.millis ?? 0)
    case "truncatedJson":
      return Fault.truncatedJson()
    case "wrongShape":
      return Fault.wrongShape()
  }
}

export default async function setup(project: TestProject) {
  const emulator = await ClerkEmulator.start({ secretKey: SECRET_KEY })
  const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)
  await run(emulator.seedTemplate({ name: "demo_template", claims: { app: "effect-clerk-example" } }))

  const control = async (request: Request, path: string): Promise<Response> => {
    const body = request.method === "POST" ? await request.json() as any : undefined
    switch (path) {
      case "/__test/fault":
        await run(emulator.injectFault(toFault(body), { route: body.route, times: body.times }))
        return Response.json({ ok: true })
      case "/__test/reset":
        await run(Effect.andThen(emulator.clearFaults, emulator.clearRequests))
        return Response.json({ ok: true })
      case "/__test/user": {
        // A user with `sessions` sessions (body: { sessions, statuses?, organization? }), newest
        // last; with `organization: { role, permissions }` a member of a new organization, which
        // is the sessions' active one.
        const user = await run(emulator.seedUser({}))
        const org = body.organization === undefined ? undefined : await run(emulator.seedOrganization({
          slug: `org-${user.id.slice(-10).toLowerCase()}`,
          members: [{ userId: user.id, role: body.organization.role, permissions: body.organization.permissions }]
        }))
        const sessions = []
        for (let i = 0; i < (body.sessions ?? 1); i++) {
          const status = body.statuses?.[i] ?? "active"
          sessions.push(
            await run(emulator.seedSession({
              userId: user.id,
              status,
              ...(org === undefined ? {} : { activeOrganizationId: org.id }),
              createdAt: Date.now() - (body.sessions - i) * 60_000,
              device: { browserName: "Firefox", deviceType: "Macintosh", city: "Lyon", country: "FR" }
            }))
          )
        }
        return Response.json({ userId: user.id, sessionIds: sessions.map((s) => s.id), organizationId: org?.id ?? null })
      }
      case "/__test/token":
        return Response.json({ jwt: await run(emulator.mintToken(body.sessionId, { template: body.template })) })
      case "/__test/rotate":
        return Response.json(await run(emulator.rotateKey({ keepPrevious: body.keepPrevious === true })))
      case "/__test/pem":
        return Response.json({ pem: await run(emulator.publicKeyPem) })
      case "/__test/requests":
        return Response.json(await run(emulator.requests))
      default:
        return Response.json({ error: `unknown control route ${path}` }, { status: 404 })
    }
  }

  const server = await NodeClerkEmulator.serve((request) => {
    const path = new URL(request.url).pathname
    return path.startsWith("/__test/") ? control(request, path) : emulator.handler(request)
  })
  project.provide("clerkUrl", server.url)
  project.provide("clerkSecretKey", SECRET_KEY)
  // A fresh one per run, as the Dashboard makes one per endpoint: whsec_ + base64 of 24 random bytes.
  project.provide("webhookSigningSecret", `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`)
  return () => server.stop()
}
