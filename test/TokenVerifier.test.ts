/**
 * TokenVerifier: a named table of bad tokens with their exact reasons, the time checks on
 * TestClock, the JWKS cache (one fetch for concurrent callers, rotation, cooldown, stale keys
 * while the API fails, keys imported once), the PEM and config layers, authenticateRequest,
 * secrecy of the token, and a fast-check property over mutated tokens.
 */
import { currentRunner } from "#line/InProcess"
import * as Kernel from "#line/Kernel"
import { configLayer, HttpClient, HttpClientResponse, httpSpanName, isInterrupted, TestClock, yieldNow } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import { captureLogs } from "./support/fleet.js"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose"
import { readFileSync } from "node:fs"
import { inspect } from "node:util"
import { afterEach, vi } from "vitest"
import { ClerkClient, type ClerkClientOptions } from "../src/ClerkClient.js"
import type { SessionClaims } from "../src/SessionClaims.js"
import { ClerkTokenInvalid, ClerkTokenMissing, type TokenInvalidReason } from "../src/ClerkError.js"
import { TokenVerifier, type TokenVerifierOptions } from "../src/TokenVerifier.js"
import { CANARY_SECRET, json, makeMock, type Reply } from "./support/MockTransport.js"
import { makeRecorder } from "./support/TestTracer.js"

// ---------------------------------------------------------------------------------------
// Keys, claims and tokens
// ---------------------------------------------------------------------------------------

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0)
const NOW_S = NOW / 1000
const ISS = "https://clerk.example.com"
const ORIGIN = "https://app.example.com"

interface TestKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly jwk: JWK
}

const makeKey = async (kid: string, alg = "RS256"): Promise<TestKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } }
}

const main = await makeKey("ins_2main")
const other = await makeKey("ins_2other")
const next = await makeKey("ins_2next")
const rs384 = await makeKey("ins_2rs384", "RS384")
const rs512 = await makeKey("ins_2rs512", "RS512")
const ps256 = await makeKey("ins_2ps256", "PS256")
const es256 = await makeKey("ins_2es256", "ES256")
const mainPem = await exportSPKI(main.publicKey)

// jose refuses RSA keys under 2048 bits, so the weak key is made and used with Web Crypto.
const weakPair = await crypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true,
  ["sign", "verify"]
) as CryptoKeyPair
const weakJwk: JWK = { ...(await crypto.subtle.exportKey("jwk", weakPair.publicKey)), kid: "ins_2weak", alg: "RS256", use: "sig" }
delete weakJwk.key_ops
delete weakJwk.ext

const b64 = (value: string | object | Uint8Array) =>
  Buffer.from(value instanceof Uint8Array ? value : typeof value === "string" ? value : JSON.stringify(value))
    .toString("base64url")

/** Clerk v2 session claims at NOW; `undefined` removes a claim. */
const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const all: Record<string, unknown> = {
    azp: ORIGIN,
    exp: NOW_S + 60,
    fva: [3, -1],
    iat: NOW_S,
    iss: ISS,
    jti: "0123456789abcdef0123",
    nbf: NOW_S - 5,
    sid: "sess_2abc",
    sts: "active",
    sub: "user_2abc",
    v: 2,
    ...overrides
  }
  for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key]
  return all
}

const headerOf = (key: TestKey) => ({ alg: key.alg, kid: key.kid, typ: "JWT" })

const sign = (payload: Record<string, unknown>, key: TestKey = main, header: Record<string, unknown> = headerOf(key)) =>
  new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey)

/** A token signed over arbitrary header and payload bytes (what SignJWT refuses to make). */
const signRaw = async (header: object, payload: string | object, key: CryptoKey = main.privateKey) => {
  const input = `${b64(header)}.${b64(payload)}`
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input))
  return `${input}.${b64(new Uint8Array(signature))}`
}

/** Sign with `key`'s private key material but under another RS algorithm (what SignJWT refuses). */
const signAs = async (alg: "RS256" | "RS384" | "RS512", key: TestKey, payload: Record<string, unknown>) => {
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", key.privateKey)
  const hashed = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    { name: "RSASSA-PKCS1-v1_5", hash: `SHA-${alg.slice(2)}` },
    false,
    ["sign"]
  )
  return signRaw({ alg, kid: key.kid, typ: "JWT" }, payload, hashed)
}

const segments = (token: string) => token.split(".") as [string, string, string]

// ---------------------------------------------------------------------------------------
// A scripted JWKS behind a real ClerkClient
// ---------------------------------------------------------------------------------------

const jwksServer = (initial: ReadonlyArray<JWK>) => {
  let keys = initial
  let failure: Reply | undefined
  const mock = makeMock((request) =>
    request.path !== "/v1/jwks" ? json({ errors: [] }, 404) : failure ?? json({ keys })
  )
  return {
    mock,
    setKeys: (next: ReadonlyArray<JWK>) => {
      keys = next
    },
    fail: (reply: Reply | undefined) => {
      failure = reply
    },
    fetches: () => mock.recorded.filter((r) => r.path === "/v1/jwks").length
  }
}

type JwksServer = ReturnType<typeof jwksServer>

const clientLayer = (server: JwksServer, client: Partial<ClerkClientOptions> = {}) =>
  ClerkClient.layer({
    secretKey: Redacted.make(CANARY_SECRET),
    apiUrl: "https://api.clerk.test",
    retry: false,
    ...client
  }).pipe(Layer.provide(server.mock.layer))

const jwksLayer = (server: JwksServer, options: TokenVerifierOptions = {}, client: Partial<ClerkClientOptions> = {}) =>
  TokenVerifier.layer(options).pipe(Layer.provide(clientLayer(server, client)))

const pemLayer = (options: Omit<Parameters<typeof TokenVerifier.layerJwtKey>[0], "jwtKey"> = {}) =>
  TokenVerifier.layerJwtKey({ jwtKey: mainPem, ...options })

/** Run `body` with a verifier from `layer` at TestClock time NOW. */
const withVerifier = <A, E>(
  layer: Layer.Layer<TokenVerifier, unknown>,
  body: (verifier: TokenVerifier.Service) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    return yield* body(yield* TokenVerifier)
  }).pipe(Effect.provide(layer))

const reasonOf = (effect: Effect.Effect<SessionClaims, ClerkTokenInvalid>) =>
  Effect.map(Effect.flip(effect), (error) => {
    expect(error).toBeInstanceOf(ClerkTokenInvalid)
    return error.reason
  })

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** No rendering of the error may carry the token or its signature. */
const expectNoToken = (error: unknown, token: string) => {
  const renderings = [String(error), JSON.stringify(error), inspect(error, { depth: 10 }), (error as Error).message]
  const signature = token.split(".")[2]
  for (const text of renderings) {
    if (token.length > 0) expect(text).not.toContain(token)
    if (signature !== undefined && signature.length > 20) expect(text).not.toContain(signature)
  }
}

// ---------------------------------------------------------------------------------------
// The bad-token table
// ---------------------------------------------------------------------------------------

const TABLE_JWKS = [main.jwk, rs384.jwk, rs512.jwk, ps256.jwk, es256.jwk, weakJwk]
const TABLE_OPTIONS: TokenVerifierOptions = { authorizedParties: [ORIGIN], issuer: ISS }

interface BadToken {
  readonly name: string
  readonly token: () => Promise<string> | string
  readonly reason: TokenInvalidReason
  /** A fragment of the message a user would read. */
  readonly message: string
}

