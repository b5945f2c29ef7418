/**
 * Row 3: verifying a valid session token with the key already at hand. effect-clerk's
 * TokenVerifier (PEM key, and JWKS fetched once through ClerkClient and cached) against
 * @clerk/backend's `verifyToken` with `jwtKey`, and the floor: jose's `jwtVerify` with a
 * CryptoKey imported once. Same token, same authorized party for everyone.
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { verifyToken } from "@clerk/backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { exportJWK, exportSPKI, generateKeyPair, importSPKI, jwtVerify } from "jose"
import { ClerkClient } from "../src/ClerkClient.js"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { API_URL, jsonResponse, SECRET_KEY, signSessionToken, TOKEN_AZP, TOKEN_KID } from "./fixtures.js"
import { check, runRow } from "./harness.js"
// The line's HTTP client: #bench-line/* is bench/line/effect3/ or, under the effect4 condition, bench/line/effect4/.
import { Fetch, fetchHttpClientLayer } from "#bench-line/Http"

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 150)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2000)

const KID = TOKEN_KID
const AZP = TOKEN_AZP
const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true })
const pem = await exportSPKI(publicKey)
const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: "RS256", use: "sig" }
const token = await signSessionToken(privateKey)

const verifierService = Effect.gen(function*() {
  return yield* TokenVerifier
})
const pemRuntime = ManagedRuntime.make(TokenVerifier.layerJwtKey({ jwtKey: pem, authorizedParties: [AZP] }))
const pemVerifier = await pemRuntime.runPromise(verifierService)

let jwksFetches = 0
const jwksFetch = (async () => {
  jwksFetches++
  return jsonResponse(JSON.stringify({ keys: [jwk] }))
}) as typeof globalThis.fetch
const jwksRuntime = ManagedRuntime.make(
  TokenVerifier.layer({ authorizedParties: [AZP] }).pipe(
    Layer.provide(ClerkClient.layer({ secretKey: Redacted.make(SECRET_KEY), apiUrl: API_URL })),
    Layer.provide(fetchHttpClientLayer),
    Layer.provide(Layer.succeed(Fetch, jwksFetch))
  )
)
const jwksVerifier = await jwksRuntime.runPromise(verifierService)

const floorKey = await importSPKI(pem, "RS256")
const floor = () => jwtVerify(token, floorKey, { algorithms: ["RS256"] })
const clerk = () => verifyToken(token, { jwtKey: pem, authorizedParties: [AZP] })

check("effect-clerk (PEM)", (await pemRuntime.runPromise(pemVerifier.verify(token))).sid === "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
check("effect-clerk (JWKS)", (await jwksRuntime.runPromise(jwksVerifier.verify(token))).sid === "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
check("@clerk/backend", (await clerk()).sid === "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
check("jose", (await floor()).payload.sid === "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
// A tampered token is refused by every contender, so none of them is skipping the work.
const tampered = token.slice(0, -6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA")
check("effect-clerk refuses a bad signature", (await pemRuntime.runPromiseExit(pemVerifier.verify(tampered)))._tag === "Failure")
check("@clerk/backend refuses a bad signature", await verifyToken(tampered, { jwtKey: pem }).then(() => false, () => true))
check("jose refuses a bad signature", await jwtVerify(tampered, floorKey).then(() => false, () => true))

// The Effect boundary alone: jose's promise run as an Effect, as every verify is, with none of
// effect-clerk's checks. What a verify costs over this is effect-clerk's; the rest is Effect's.
const floorInEffect = Effect.promise(floor)

const row3 = await runRow("verify", [
  { name: "effect-clerk", fn: () => pemRuntime.runPromise(pemVerifier.verify(token)) },
  { name: "effect-clerk (JWKS cached)", fn: () => jwksRuntime.runPromise(jwksVerifier.verify(token)) },
  { name: "@clerk/backend", fn: clerk },
  { name: "floor", fn: floor },
  { name: "floor (Effect)", fn: () => pemRuntime.runPromise(floorInEffect) }
], { rounds, budgetMs, warmupMs })
check("the JWKS was fetched once", jwksFetches === 1)

await Promise.all([pemRuntime.dispose(), jwksRuntime.dispose()])
process.stdout.write(JSON.stringify({ row3 }) + "\n")
