/**
 * Row 8: what Clerk authentication adds to each request of an Effect HttpApi server, CPU per
 * request. One `GET /me` served in-process as the line's web handler, timed as
 * `await handler(new Request(url, { headers: { authorization: "Bearer <token>" } }))` plus
 * reading the body:
 *
 *   A. the endpoint with no middleware, answering a small JSON struct;
 *   B. the same endpoint behind `ClerkAuth` (its `TokenVerifier` with the PEM key imported
 *      once, as row 3's "effect-clerk"), the handler reading `CurrentSession`;
 *   C. @clerk/backend's `authenticateRequest` on the same request (`jwtKey`, networkless):
 *      what authentication alone costs in Clerk's SDK.
 *
 * B − A is the marginal cost of authentication on the server; the report sets it against C.
 * The HttpApi is spelled per line in bench/line/<line>/HttpApi.ts (`#bench-line/HttpApi`).
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { createClerkClient } from "@clerk/backend"
import { exportSPKI, generateKeyPair } from "jose"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { SECRET_KEY, signSessionToken, TOKEN_AZP, TOKEN_USER_ID } from "./fixtures.js"
import { check, runRow } from "./harness.js"
// The line's HttpApi: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { authHandler, plainHandler } from "#bench-line/HttpApi"

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 150)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2000)

const AZP = TOKEN_AZP
const USER_ID = TOKEN_USER_ID
// A publishable key for the instance at clerk.example.com (`pk_test_` + base64 of its frontend API + `$`).
const PUBLISHABLE_KEY = `pk_test_${Buffer.from("clerk.example.com$").toString("base64")}`
const URL_ME = `${AZP}/me`

const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true })
const pem = await exportSPKI(publicKey)
const token = await signSessionToken(privateKey)

const request = (bearer = token) => new Request(URL_ME, { headers: { authorization: `Bearer ${bearer}` } })

const plain = plainHandler(USER_ID)
const auth = authHandler(TokenVerifier.layerJwtKey({ jwtKey: pem, authorizedParties: [AZP] }))
const clerk = createClerkClient({ secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY })

const serve = async (handler: (request: Request) => Promise<Response>, bearer?: string) => {
  const response = await handler(request(bearer))
  return { status: response.status, body: await response.text() }
}
const clerkAuth = (bearer?: string) => clerk.authenticateRequest(request(bearer), { jwtKey: pem, authorizedParties: [AZP] })

const expected = JSON.stringify({ userId: USER_ID })
const a = await serve(plain.handler)
const b = await serve(auth.handler)
check("A: no middleware answers 200 { userId }", a.status === 200 && a.body === expected)
check("B: ClerkAuth answers 200 { userId } from the session", b.status === 200 && b.body === expected)
const c = await clerkAuth()
check("C: @clerk/backend signs the request in", c.isSignedIn && c.toAuth().userId === USER_ID)
// A tampered token is refused by B and C, so neither is skipping the work.
const tampered = token.slice(0, -6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA")
check("B refuses a bad signature with 401", (await serve(auth.handler, tampered)).status === 401)
check("C refuses a bad signature", !(await clerkAuth(tampered)).isSignedIn)

const contenders = await runRow("auth", [
  { name: "no middleware", fn: () => serve(plain.handler) },
  { name: "ClerkAuth", fn: () => serve(auth.handler) },
  { name: "@clerk/backend", fn: () => clerkAuth() }
], { rounds, budgetMs, warmupMs })

await Promise.all([plain.dispose(), auth.dispose()])
process.stdout.write(JSON.stringify({ row8: { contenders, rounds, budgetMs, warmupMs } }) + "\n")