const badTokens: ReadonlyArray<BadToken> = [
  {
    name: "expired 10 s ago (beyond the 5 s skew)",
    token: () => sign(claims({ exp: NOW_S - 10 })),
    reason: "TokenExpired",
    message: "expired"
  },
  {
    name: "expired exactly at the edge of the skew",
    token: () => sign(claims({ exp: NOW_S - 5 })),
    reason: "TokenExpired",
    message: "expired"
  },
  {
    name: "nbf 10 s in the future",
    token: () => sign(claims({ nbf: NOW_S + 10 })),
    reason: "TokenNotActiveYet",
    message: "not active yet"
  },
  {
    name: "iat 10 s in the future",
    token: () => sign(claims({ iat: NOW_S + 10 })),
    reason: "TokenIatInTheFuture",
    message: "iat is in the future"
  },
  {
    name: "signed by another key under this instance's kid",
    token: () => sign(claims(), other, headerOf(main)),
    reason: "TokenInvalidSignature",
    message: "signature does not verify"
  },
  {
    name: "payload tampered (sub changed, signature kept)",
    token: async () => {
      const [h, , s] = segments(await sign(claims()))
      return `${h}.${b64(claims({ sub: "user_attacker" }))}.${s}`
    },
    reason: "TokenInvalidSignature",
    message: "signature does not verify"
  },
  {
    name: "header tampered (a parameter added, signature kept)",
    token: async () => {
      const [, p, s] = segments(await sign(claims()))
      return `${b64({ ...headerOf(main), x5u: "https://attacker.example/keys" })}.${p}.${s}`
    },
    reason: "TokenInvalidSignature",
    message: "signature does not verify"
  },
  {
    name: "signature of another token",
    token: async () => {
      const [h, p] = segments(await sign(claims()))
      const [, , s] = segments(await sign(claims({ sid: "sess_other" })))
      return `${h}.${p}.${s}`
    },
    reason: "TokenInvalidSignature",
    message: "signature does not verify"
  },
  {
    name: "empty signature segment",
    token: async () => {
      const [h, p] = segments(await sign(claims()))
      return `${h}.${p}.`
    },
    reason: "TokenInvalidSignature",
    message: "not canonical"
  },
  {
    name: "alg none, no signature",
    token: () => `${b64({ alg: "none", kid: main.kid, typ: "JWT" })}.${b64(claims())}.`,
    reason: "TokenInvalidAlgorithm",
    message: "\"none\""
  },
  {
    name: "HS256 signed with the public key (PEM) as the HMAC secret",
    token: () =>
      new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: main.kid, typ: "JWT" })
        .sign(new TextEncoder().encode(mainPem)),
    reason: "TokenInvalidAlgorithm",
    message: "\"HS256\" is not one of RS256, RS384, RS512"
  },
  {
    name: "HS256 without kid, signed with the JWK modulus as the secret",
    token: () =>
      new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(main.jwk.n!)),
    reason: "TokenInvalidAlgorithm",
    message: "HS256"
  },
  {
    name: "RS256 header but the kid's key is PS256",
    token: () => signRaw({ alg: "RS256", kid: ps256.kid, typ: "JWT" }, claims()),
    reason: "TokenInvalidAlgorithm",
    message: "only RS256, RS384 and RS512 are accepted"
  },
  {
    name: "PS256 token with its PS256 key",
    token: () => sign(claims(), ps256),
    reason: "TokenInvalidAlgorithm",
    message: "\"PS256\" is not one of"
  },
  {
    name: "ES256 token with its EC key",
    token: () => sign(claims(), es256),
    reason: "TokenInvalidAlgorithm",
    message: "\"ES256\" is not one of"
  },
  {
    name: "RS384 header under an RS256 key's kid",
    token: () => signAs("RS384", main, claims()),
    reason: "TokenInvalidAlgorithm",
    message: "alg RS384 does not match its key's RS256"
  },
  {
    name: "RS512 token under an RS384 key's kid",
    token: () => signAs("RS512", rs384, claims()),
    reason: "TokenInvalidAlgorithm",
    message: "alg RS512 does not match its key's RS384"
  },
  {
    name: "a 1024-bit key in the JWKS",
    token: () => signRaw({ alg: "RS256", kid: "ins_2weak", typ: "JWT" }, claims(), weakPair.privateKey),
    reason: "TokenInvalidAlgorithm",
    message: "1024 bits"
  },
  {
    name: "kid of another instance",
    token: () => sign(claims(), other),
    reason: "JwkKidMismatch",
    message: "\"ins_2other\""
  },
  {
    name: "no kid while the JWKS has several keys",
    token: () => sign(claims(), main, { alg: "RS256", typ: "JWT" }),
    reason: "JwkKidMismatch",
    message: "no kid header"
  },
  {
    name: "an empty kid",
    token: () => sign(claims(), main, { alg: "RS256", kid: "", typ: "JWT" }),
    reason: "JwkKidMismatch",
    message: "no kid header"
  },
  {
    name: "payload segment not base64url",
    token: async () => {
      const [h, p, s] = segments(await sign(claims()))
      return `${h}.${p.slice(0, 10)}+${p.slice(11)}.${s}`
    },
    reason: "TokenInvalid",
    message: "the payload is not base64url"
  },
  {
    name: "azp missing while authorizedParties is set",
    token: () => sign(claims({ azp: undefined })),
    reason: "TokenInvalidAuthorizedParties",
    message: "no azp"
  },
  {
    name: "azp not among authorizedParties",
    token: () => sign(claims({ azp: "https://evil.example.com" })),
    reason: "TokenInvalidAuthorizedParties",
    message: "\"https://evil.example.com\""
  },
  {
    name: "iss of another instance",
    token: () => sign(claims({ iss: "https://clerk.other.example" })),
    reason: "TokenInvalidIssuer",
    message: "\"https://clerk.other.example\""
  },
  {
    name: "iss missing while issuer is set",
    token: () => sign(claims({ iss: undefined })),
    reason: "TokenInvalidIssuer",
    message: "no iss"
  },
  {
    name: "machine (M2M) token, cat cl_B7d4PD333AAA",
    token: () => sign(claims({ cat: "cl_B7d4PD333AAA" })),
    reason: "TokenInvalid",
    message: "machine (M2M) token is not a session token"
  },
  {
    name: "JWT template token, cat cl_B7d4PD222AAA",
    token: () => sign(claims({ cat: "cl_B7d4PD222AAA" })),
    reason: "TokenInvalid",
    message: "JWT template token is not a session token"
  },
  {
    name: "unknown token category",
    token: () => sign(claims({ cat: "cl_future" })),
    reason: "TokenInvalid",
    message: "\"cl_future\" is not a session token"
  },
  {
    name: "template token without cat (no sid)",
    token: () => sign(claims({ sid: undefined, v: undefined, fva: undefined, sts: undefined, first_name: "Ada" })),
    reason: "TokenInvalid",
    message: "no sid claim"
  },
  {
    name: "no exp",
    token: () => sign(claims({ exp: undefined })),
    reason: "TokenInvalid",
    message: "missing required \"exp\" claim"
  },
  {
    name: "exp is a string",
    token: () => sign(claims({ exp: String(NOW_S + 60) })),
    reason: "TokenInvalid",
    message: "\"exp\" claim must be a number"
  },
  {
    name: "sub missing",
    token: () => sign(claims({ sub: undefined })),
    reason: "TokenInvalid",
    message: "[\"sub\"]: is missing"
  },
  {
    name: "sid is a number",
    token: () => sign(claims({ sid: 42 })),
    reason: "TokenInvalid",
    message: "no sid claim"
  },
  {
    name: "o without an id",
    token: () => sign(claims({ o: { slg: "acme", rol: "admin" } })),
    reason: "TokenInvalid",
    message: "[\"o\"][\"id\"]: is missing"
  },
  {
    name: "typ at+jwt",
    token: () => sign(claims(), main, { ...headerOf(main), typ: "at+jwt" }),
    reason: "TokenInvalid",
    message: "typ header is \"at+jwt\""
  },
  {
    name: "kid is a number",
    token: () => signRaw({ alg: "RS256", kid: 7, typ: "JWT" }, claims()),
    reason: "TokenInvalid",
    message: "kid header is not a string"
  },
  {
    name: "unknown critical header extension",
    token: () => signRaw({ ...headerOf(main), crit: ["exp_v9"], exp_v9: 1 }, claims()),
    reason: "TokenInvalid",
    message: "Malformed token"
  },
  {
    name: "payload is a JSON array",
    token: async () => {
      return new CompactSign(new TextEncoder().encode("[1,2,3]")).setProtectedHeader(headerOf(main))
        .sign(main.privateKey)
    },
    reason: "TokenInvalid",
    message: "top-level JSON object"
  },
  {
    name: "payload is not JSON",
    token: () => signRaw(headerOf(main), "not json at all"),
    reason: "TokenInvalid",
    message: "top-level JSON object"
  },
  {
    name: "two segments",
    token: async () => segments(await sign(claims())).slice(0, 2).join("."),
    reason: "TokenInvalid",
    message: "Malformed token"
  },
  {
    name: "four segments",
    token: async () => `${await sign(claims())}.AAAA`,
    reason: "TokenInvalid",
    message: "Malformed token: not a JWT (header.payload.signature)"
  },
  {
    name: "one segment, no dot",
    token: () => "eyJhbGciOiJSUzI1NiJ9",
    reason: "TokenInvalid",
    message: "not a JWT"
  },
  {
    name: "bad base64 in the header",
    token: async () => {
      const [, p, s] = segments(await sign(claims()))
      return `e@J!.${p}.${s}`
    },
    reason: "TokenInvalid",
    message: "not base64url-encoded JSON"
  },
  {
    name: "bad base64 in the signature",
    token: async () => {
      const [h, p, s] = segments(await sign(claims()))
      return `${h}.${p}.${s.slice(0, 10)}$${s.slice(11)}`
    },
    reason: "TokenInvalidSignature",
    message: "not canonical"
  },
  {
    name: "header is not JSON",
    token: async () => {
      const [, p, s] = segments(await sign(claims()))
      return `${b64("{alg: RS256")}.${p}.${s}`
    },
    reason: "TokenInvalid",
    message: "not base64url-encoded JSON"
  },
  {
    name: "header is a JSON string",
    token: async () => {
      const [, p, s] = segments(await sign(claims()))
      return `${b64("\"RS256\"")}.${p}.${s}`
    },
    reason: "TokenInvalid",
    message: "not base64url-encoded JSON"
  },
  {
    name: "empty string",
    token: () => "",
    reason: "TokenInvalid",
    message: "empty"
  },
  {
    name: "only dots",
    token: () => "..",
    reason: "TokenInvalid",
    message: "not base64url-encoded JSON"
  },
  {
    name: "a 3 MB token",
    token: async () => {
      const [h, , s] = segments(await sign(claims()))
      return `${h}.${"A".repeat(3 * 1024 * 1024)}.${s}`
    },
    reason: "TokenInvalid",
    message: "over the 16384 limit"
  }
]

describe("TokenVerifier: bad tokens", () => {
  it("the table is large enough and its names are unique", () => {
    expect(badTokens.length).toBeGreaterThanOrEqual(25)
    expect(new Set(badTokens.map((t) => t.name)).size).toBe(badTokens.length)
  })

  for (const bad of badTokens) {
    it.effect(`${bad.name} → ${bad.reason}`, () => {
      const server = jwksServer(TABLE_JWKS)
      return withVerifier(jwksLayer(server, TABLE_OPTIONS), (verifier) =>
        Effect.gen(function*() {
          const token = yield* promise(async () => bad.token())
          const error = yield* Effect.flip(verifier.verify(token))
          expect(error).toBeInstanceOf(ClerkTokenInvalid)
          expect(error._tag).toBe("ClerkTokenInvalid")
          expect(error.reason).toBe(bad.reason)
          expect(error.message).toContain(bad.message)
          expectNoToken(error, token)
        }))
    })
  }

  it.effect("a 3 MB token is refused before any key is fetched", () => {
    const server = jwksServer(TABLE_JWKS)
    return withVerifier(jwksLayer(server, TABLE_OPTIONS), (verifier) =>
      Effect.gen(function*() {
        const huge = `eyJhbGciOiJSUzI1NiJ9.${"A".repeat(3 * 1024 * 1024)}.sig`
        const error = yield* Effect.flip(verifier.verify(huge))
        expect(error.reason).toBe("TokenInvalid")
        expect(error.message).toBe(`The token is ${huge.length} characters, over the 16384 limit`)
        expect(server.fetches()).toBe(0)
      }))
  })

  it.effect("a non-string token is TokenInvalid, not a defect", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(verifier.verify(42 as unknown as string))
        expect(error.reason).toBe("TokenInvalid")
        expect(error.message).toBe("The token is not a string")
      })))
})

// ---------------------------------------------------------------------------------------
// What passes, and what the claims look like
// ---------------------------------------------------------------------------------------

describe("TokenVerifier: valid tokens", () => {
  it.effect("a Clerk v2 session token decodes into SessionClaims with the raw payload", () => {
    const server = jwksServer(TABLE_JWKS)
    return withVerifier(jwksLayer(server, TABLE_OPTIONS), (verifier) =>
      Effect.gen(function*() {
        const payload = claims({
          o: { id: "org_2acme", slg: "acme", rol: "admin", per: "read,manage", fpm: "3,1" },
          pla: "o:pro",
          fea: "o:dashboard,o:teams",
          act: { sub: "user_2support", iss: "https://dashboard.clerk.com", sid: "sess_2support" },
          cat: "cl_B7d4PD111AAA",
          tenant: "blue"
        })
        const result = yield* verifier.verify(yield* promise(() => sign(payload)))
        expect(result).toEqual({
          sid: "sess_2abc",
          sub: "user_2abc",
          iss: ISS,
          azp: ORIGIN,
          exp: NOW_S + 60,
          iat: NOW_S,
          nbf: NOW_S - 5,
          jti: "0123456789abcdef0123",
          v: 2,
          fva: [3, -1],
          sts: "active",
          o: { id: "org_2acme", slg: "acme", rol: "admin", per: "read,manage", fpm: "3,1" },
          act: { sub: "user_2support", iss: "https://dashboard.clerk.com", sid: "sess_2support" },
          pla: "o:pro",
          fea: "o:dashboard,o:teams",
          raw: payload
        })
        expect(result.raw.tenant).toBe("blue")
        expect(result.raw.cat).toBe("cl_B7d4PD111AAA")
        expect(server.mock.recorded).toHaveLength(1)
        expect(server.mock.recorded[0].method).toBe("GET")
        expect(server.mock.recorded[0].url.toString()).toBe("https://api.clerk.test/v1/jwks")
        expect(server.mock.recorded[0].headers.authorization).toBe(`Bearer ${CANARY_SECRET}`)
      }))
  })

  it.effect("v1 claims (org_id, org_role, org_slug, org_permissions) decode", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() =>
          sign(claims({
            v: undefined,
            fva: undefined,
            sts: undefined,
            org_id: "org_2old",
            org_role: "org:admin",
            org_slug: "old",
            org_permissions: ["org:sys_memberships:manage"]
          }))
        )
        const result = yield* verifier.verify(token)
        expect(result.v).toBeUndefined()
        expect([result.org_id, result.org_role, result.org_slug]).toEqual(["org_2old", "org:admin", "old"])
        expect(result.org_permissions).toEqual(["org:sys_memberships:manage"])
      })))

  it.effect("RS384 and RS512 keys verify their own tokens; the algorithm comes from the key", () => {
    const server = jwksServer(TABLE_JWKS)
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const a = yield* verifier.verify(yield* promise(() => sign(claims({ sid: "sess_384" }), rs384)))
        const b = yield* verifier.verify(yield* promise(() => sign(claims({ sid: "sess_512" }), rs512)))
        expect([a.sid, b.sid]).toEqual(["sess_384", "sess_512"])
      }))
  })

  it.effect("a JWK without alg is RS256 (Clerk's algorithm)", () => {
    const { alg: _alg, ...noAlg } = main.jwk
    const server = jwksServer([noAlg])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        expect((yield* verifier.verify(yield* promise(() => sign(claims())))).sid).toBe("sess_2abc")
        const rs384Token = yield* promise(() => signAs("RS384", main, claims()))
        expect(yield* reasonOf(verifier.verify(rs384Token))).toBe("TokenInvalidAlgorithm")
      }))
  })

  it.effect("the PEM layer verifies a token without kid (the PEM is the one key)", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims(), main, { alg: "RS256", typ: "JWT" }))
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
      })))

  it.effect("no azp passes when authorizedParties is not set (or empty); absent cat passes", () =>
    Effect.gen(function*() {
      const token = yield* promise(() => sign(claims({ azp: undefined })))
      for (const options of [{}, { authorizedParties: [] }]) {
        const sid = yield* withVerifier(pemLayer(options), (verifier) => Effect.map(verifier.verify(token), (c) => c.sid))
        expect(sid).toBe("sess_2abc")
      }
    }))

  it.effect("issuer as a predicate", () =>
    Effect.gen(function*() {
      const layer = pemLayer({ issuer: (iss) => iss.startsWith("https://clerk.") })
      const good = yield* promise(() => sign(claims()))
      const bad = yield* promise(() => sign(claims({ iss: "https://evil.example" })))
      yield* withVerifier(layer, (verifier) =>
        Effect.gen(function*() {
          expect((yield* verifier.verify(good)).iss).toBe(ISS)
          expect(yield* reasonOf(verifier.verify(bad))).toBe("TokenInvalidIssuer")
        }))
    }))

  it.effect("audience, when set, must be in aud", () =>
    Effect.gen(function*() {
      const layer = pemLayer({ audience: ["api://a", "api://b"] })
      const good = yield* promise(() => sign(claims({ aud: ["api://b", "api://c"] })))
      const wrong = yield* promise(() => sign(claims({ aud: "api://c" })))
      const none = yield* promise(() => sign(claims()))
      yield* withVerifier(layer, (verifier) =>
        Effect.gen(function*() {
          expect((yield* verifier.verify(good)).raw.aud).toEqual(["api://b", "api://c"])
          const error = yield* Effect.flip(verifier.verify(wrong))
          expect([error.reason, error.message]).toEqual([
            "TokenInvalid",
            "The token's aud does not match the audience (unexpected \"aud\" claim value)"
          ])
          expect(yield* reasonOf(verifier.verify(none))).toBe("TokenInvalid")
        }))
    }))

  it.effect("verify accepts a Redacted token", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = Redacted.make(yield* promise(() => sign(claims())))
        expect((yield* verifier.verify(token)).sub).toBe("user_2abc")
      })))
})

// ---------------------------------------------------------------------------------------
// Time: exp, nbf, iat with the skew, on TestClock
// ---------------------------------------------------------------------------------------

describe("TokenVerifier: time on the Clock", () => {
  it.effect("expired but inside the 5 s skew passes; nbf and iat inside the skew pass", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        for (const overrides of [{ exp: NOW_S - 4 }, { nbf: NOW_S + 5 }, { iat: NOW_S + 5 }, { exp: NOW_S + 1 }]) {
          const token = yield* promise(() => sign(claims(overrides)))
          expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        }
      })))

  it.effect("a 60 s token: valid until exp + skew, then TokenExpired as TestClock advances", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        expect((yield* verifier.verify(token)).exp).toBe(NOW_S + 60)
        yield* TestClock.adjust("64 seconds")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        yield* TestClock.adjust("999 millis")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        yield* TestClock.adjust("1 millis")
        expect(yield* reasonOf(verifier.verify(token))).toBe("TokenExpired")
      })))

  it.effect("a token from the future becomes valid when the clock reaches nbf - skew", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims({ iat: NOW_S + 30, nbf: NOW_S + 30, exp: NOW_S + 90 })))
        expect(yield* reasonOf(verifier.verify(token))).toBe("TokenNotActiveYet")
        yield* TestClock.adjust("24 seconds")
        expect(yield* reasonOf(verifier.verify(token))).toBe("TokenNotActiveYet")
        yield* TestClock.adjust("1 second")
        expect((yield* verifier.verify(token)).nbf).toBe(NOW_S + 30)
      })))

  it.effect("clockSkew is configurable (0 s)", () =>
    withVerifier(pemLayer({ clockSkew: "0 seconds" }), (verifier) =>
      Effect.gen(function*() {
        expect(yield* reasonOf(verifier.verify(yield* promise(() => sign(claims({ exp: NOW_S })))))).toBe("TokenExpired")
        expect(yield* reasonOf(verifier.verify(yield* promise(() => sign(claims({ iat: NOW_S + 1 }))))))
          .toBe("TokenIatInTheFuture")
        expect((yield* verifier.verify(yield* promise(() => sign(claims({ exp: NOW_S + 1 }))))).sid).toBe("sess_2abc")
      })))

  it.effect("the signature is checked before the time claims", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const expiredForged = yield* promise(() => sign(claims({ exp: NOW_S - 3600 }), other, headerOf(main)))
        expect(yield* reasonOf(verifier.verify(expiredForged))).toBe("TokenInvalidSignature")
      })))
})

// ---------------------------------------------------------------------------------------
// The JWKS cache
// ---------------------------------------------------------------------------------------

describe("TokenVerifier.layer: the JWKS cache", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.effect("50 concurrent verifies share one JWKS fetch", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const tokens = yield* promise(() =>
          Promise.all(Array.from({ length: 50 }, (_, i) => sign(claims({ sid: `sess_${i}` }))))
        )
        const results = yield* Effect.all(tokens.map((t) => verifier.verify(t)), { concurrency: "unbounded" })
        expect(results.map((c) => c.sid)).toEqual(tokens.map((_, i) => `sess_${i}`))
        expect(server.fetches()).toBe(1)
      }))
  })

  it.effect("each key is imported once, not per token, and unchanged keys are not re-imported", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const importKey = vi.spyOn(crypto.subtle, "importKey")
        const token = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
        for (let i = 0; i < 100; i++) yield* verifier.verify(token)
        expect(importKey).toHaveBeenCalledTimes(1)
        // TTL refresh with the same key: nothing imported again.
        yield* TestClock.adjust("5 minutes")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(2)
        expect(importKey).toHaveBeenCalledTimes(1)
        // A new key joins: only it is imported.
        server.setKeys([main.jwk, next.jwk])
        yield* TestClock.adjust("5 minutes")
        yield* verifier.verify(yield* promise(() => sign(claims({ exp: NOW_S + 3600 }), next)))
        expect(server.fetches()).toBe(3)
        expect(importKey).toHaveBeenCalledTimes(2)
      }))
  })

  it.effect("keys are refetched after the TTL (default 5 minutes), not before", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
        yield* verifier.verify(token)
        yield* TestClock.adjust("299999 millis")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(1)
        yield* TestClock.adjust("1 millis")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(2)
        expect(server.mock.recorded.map((r) => r.at - NOW)).toEqual([0, 300_000])
      }))
  })

  it.effect("jwksCacheTtl is configurable", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server, { jwksCacheTtl: "1 minute" }), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
        yield* verifier.verify(token)
        yield* TestClock.adjust("1 minute")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(2)
      }))
  })

  it.effect("key rotation: a token with the new kid causes one refetch, then passes", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        yield* verifier.verify(yield* promise(() => sign(claims())))
        expect(server.fetches()).toBe(1)
        yield* TestClock.adjust("1 minute")
        server.setKeys([next.jwk])
        const rotated = yield* promise(() => sign(claims({ iat: NOW_S + 60, nbf: NOW_S + 55, exp: NOW_S + 120 }), next))
        const results = yield* Effect.all(Array.from({ length: 20 }, () => verifier.verify(rotated)), {
          concurrency: "unbounded"
        })
        expect(results.every((c) => c.sid === "sess_2abc")).toBe(true)
        expect(server.fetches()).toBe(2)
        yield* verifier.verify(rotated)
        expect(server.fetches()).toBe(2)
        // The old key left the JWKS: its tokens now fail (no extra fetch inside the cooldown).
        const old = yield* promise(() => sign(claims({ iat: NOW_S + 60, nbf: NOW_S + 55, exp: NOW_S + 120 })))
        expect(yield* reasonOf(verifier.verify(old))).toBe("JwkKidMismatch")
        expect(server.fetches()).toBe(2)
      }))
  })

  it.effect("unknown kids refetch at most once per cooldown (default 30 s)", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        yield* verifier.verify(yield* promise(() => sign(claims({ exp: NOW_S + 3600 }))))
        const forged = yield* promise(() =>
          Promise.all(
            Array.from({ length: 10 }, (_, i) => sign(claims({ exp: NOW_S + 3600 }), { ...other, kid: `ins_made_up_${i}` }))
          )
        )
        // Right after the first fetch: refused without refetching.
        for (const token of forged) expect(yield* reasonOf(verifier.verify(token))).toBe("JwkKidMismatch")
        expect(server.fetches()).toBe(1)
        // After the cooldown: one refetch for all of them, then the cooldown again.
        yield* TestClock.adjust("30 seconds")
        for (const token of forged) expect(yield* reasonOf(verifier.verify(token))).toBe("JwkKidMismatch")
        expect(server.fetches()).toBe(2)
        yield* TestClock.adjust("29 seconds")
        for (const token of forged) expect(yield* reasonOf(verifier.verify(token))).toBe("JwkKidMismatch")
        expect(server.fetches()).toBe(2)
        yield* TestClock.adjust("1 second")
        expect(yield* reasonOf(verifier.verify(forged[0]))).toBe("JwkKidMismatch")
        expect(server.fetches()).toBe(3)
      }))
  })

  it.effect("kidRefetchCooldown is configurable", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server, { kidRefetchCooldown: "0 seconds" }), (verifier) =>
      Effect.gen(function*() {
        yield* verifier.verify(yield* promise(() => sign(claims())))
        server.setKeys([main.jwk, next.jwk])
        expect((yield* verifier.verify(yield* promise(() => sign(claims(), next)))).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(2)
      }))
  })

  it.effect("the API down with keys cached: stale keys keep verifying; retries wait for the cooldown", () => {
    const server = jwksServer([main.jwk])
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
        yield* verifier.verify(token)
        server.fail(json({ errors: [{ code: "internal_clerk_error", message: "Oops" }] }, 503))
        yield* TestClock.adjust("10 minutes")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(2)
        yield* TestClock.adjust("29 seconds")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(2)
        yield* TestClock.adjust("1 second")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(3)
        // Back up: the next attempt after the cooldown refreshes, and the TTL starts over.
        server.fail(undefined)
        yield* TestClock.adjust("30 seconds")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(4)
        yield* TestClock.adjust("4 minutes")
        yield* verifier.verify(token)
        expect(server.fetches()).toBe(4)
      }))
  })

  it.effect("the API down with nothing cached: JwkFailedToResolve carrying the Clerk error", () => {
    const server = jwksServer([main.jwk])
    server.fail(json({ errors: [{ code: "internal_clerk_error", message: "Oops" }], clerk_trace_id: "trace_1" }, 503))
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        const error = yield* Effect.flip(verifier.verify(token))
        expect(error.reason).toBe("JwkFailedToResolve")
        expect(error.cause?._tag).toBe("ClerkServerError")
        expect(error.cause).toMatchObject({ status: 503, clerkTraceId: "trace_1" })
        expect(error.message).toBe(
          "Could not load the instance's JWKS: Clerk server error (503): internal_clerk_error: Oops [trace trace_1]"
        )
        expectNoToken(error, token)
        expect(JSON.stringify(error) + inspect(error, { depth: 10 })).not.toContain(CANARY_SECRET)
        // Clerk answers again, but inside the failure cooldown nobody asks: the same error.
        server.fail(undefined)
        expect(yield* Effect.flip(verifier.verify(token))).toEqual(error)
        expect(server.fetches()).toBe(1)
        // Past the cooldown, the next verify fetches and passes.
        yield* TestClock.adjust("30 seconds")
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(2)
      }))
  })

  it.effect("a wrong secret key: JwkFailedToResolve with Clerk's 401 underneath", () => {
    const server = jwksServer([main.jwk])
    server.fail(json({ errors: [{ code: "clerk_key_invalid", message: "Secret Key is invalid" }] }, 401))
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(verifier.verify(yield* promise(() => sign(claims()))))
        expect(error.reason).toBe("JwkFailedToResolve")
        expect(error.cause).toMatchObject({ _tag: "ClerkUnauthorized", status: 401, errors: [{ code: "clerk_key_invalid" }] })
      }))
  })

  it.effect("a JWKS body of the wrong shape: JwkFailedToResolve with ClerkDecodeError", () => {
    const server = jwksServer([main.jwk])
    server.fail(json({ keys: "nope" }))
    return withVerifier(jwksLayer(server), (verifier) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(verifier.verify(yield* promise(() => sign(claims()))))
        expect(error.reason).toBe("JwkFailedToResolve")
        expect(error.cause?._tag).toBe("ClerkDecodeError")
      }))
  })

  it.effect("the ClerkClient's retry policy applies to the JWKS fetch", () => {
    const server = jwksServer([main.jwk])
    let calls = 0
    server.fail(undefined)
    const flaky = makeMock(() => ++calls <= 2 ? json({ errors: [] }, 503) : json({ keys: [main.jwk] }))
    const layer = TokenVerifier.layer().pipe(
      Layer.provide(
        ClerkClient.layer({ secretKey: Redacted.make(CANARY_SECRET), apiUrl: "https://api.clerk.test" }).pipe(
          Layer.provide(flaky.layer)
        )
      )
    )
    return withVerifier(layer, (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        const fiber = yield* Kernel.fork(verifier.verify(token))
        yield* TestClock.adjust("10 seconds")
        const result = yield* Fiber.await(fiber)
        expect(Exit.isSuccess(result) && result.value.sid).toBe("sess_2abc")
        expect(flaky.recorded).toHaveLength(3)
      }))
  })

  it.effect("the cache belongs to one layer instance: two secret keys never share keys", () => {
    const serverA = jwksServer([main.jwk])
    const serverB = jwksServer([other.jwk])
    const a = jwksLayer(serverA, {}, { secretKey: Redacted.make("sk_test_instance_a") })
    const b = jwksLayer(serverB, {}, { secretKey: Redacted.make("sk_test_instance_b") })
    return Effect.gen(function*() {
      const tokenA = yield* promise(() => sign(claims({ sid: "sess_a" })))
      const tokenB = yield* promise(() => sign(claims({ sid: "sess_b" }), other))
      const onA = yield* withVerifier(a, (v) => Effect.all([v.verify(tokenA), Effect.flip(v.verify(tokenB))]))
      const onB = yield* withVerifier(b, (v) => Effect.all([v.verify(tokenB), Effect.flip(v.verify(tokenA))]))
      expect([onA[0].sid, onA[1].reason, onB[0].sid, onB[1].reason]).toEqual([
        "sess_a",
        "JwkKidMismatch",
        "sess_b",
        "JwkKidMismatch"
      ])
      expect(serverA.mock.recorded.map((r) => r.headers.authorization)).toEqual(["Bearer sk_test_instance_a"])
      expect(serverB.mock.recorded.map((r) => r.headers.authorization)).toEqual(["Bearer sk_test_instance_b"])
    })
  })

  it.effect("a verifier used after its layer was released ends (interrupted) instead of hanging", () => {
    const server = jwksServer([main.jwk])
    return Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(jwksLayer(server), scope)
      yield* Scope.close(scope, Exit.void)
      const verifier = Context.get(context, TokenVerifier)
      const exit = yield* Effect.exit(verifier.verify(yield* promise(() => sign(claims()))))
      expect(isInterrupted(exit)).toBe(true)
    })
  })

  it.effect("a caller interrupted mid-fetch does not cancel the fetch the others wait for", () => {
    const gate = Kernel.makeDeferredUnsafe<void, never>()
    let requests = 0
    const slow = HttpClient.make((request) =>
      Effect.as(
        Effect.andThen(Effect.sync(() => requests++), Deferred.await(gate)),
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify({ keys: [main.jwk] }), { headers: { "content-type": "application/json" } })
        )
      )
    )
    const layer = TokenVerifier.layer().pipe(
      Layer.provide(ClerkClient.layer({ secretKey: Redacted.make(CANARY_SECRET), retry: false })),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, slow))
    )
    return withVerifier(layer, (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        const first = yield* Kernel.fork(verifier.verify(token))
        for (let i = 0; i < 100 && requests === 0; i++) yield* yieldNow
        const second = yield* Kernel.fork(verifier.verify(token))
        for (let i = 0; i < 20; i++) yield* yieldNow
        expect(requests).toBe(1)
        yield* Fiber.interrupt(first)
        yield* Deferred.succeed(gate, undefined)
        const result = yield* Fiber.join(second)
        expect(result.sid).toBe("sess_2abc")
        expect(requests).toBe(1)
      }))
  })
})

// ---------------------------------------------------------------------------------------
// Security review (issue 14, item 8): each finding as a test that fails without its fix
// ---------------------------------------------------------------------------------------

/** A token signed over a payload written as raw JSON text (`1e400` survives only this way). */
const signText = (payloadJson: string, key: TestKey = main) => signRaw(headerOf(key), payloadJson, key.privateKey)

/** Claims as JSON text with one claim's value spliced in verbatim. */
const claimsText = (claim: string, literal: string) =>
  JSON.stringify(claims({ [claim]: "@@" })).replace("\"@@\"", literal)

/** The DER DigestInfo prefix of SHA-256 (RFC 8017, 9.2). */
const SHA256_DIGEST_INFO = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

/**
 * An RS256 "signature" made without any private key: with `e = 1`, verification computes
 * `s^1 mod n = s`, so the PKCS#1 v1.5 encoding of the hash is itself a valid signature.
 */
const forgeWithExponentOne = async (header: object, payload: object, modulusBytes: number) => {
  const input = `${b64(header)}.${b64(payload)}`
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input)))
  const em = new Uint8Array(modulusBytes)
  const tail = [0x00, ...SHA256_DIGEST_INFO, ...hash]
  em[0] = 0x00
  em[1] = 0x01
  em.fill(0xff, 2, modulusBytes - tail.length)
  em.set(tail, modulusBytes - tail.length)
  return `${input}.${b64(em)}`
}

const modulusBytes = Buffer.from(main.jwk.n!, "base64url").length

/** The main key's modulus with another public exponent (as a hostile JWKS would serve it). */
const withExponent = (e: string, kid: string): JWK => ({ kty: "RSA", n: main.jwk.n!, e, kid, alg: "RS256", use: "sig" })

/** A PEM (SPKI) of the main key's modulus with another public exponent. */
const pemWithExponent = async (e: string) => {
  const key = await crypto.subtle.importKey(
    "jwk",
    { kty: "RSA", n: main.jwk.n!, e, ext: true } as JsonWebKey,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    true,
    ["verify"]
  )
  const der = Buffer.from(await crypto.subtle.exportKey("spki", key)).toString("base64")
  return `-----BEGIN PUBLIC KEY-----\n${der.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`
}

/** How `GET /jwks` fails, and the Clerk error each failure is. */
const JWKS_FAILURES: ReadonlyArray<readonly [string, Reply, string]> = [
  ["500", json({ errors: [{ code: "internal_clerk_error", message: "Oops" }] }, 500), "ClerkServerError"],
  ["401 (wrong secret key)", json({ errors: [{ code: "clerk_key_invalid", message: "Secret Key is invalid" }] }, 401), "ClerkUnauthorized"],
  ["an HTML page with 200", { status: 200, text: "<!doctype html><title>Clerk</title>", headers: { "content-type": "text/html" } }, "ClerkDecodeError"],
  ["an HTML page with 502", { status: 502, text: "<html><body>Bad gateway</body></html>", headers: { "content-type": "text/html" } }, "ClerkServerError"],
  ["{} (no keys)", json({}), "ClerkDecodeError"],
  ["a transport error", { transportError: "fetch failed: ECONNREFUSED" }, "ClerkTransportError"]
]

describe("TokenVerifier: security review", () => {
  describe("unauthenticated traffic does not become Clerk API calls (failure cooldown)", () => {
    for (const [name, reply, cause] of JWKS_FAILURES) {
      it.effect(`JWKS failing with ${name}: 50 sequential verifies cost one fetch per 30 s cooldown`, () => {
        const server = jwksServer([main.jwk])
        server.fail(reply)
        return withVerifier(jwksLayer(server), (verifier) =>
          Effect.gen(function*() {
            const good = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
            // Junk a scanner sends: JWT-shaped, unsigned, with a kid.
            const junk = `${b64({ alg: "RS256", kid: "ins_x", typ: "JWT" })}.${b64({ sub: "x" })}.AAAA`
            for (let i = 0; i < 50; i++) {
              const error = yield* Effect.flip(verifier.verify(i % 2 === 0 ? junk : good))
              expect([error.reason, error.cause?._tag]).toEqual(["JwkFailedToResolve", cause])
            }
            expect(server.fetches()).toBe(1)
            yield* TestClock.adjust("29999 millis")
            for (let i = 0; i < 10; i++) yield* Effect.flip(verifier.verify(junk))
            expect(server.fetches()).toBe(1)
            // Past the cooldown: exactly one more fetch, whatever the rate.
            yield* TestClock.adjust("1 millis")
            for (let i = 0; i < 10; i++) yield* Effect.flip(verifier.verify(junk))
            expect(server.fetches()).toBe(2)
            expect(server.mock.recorded.map((r) => r.at - NOW)).toEqual([0, 30_000])
            // Clerk recovers: after the next cooldown the keys load and real tokens verify.
            server.fail(undefined)
            yield* TestClock.adjust("30 seconds")
            expect((yield* verifier.verify(good)).sid).toBe("sess_2abc")
            expect(server.fetches()).toBe(3)
          }))
      })
    }

    it.effect("50 concurrent verifies while the JWKS fails share one fetch and its error", () => {
      const server = jwksServer([main.jwk])
      server.fail(json({ errors: [{ code: "internal_clerk_error", message: "Oops" }], clerk_trace_id: "trace_c" }, 500))
      return withVerifier(jwksLayer(server), (verifier) =>
        Effect.gen(function*() {
          const tokens = yield* promise(() => Promise.all(Array.from({ length: 50 }, (_, i) => sign(claims({ sid: `sess_${i}` })))))
          for (let round = 0; round < 3; round++) {
            const errors = yield* Effect.all(tokens.map((t) => Effect.flip(verifier.verify(t))), { concurrency: "unbounded" })
            expect(new Set(errors.map((e) => `${e.reason} <- ${e.cause?._tag} ${(e.cause as { clerkTraceId?: string }).clerkTraceId}`)))
              .toEqual(new Set(["JwkFailedToResolve <- ClerkServerError trace_c"]))
          }
          expect(server.fetches()).toBe(1)
          yield* TestClock.adjust("30 seconds")
          yield* Effect.all(tokens.map((t) => Effect.flip(verifier.verify(t))), { concurrency: "unbounded" })
          expect(server.fetches()).toBe(2)
        }))
    })

    it.effect("retry.times 3 on a 503: 20 verifies send one fetch and its 3 retries (was 80), a 401 is never retried", () =>
      Effect.gen(function*() {
        for (const [reply, expected] of [[json({ errors: [] }, 503), 4], [json({ errors: [] }, 401), 1]] as const) {
          const server = jwksServer([main.jwk])
          server.fail(reply)
          yield* withVerifier(jwksLayer(server, {}, { retry: { times: 3, baseDelay: "0 millis" } }), (verifier) =>
            Effect.gen(function*() {
              const token = yield* promise(() => sign(claims()))
              for (let i = 0; i < 20; i++) expect(yield* reasonOf(verifier.verify(token))).toBe("JwkFailedToResolve")
            }))
          expect(server.fetches()).toBe(expected)
        }
      }))

    it.effect("a token that cannot be a JWT, or has no kid, is refused before any JWKS fetch", () => {
      const server = jwksServer([main.jwk])
      return withVerifier(jwksLayer(server), (verifier) =>
        Effect.gen(function*() {
          const good = yield* promise(() => sign(claims()))
          const [h, p, sig] = segments(good)
          const cases: ReadonlyArray<readonly [string, TokenInvalidReason, string]> = [
            ["junk", "TokenInvalid", "not a JWT"],
            [`${h}.${p}`, "TokenInvalid", "not a JWT"],
            [`${h}.${p}.${sig}.${sig}`, "TokenInvalid", "not a JWT"],
            [`${b64("{not json")}.${p}.${sig}`, "TokenInvalid", "not base64url-encoded JSON"],
            [`${b64({ alg: "none", kid: main.kid })}.${p}.`, "TokenInvalidAlgorithm", "\"none\""],
            [`${b64({ alg: "HS256", kid: main.kid })}.${p}.${sig}`, "TokenInvalidAlgorithm", "\"HS256\""],
            [`${h}.${p}!.${sig}`, "TokenInvalid", "payload is not base64url"],
            [`${h}.${p}.${sig}=`, "TokenInvalidSignature", "not canonical"],
            [yield* promise(() => sign(claims(), main, { alg: "RS256", typ: "JWT" })), "JwkKidMismatch", "no kid header"]
          ]
          for (const [token, reason, message] of cases) {
            const error = yield* Effect.flip(verifier.verify(token))
            expect([error.reason, error.message]).toEqual([reason, expect.stringContaining(message)])
          }
          expect(server.fetches()).toBe(0)
          expect((yield* verifier.verify(good)).sid).toBe("sess_2abc")
          expect(server.fetches()).toBe(1)
        }))
    })

    it.effect("jwksFailureCooldown is configurable, and defaults to kidRefetchCooldown", () =>
      Effect.gen(function*() {
        for (const [options, cooldown] of [[{ jwksFailureCooldown: "5 seconds" }, 5_000], [{ kidRefetchCooldown: "2 minutes" }, 120_000]] as const) {
          const server = jwksServer([main.jwk])
          server.fail(json({ errors: [] }, 500))
          yield* withVerifier(jwksLayer(server, options), (verifier) =>
            Effect.gen(function*() {
              const token = yield* promise(() => sign(claims({ exp: NOW_S + 3600 })))
              yield* Effect.flip(verifier.verify(token))
              yield* TestClock.adjust(cooldown - 1)
              yield* Effect.flip(verifier.verify(token))
              expect(server.fetches()).toBe(1)
              yield* TestClock.adjust(1)
              yield* Effect.flip(verifier.verify(token))
              expect(server.fetches()).toBe(2)
            }))
        }
      }))
  })

  describe("stale keys have an upper bound (jwksMaxStale)", () => {
    it.effect("with the JWKS failing, cached keys verify until 1 hour past the TTL, then fail closed; a refresh restores", () => {
      const server = jwksServer([main.jwk])
      return withVerifier(jwksLayer(server), (verifier) =>
        Effect.gen(function*() {
          const token = yield* promise(() => sign(claims({ exp: NOW_S + 7200 })))
          yield* verifier.verify(token)
          server.fail(json({ errors: [{ code: "internal_clerk_error", message: "Oops" }] }, 503))
          // 5 min TTL + 1 h: the last millisecond the cached keys are trusted.
          yield* TestClock.adjust(5 * 60_000 + 3600_000 - 1)
          expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
          expect(server.fetches()).toBe(2)
          yield* TestClock.adjust(1)
          const error = yield* Effect.flip(verifier.verify(token))
          expect([error.reason, error.cause?._tag]).toEqual(["JwkFailedToResolve", "ClerkServerError"])
          expect(error.message).toContain("Could not load the instance's JWKS: Clerk server error (503)")
          // Still inside the failure cooldown of the fetch just made: refused without a fetch.
          expect(server.fetches()).toBe(2)
          expect(yield* reasonOf(verifier.verify(token))).toBe("JwkFailedToResolve")
          expect(server.fetches()).toBe(2)
          // Clerk answers again: the next attempt after the cooldown restores service.
          server.fail(undefined)
          yield* TestClock.adjust("30 seconds")
          expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
          expect(server.fetches()).toBe(3)
        }))
    })

    it.effect("jwksMaxStale is configurable: 0 fails closed at the TTL, Duration.infinity never does", () =>
      Effect.gen(function*() {
        for (const [jwksMaxStale, lastGood] of [["0 millis", 5 * 60_000 - 1], ["10 minutes", 15 * 60_000 - 1]] as const) {
          const server = jwksServer([main.jwk])
          yield* withVerifier(jwksLayer(server, { jwksMaxStale }), (verifier) =>
            Effect.gen(function*() {
              const token = yield* promise(() => sign(claims({ exp: NOW_S + 7200 })))
              yield* verifier.verify(token)
              server.fail(json({ errors: [] }, 500))
              yield* TestClock.adjust(lastGood)
              if (lastGood >= 5 * 60_000) expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
              yield* TestClock.adjust(1)
              expect(yield* reasonOf(verifier.verify(token))).toBe("JwkFailedToResolve")
            }))
        }
        const server = jwksServer([main.jwk])
        yield* withVerifier(jwksLayer(server, { jwksMaxStale: Duration.infinity }), (verifier) =>
          Effect.gen(function*() {
            const token = yield* promise(() => sign(claims({ exp: NOW_S + 30 * 86400 })))
            yield* verifier.verify(token)
            server.fail(json({ errors: [] }, 500))
            yield* TestClock.adjust("7 days")
            expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
          }))
      }))
  })

  describe("the RSA exponent is checked", () => {
    it.effect("a forged token (no private key) under a JWKS key with e = 1 is refused; the same key with e = 65537 refuses it too", () => {
      const header = { alg: "RS256", kid: "ins_2e1", typ: "JWT" }
      const server = jwksServer([withExponent("AQ", "ins_2e1"), main.jwk])
      return withVerifier(jwksLayer(server), (verifier) =>
        Effect.gen(function*() {
          const forged = yield* promise(() => forgeWithExponentOne(header, claims({ sub: "user_attacker" }), modulusBytes))
          const error = yield* Effect.flip(verifier.verify(forged))
          expect([error.reason, error.message]).toEqual([
            "TokenInvalidAlgorithm",
            "The JWKS key \"ins_2e1\" cannot verify session tokens: its RSA exponent (e) is 1; only 65537 is accepted"
          ])
          // The same bytes under the real key (e = 65537) are no signature either.
          const underMain = `${b64(headerOf(main))}.${segments(forged)[1]}.${segments(forged)[2]}`
          expect(yield* reasonOf(verifier.verify(underMain))).toBe("TokenInvalidSignature")
          // The other keys of the JWKS still verify.
          expect((yield* verifier.verify(yield* promise(() => sign(claims())))).sid).toBe("sess_2abc")
        }))
    })

    it.effect("exponents 3, 65536 (even), 2^64+1 and an unreadable e mark the key unusable, with the reason", () => {
      const keys = [
        withExponent("Aw", "ins_2e3"),
        withExponent("AQAA", "ins_2even"),
        withExponent("AQAAAAAAAAAB", "ins_2big"),
        withExponent("A$B", "ins_2bad")
      ]
      return withVerifier(jwksLayer(jwksServer(keys)), (verifier) =>
        Effect.gen(function*() {
          const messages = []
          for (const { kid } of keys) {
            const error = yield* Effect.flip(verifier.verify(yield* promise(() => sign(claims(), { ...main, kid: kid! }))))
            expect(error.reason).toBe("TokenInvalidAlgorithm")
            messages.push(error.message.replace(/^.*: its /, ""))
          }
          expect(messages).toEqual([
            "RSA exponent (e) is 3; only 65537 is accepted",
            "RSA exponent (e) is 65536; only 65537 is accepted",
            "RSA exponent (e) is a 65-bit number; only 65537 is accepted",
            "RSA exponent (e) is unreadable"
          ])
        }))
    })

    it.effect("layerJwtKey refuses a PEM with e = 1 or e = 3 (ConfigError naming jwtKey)", () =>
      Effect.gen(function*() {
        for (const [e, shown] of [["AQ", "1"], ["Aw", "3"]] as const) {
          const jwtKey = yield* promise(() => pemWithExponent(e))
          const exit = yield* Effect.exit(withVerifier(TokenVerifier.layerJwtKey({ jwtKey }), () => Effect.void))
          expect(Exit.isFailure(exit)).toBe(true)
          // Bun's WebCrypto itself refuses to import an SPKI key with e = 1; Node and Deno import it.
          const why = e === "AQ" && "Bun" in globalThis
            ? "not an RSA public key in PEM (SPKI) form"
            : `the key's RSA exponent (e) is ${shown}; only 65537 is accepted`
          expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain(`jwtKey is not a usable Clerk JWT public key: ${why}`)
        }
        // The same modulus with e = 65537 is the real key: accepted.
        const real = yield* promise(() => pemWithExponent("AQAB"))
        const sid = yield* withVerifier(TokenVerifier.layerJwtKey({ jwtKey: real }), (v) =>
          Effect.flatMap(promise(() => sign(claims())), (t) => Effect.map(v.verify(t), (c) => c.sid)))
        expect(sid).toBe("sess_2abc")
      }))

    it.effect("a modulus under 2048 bits is refused from its n, before any import", () => {
      const importKey = vi.spyOn(crypto.subtle, "importKey")
      return withVerifier(jwksLayer(jwksServer([weakJwk])), (verifier) =>
        Effect.gen(function*() {
          const token = yield* promise(() => signRaw({ alg: "RS256", kid: "ins_2weak", typ: "JWT" }, claims(), weakPair.privateKey))
          const error = yield* Effect.flip(verifier.verify(token))
          expect(error.message).toBe(
            "The JWKS key \"ins_2weak\" cannot verify session tokens: its modulus is 1024 bits, under 2048"
          )
          expect(importKey).not.toHaveBeenCalled()
        })).pipe(Effect.ensuring(Effect.sync(() => importKey.mockRestore())))
    })
  })

  describe("time claims must be times", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["exp", "1e400", "Infinity"],
      ["exp", "-1e20", "-100000000000000000000"],
      ["exp", "-62135596801", "-62135596801"],
      ["exp", "253402300800", "253402300800"],
      ["nbf", "1e400", "Infinity"],
      ["nbf", "-1e400", "-Infinity"],
      ["iat", "1e400", "Infinity"],
      ["iat", "-1e400", "-Infinity"]
    ]
    for (const [claim, literal, shown] of cases) {
      it.effect(`${claim}: ${literal} → TokenInvalid (JWKS and PEM layers)`, () =>
        Effect.gen(function*() {
          const token = yield* promise(() => signText(claimsText(claim, literal)))
          for (const layer of [jwksLayer(jwksServer([main.jwk])), pemLayer()]) {
            const error = yield* withVerifier(layer, (verifier) => Effect.flip(verifier.verify(token)))
            expect([error.reason, error.message]).toEqual([
              "TokenInvalid",
              `The token's ${claim} (${shown}) is not a time: expected epoch seconds from -62135596800 (year 1) to 253402300799 (year 9999)`
            ])
          }
        }))
    }

    it.effect("the year-9999 edge, times before 1970 (TestClock starts at 0) and fractional seconds are times", () =>
      withVerifier(pemLayer(), (verifier) =>
        Effect.gen(function*() {
          const edge = yield* promise(() => signText(claimsText("exp", "253402300799")))
          expect((yield* verifier.verify(edge)).exp).toBe(253402300799)
          const early = yield* promise(() => signText(claimsText("nbf", "-62135596800")))
          expect((yield* verifier.verify(early)).nbf).toBe(-62135596800)
          const fractional = yield* promise(() => signText(claimsText("iat", String(NOW_S - 0.5))))
          expect((yield* verifier.verify(fractional)).iat).toBe(NOW_S - 0.5)
        })))
  })

  describe("kid is required on the JWKS path", () => {
    it.effect("a token without kid is refused (JwkKidMismatch) with a single-key JWKS, before any fetch; the PEM layer accepts it", () =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims(), main, { alg: "RS256", typ: "JWT" }))
        const server = jwksServer([main.jwk])
        const error = yield* withVerifier(jwksLayer(server), (verifier) => Effect.flip(verifier.verify(token)))
        expect([error.reason, error.message]).toEqual([
          "JwkKidMismatch",
          "The token has no kid header: Clerk session tokens always name their signing key, and the JWKS key is chosen by it"
        ])
        expect(server.fetches()).toBe(0)
        expect((yield* withVerifier(pemLayer(), (verifier) => verifier.verify(token))).sid).toBe("sess_2abc")
      }))
  })
})

// ---------------------------------------------------------------------------------------
// PEM and config layers
// ---------------------------------------------------------------------------------------

describe("TokenVerifier.layerJwtKey and layerConfig", () => {
  it.effect("layerJwtKey verifies with no HttpClient and no ClerkClient at all; the kid is not matched", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims(), main, { alg: "RS256", kid: "ins_whatever", typ: "JWT" }))
        expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        const forged = yield* promise(() => sign(claims(), other, headerOf(main)))
        expect(yield* reasonOf(verifier.verify(forged))).toBe("TokenInvalidSignature")
        const rs384Token = yield* promise(() => signAs("RS384", main, claims()))
        expect(yield* reasonOf(verifier.verify(rs384Token))).toBe("TokenInvalidAlgorithm")
      })))

  it.effect("a PEM with \\n escapes, CRLF, quotes, or as a bare base64 body", () =>
    Effect.gen(function*() {
      const token = yield* promise(() => sign(claims()))
      const body = mainPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "")
      const variants = [
        mainPem.replace(/\n/g, "\\n"),
        mainPem.replace(/\n/g, "\r\n"),
        `"${mainPem.trim().replace(/\n/g, "\\n")}"`,
        body
      ]
      for (const jwtKey of variants) {
        const sid = yield* withVerifier(TokenVerifier.layerJwtKey({ jwtKey }), (v) => Effect.map(v.verify(token), (c) => c.sid))
        expect(sid).toBe("sess_2abc")
      }
    }))

  it.effect("a malformed PEM fails the layer with a ConfigError naming jwtKey", () =>
    Effect.gen(function*() {
      const ecPem = yield* promise(() => exportSPKI(es256.publicKey))
      for (
        const [jwtKey, why] of [
          ["not a key", "not an RSA public key"],
          [mainPem.replace("MIIB", "MIIC"), "not an RSA public key"],
          [ecPem, "not an RSA public key"],
          ["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "expected a PEM public key"]
        ] as const
      ) {
        const exit = yield* Effect.exit(withVerifier(TokenVerifier.layerJwtKey({ jwtKey }), () => Effect.void))
        expect(Exit.isFailure(exit)).toBe(true)
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        expect(text).toContain("jwtKey")
        expect(text).toContain(why)
      }
    }))

  it.effect("layerConfig: CLERK_JWT_KEY (with \\n escapes) means no network", () => {
    const server = jwksServer([other.jwk])
    const layer = TokenVerifier.layerConfig().pipe(
      Layer.provide(clientLayer(server)),
      Layer.provide(
        configLayer(new Map([["CLERK_JWT_KEY", mainPem.replace(/\n/g, "\\n")]]))
      )
    )
    return withVerifier(layer, (verifier) =>
      Effect.gen(function*() {
        expect((yield* verifier.verify(yield* promise(() => sign(claims())))).sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(0)
      }))
  })

  it.effect("layerConfig: without CLERK_JWT_KEY (or empty), keys come from the JWKS", () =>
    Effect.gen(function*() {
      for (const env of [new Map<string, string>(), new Map([["CLERK_JWT_KEY", "  "]])]) {
        const server = jwksServer([main.jwk])
        const layer = TokenVerifier.layerConfig().pipe(
          Layer.provide(clientLayer(server)),
          Layer.provide(configLayer(env))
        )
        const sid = yield* withVerifier(layer, (v) => Effect.flatMap(promise(() => sign(claims())), (t) => v.verify(t)))
        expect(sid.sid).toBe("sess_2abc")
        expect(server.fetches()).toBe(1)
      }
    }))

  it.effect("layerConfig: a malformed CLERK_JWT_KEY is a ConfigError naming it", () => {
    const server = jwksServer([main.jwk])
    const layer = TokenVerifier.layerConfig().pipe(
      Layer.provide(clientLayer(server)),
      Layer.provide(configLayer(new Map([["CLERK_JWT_KEY", "garbage"]])))
    )
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(withVerifier(layer, () => Effect.void))
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("CLERK_JWT_KEY is not a usable Clerk JWT public key")
    })
  })
})

describe("TokenVerifier options refused or read at layer build (clockSkew, CLERK_AUTHORIZED_PARTIES, PEM-only config)", () => {
  for (const [name, clockSkew, shown] of [
    ["3650 days", Duration.days(3650), "315360000000 ms"],
    ["Duration.infinity", Duration.infinity, "infinite"],
    ["5 minutes and a millisecond", Duration.millis(300_001), "300001 ms"]
  ] as const) {
    it.effect(`clockSkew ${name}: layerJwtKey and layerConfig fail with a ConfigError naming clockSkew; layer with a defect`, () =>
      Effect.gen(function*() {
        const message = `clockSkew must be a duration from 0 to 5 minutes, got ${shown}`
        const pem = yield* Effect.exit(withVerifier(pemLayer({ clockSkew }), () => Effect.void))
        expect(String(Exit.isFailure(pem) ? pem.cause : "")).toContain(message)
        const config = yield* Effect.exit(withVerifier(
          TokenVerifier.layerConfig({ clockSkew }).pipe(Layer.provide(clientLayer(jwksServer([main.jwk]))), Layer.provide(configLayer(new Map()))),
          () => Effect.void
        ))
        expect(String(Exit.isFailure(config) ? config.cause : "")).toContain(message)
        const layer = yield* Effect.exit(withVerifier(jwksLayer(jwksServer([main.jwk]), { clockSkew }), () => Effect.void))
        expect(String(Exit.isFailure(layer) ? layer.cause : "")).toContain(`TokenVerifier: invalid options: ${message}`)
      }))
  }

  it.effect("clockSkew of 5 minutes is accepted and applied", () =>
    withVerifier(pemLayer({ clockSkew: Duration.minutes(5), authorizedParties: [ORIGIN] }), (verifier) =>
      Effect.gen(function*() {
        // Expired 4 minutes ago: within the skew.
        expect((yield* verifier.verify(yield* promise(() => sign(claims({ exp: NOW_S - 240 }))))).sid).toBe("sess_2abc")
      })))

  it.effect("layerConfigJwtKey: CLERK_JWT_KEY alone, no CLERK_SECRET_KEY and no ClerkClient; CLERK_AUTHORIZED_PARTIES enforced", () => {
    const env = configLayer(new Map([["CLERK_JWT_KEY", mainPem], ["CLERK_AUTHORIZED_PARTIES", ` ${ORIGIN} , https://other.example`]]))
    return withVerifier(TokenVerifier.layerConfigJwtKey().pipe(Layer.provide(env)), (verifier) =>
      Effect.gen(function*() {
        expect((yield* verifier.verify(yield* promise(() => sign(claims()))))).toMatchObject({ sid: "sess_2abc", azp: ORIGIN })
        expect(yield* reasonOf(verifier.verify(yield* promise(() => sign(claims({ azp: "https://evil.example" })))))).toBe(
          "TokenInvalidAuthorizedParties"
        )
      }))
  })

  it.effect("layerConfigJwtKey without CLERK_JWT_KEY: a ConfigError naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(withVerifier(TokenVerifier.layerConfigJwtKey().pipe(Layer.provide(configLayer(new Map()))), () => Effect.void))
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("CLERK_JWT_KEY")
    }))

  it.effect("layerConfig reads CLERK_AUTHORIZED_PARTIES (comma-separated) when no authorizedParties are given", () => {
    const server = jwksServer([main.jwk])
    const layer = TokenVerifier.layerConfig().pipe(
      Layer.provide(clientLayer(server)),
      Layer.provide(configLayer(new Map([["CLERK_AUTHORIZED_PARTIES", "https://only.example"]])))
    )
    return withVerifier(layer, (verifier) =>
      Effect.gen(function*() {
        expect(yield* reasonOf(verifier.verify(yield* promise(() => sign(claims()))))).toBe("TokenInvalidAuthorizedParties")
        expect((yield* verifier.verify(yield* promise(() => sign(claims({ azp: "https://only.example" }))))).sid).toBe("sess_2abc")
      }))
  })

  it.effect("layerConfig takes Config.Wrap options: a Config per field", () =>
    withVerifier(
      TokenVerifier.layerConfig({ authorizedParties: Config.succeed(["https://wrapped.example"]), clockSkew: Config.succeed(Duration.seconds(10)) }).pipe(
        Layer.provide(clientLayer(jwksServer([main.jwk]))),
        Layer.provide(configLayer(new Map([["CLERK_JWT_KEY", mainPem], ["SKEW", "10 seconds"]])))
      ),
      (verifier) =>
        Effect.gen(function*() {
          expect(yield* reasonOf(verifier.verify(yield* promise(() => sign(claims()))))).toBe("TokenInvalidAuthorizedParties")
          const token = yield* promise(() => sign(claims({ azp: "https://wrapped.example", exp: NOW_S - 8 })))
          expect((yield* verifier.verify(token)).sid).toBe("sess_2abc")
        })
    ))

  it.effect("no authorizedParties: one warning at layer build that azp is not checked; none with them", () => {
    const { lines, logger } = captureLogs()
    return Effect.gen(function*() {
      yield* withVerifier(pemLayer(), (v) => Effect.flatMap(promise(() => sign(claims())), (t) => v.verify(t)))
      yield* withVerifier(pemLayer(), (v) => Effect.flatMap(promise(() => sign(claims())), (t) => v.verify(t)))
      yield* withVerifier(pemLayer({ authorizedParties: [ORIGIN] }), (v) => Effect.flatMap(promise(() => sign(claims())), (t) => v.verify(t)))
      expect(lines).toEqual(Array(2).fill(
        "WARN: effect-clerk: TokenVerifier has no authorizedParties, so a token's azp (the origin it was issued to) is not " +
          "checked; set authorizedParties (or CLERK_AUTHORIZED_PARTIES) to your frontend's origins"
      ))
    }).pipe(Effect.provide(logger))
  })
})

// ---------------------------------------------------------------------------------------
// authenticateRequest
// ---------------------------------------------------------------------------------------

describe("TokenVerifier.authenticateRequest", () => {
  const request = (headers: Record<string, string>) => new Request("https://app.example.com/api", { headers })

  it.effect("Authorization: Bearer", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        expect((yield* verifier.authenticateRequest(request({ authorization: `Bearer ${token}` }))).sid).toBe("sess_2abc")
        expect((yield* verifier.authenticateRequest(request({ authorization: `bearer  ${token} ` }))).sid).toBe("sess_2abc")
      })))

  it.effect("the __session cookie among other cookies", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const token = yield* promise(() => sign(claims()))
        const cookie = `theme=dark; __session_abc=nope; __client_uat=1778587200; __session=${token}; other=1`
        expect((yield* verifier.authenticateRequest(request({ cookie }))).sid).toBe("sess_2abc")
        // A non-Bearer Authorization header does not hide the cookie.
        expect((yield* verifier.authenticateRequest(request({ cookie, authorization: "Basic dXNlcjpwYXNz" }))).sid)
          .toBe("sess_2abc")
      })))

  it.effect("neither: ClerkTokenMissing", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        for (
          const headers of [{}, { cookie: "theme=dark; __session=" }, { authorization: "Bearer " }, {
            authorization: "Basic dXNlcjpwYXNz",
            cookie: "__sessionx=1"
          }]
        ) {
          const error = yield* Effect.flip(verifier.authenticateRequest(request(headers)))
          expect(error).toBeInstanceOf(ClerkTokenMissing)
          expect(error.message).toBe(
            "No session token: the request has neither an Authorization: Bearer header nor a __session cookie"
          )
        }
      })))

  it.effect("both: the header wins", () =>
    withVerifier(pemLayer(), (verifier) =>
      Effect.gen(function*() {
        const fromHeader = yield* promise(() => sign(claims({ sid: "sess_header" })))
        const fromCookie = yield* promise(() => sign(claims({ sid: "sess_cookie" })))
        const both = request({ authorization: `Bearer ${fromHeader}`, cookie: `__session=${fromCookie}` })
        expect((yield* verifier.authenticateRequest(both)).sid).toBe("sess_header")
        // Even when the header's token is bad: no fallback to the cookie.
        const expired = yield* promise(() => sign(claims({ exp: NOW_S - 60 })))
        const badHeader = request({ authorization: `Bearer ${expired}`, cookie: `__session=${fromCookie}` })
        const error = yield* Effect.flip(verifier.authenticateRequest(badHeader))
        expect(error._tag === "ClerkTokenInvalid" && error.reason).toBe("TokenExpired")
      })))
})

// ---------------------------------------------------------------------------------------
// Secrecy and spans
// ---------------------------------------------------------------------------------------

describe("TokenVerifier: spans only when a tracer collects them", () => {
  // The JWKS is fetched inside the first verification; the spans around that request show
  // whether the verifier opened one of its own.
  const spansAroundJwksFetch = (withRecorder: boolean) => {
    const recorder = makeRecorder()
    const server = jwksServer([main.jwk])
    const run = Effect.gen(function*() {
      const token = yield* promise(() => sign(claims()))
      yield* withVerifier(jwksLayer(server), (verifier) => verifier.verify(token).pipe(Effect.withSpan("request")))
      const [fetch] = server.mock.recorded
      return fetch.spans.map((span) => span.name)
    })
    return withRecorder ? run.pipe(Effect.provide(recorder.layer)) : run
  }

  it.effect("under Effect's default tracer no TokenVerifier span is built, even inside the caller's span", () =>
    Effect.gen(function*() {
      expect(yield* spansAroundJwksFetch(false)).toEqual([httpSpanName("GET"), "request"])
    }))

  it.effect("with a tracer installed it is the caller's span's child", () =>
    Effect.gen(function*() {
      expect(yield* spansAroundJwksFetch(true)).toEqual([httpSpanName("GET"), "TokenVerifier.verify", "request"])
    }))
})

describe("TokenVerifier: the token never leaks", () => {
  it.effect("spans and logs of a traced caller carry no token; untraced callers get no span", () => {
    const recorder = makeRecorder()
    return Effect.gen(function*() {
      const good = yield* promise(() => sign(claims()))
      const bad = yield* promise(() => sign(claims({ exp: NOW_S - 60 })))
      yield* withVerifier(pemLayer(), (verifier) =>
        Effect.gen(function*() {
          yield* verifier.verify(good)
          expect(recorder.spans).toHaveLength(0)
          yield* verifier.verify(good).pipe(Effect.withSpan("request"))
          yield* Effect.flip(verifier.verify(bad)).pipe(Effect.withSpan("request"))
          yield* Effect.flip(verifier.authenticateRequest(new Request("https://x", { headers: { cookie: `__session=${bad}` } })))
            .pipe(Effect.withSpan("request"))
          yield* Effect.logError("verification failed", yield* Effect.flip(verifier.verify(bad)))
        }))
      expect(recorder.spans.map((s) => [s.name, s.parent])).toEqual([
        ["request", undefined],
        ["TokenVerifier.verify", "request"],
        ["request", undefined],
        ["TokenVerifier.verify", "request"],
        ["request", undefined],
        ["TokenVerifier.authenticateRequest", "request"]
      ])
      const dump = recorder.dump()
      expect(dump).toContain("The token has expired (exp)")
      for (const token of [good, bad]) {
        expect(dump).not.toContain(token)
        expect(dump).not.toContain(token.split(".")[2])
        expect(dump).not.toContain(token.split(".")[1])
      }
    }).pipe(Effect.provide(recorder.layer))
  })
})

// ---------------------------------------------------------------------------------------
// Property: no mutation of a valid token verifies
// ---------------------------------------------------------------------------------------

describe("TokenVerifier: mutated tokens never verify", () => {
  const mutation = (token: string) => {
    const parts = segments(token)
    const char = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n\u00e9")
    return fc.oneof(
      // Replace one character anywhere by a different one.
      fc.tuple(fc.nat({ max: token.length - 1 }), char).filter(([i, c]) => token[i] !== c).map(([i, c]) =>
        token.slice(0, i) + c + token.slice(i + 1)
      ),
      // Insert a character anywhere.
      fc.tuple(fc.nat({ max: token.length }), char).map(([i, c]) => token.slice(0, i) + c + token.slice(i)),
      // Delete one character.
      fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i) + token.slice(i + 1)),
      // Truncate.
      fc.nat({ max: token.length - 1 }).map((n) => token.slice(0, n)),
      // Swap or reorder segments.
      fc.constantFrom(
        [parts[1], parts[0], parts[2]].join("."),
        [parts[0], parts[2], parts[1]].join("."),
        [parts[2], parts[1], parts[0]].join("."),
        [parts[0], parts[1], parts[1]].join("."),
        [parts[0], parts[0], parts[2]].join(".")
      ),
      // Append a segment or characters.
      fc.string({ minLength: 1, maxLength: 8 }).map((s) => token + s)
    ).filter((mutated) => mutated !== token)
  }

  it.effect("flips, inserts, deletions, truncations and segment swaps all fail", () =>
    withVerifier(jwksLayer(jwksServer([main.jwk, rs384.jwk])), (verifier) =>
      Effect.gen(function*() {
        const tokens = yield* promise(() =>
          Promise.all([sign(claims()), sign(claims({ sid: "sess_384" }), rs384), sign(claims({ azp: undefined }))])
        )
        for (const token of tokens) expect((yield* verifier.verify(token)).sub).toBe("user_2abc")
        // fast-check calls the property from outside the fiber: run each mutant with what the
        // test's fiber has (its TestClock at NOW, where the originals verified).
        const run = yield* currentRunner
        const reasons = new Set<string>()
        yield* promise(() =>
          fc.assert(
            fc.asyncProperty(fc.constantFrom(...tokens).chain(mutation), async (mutated) => {
              const exit = await run(Effect.match(verifier.verify(mutated), {
                onFailure: (error) => error.reason,
                onSuccess: () => undefined
              }))
              const reason = exit._tag === "Success" ? exit.value : undefined
              if (reason !== undefined) reasons.add(reason)
              return reason !== undefined
            }),
            { numRuns: 500 }
          )
        )
        expect([...reasons]).toEqual(expect.arrayContaining(["TokenInvalid", "TokenInvalidSignature"]))
      })))
})

// ---------------------------------------------------------------------------------------
// jose stays out of a Sessions-only program
// ---------------------------------------------------------------------------------------

describe("TokenVerifier: bundle boundary", () => {
  /** Every module `entry` imports (values and types), transitively, within src/. */
  const importGraph = (entry: string) => {
    const seen = new Map<string, ReadonlyArray<string>>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      const source = readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8")
      const specifiers = [...source.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)].map((m) => m[1])
      seen.set(file, specifiers)
      for (const specifier of specifiers) {
        if (!specifier.startsWith(".")) continue
        const resolved = new URL(specifier.replace(/\.js$/, ".ts"), new URL(`file:///src/${file}`)).pathname.slice(5)
        visit(resolved)
      }
    }
    visit(entry)
    return seen
  }

  it("nothing Sessions.ts imports pulls in jose; TokenVerifier does", () => {
    const sessions = importGraph("Sessions.ts")
    expect([...sessions.keys()]).toContain("ClerkClient.ts")
    for (const [file, specifiers] of sessions) expect([file, specifiers.filter((s) => s === "jose")]).toEqual([file, []])
    const verifier = importGraph("TokenVerifier.ts")
    expect(verifier.get("internal/jwks.ts")).toContain("jose")
    expect(verifier.get("internal/verify.ts")).toContain("jose")
    expect([...verifier.keys()]).not.toContain("Sessions.ts")
  })
})
