/**
 * TokenVerifier with a JwksStore (the memory store, on TestClock, the emulator in-process):
 * cold verifiers (a fleet's isolates) sharing one store ask Clerk once, stale keys serve
 * while one refresh runs (handed to waitUntil when a request gives one), an unknown kid still
 * refreshes and rewrites the store, a failing, hanging or corrupt store never fails a
 * verification Clerk can answer, and the store holds only public keys under a key that does
 * not contain the secret. The same store semantics over real KV and the Cache API run inside
 * workerd (test/workers/fleet.test.ts).
 */
import * as Kernel from "#line/Kernel"
import { FetchHttpClient, noLogger, TestClock, yieldNow } from "#test-line/Testing"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../src/ClerkClient.js"
import { JwksStore, JwksStoreError } from "../src/JwksStore.js"
import { ClerkEmulator, Fault } from "../src/testing/index.js"
import { TokenVerifier } from "../src/TokenVerifier.js"
import { exportJWK, generateKeyPair, SignJWT } from "jose"
import { captureLogs } from "./support/fleet.js"

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0)
const SECRET = "sk_test_fleet_store_4f2a"

const emulatorLayer = ClerkEmulator.layerClient({ secretKey: SECRET, client: { retry: false } })

/**
 * A fresh verifier, as a cold isolate builds it, alive until the test's scope closes (as an
 * isolate's runtime outlives its requests, so background work can finish).
 */
/** The verifier's warning that no authorizedParties are set (tested in TokenVerifier.test.ts). */
const AZP_WARNING = /TokenVerifier has no authorizedParties/

// Emulator tokens carry no azp: no authorizedParties (the layer warns; the tests' logs drop that line).
const coldVerifier = Effect.map(Layer.build(TokenVerifier.layer()), (context) => Context.get(context, TokenVerifier))

/** A cold isolate verifying one token. */
const coldVerify = (token: string) => Effect.flatMap(coldVerifier, (v) => v.verify(token))

const jwksFetches = Effect.flatMap(ClerkEmulator, (emulator) =>
  Effect.map(emulator.requests, (requests) => requests.filter((r) => r.route === "getJwks")))

const session = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const emulator = yield* ClerkEmulator
  yield* emulator.seedUser({ id: "user_fleet" })
  yield* emulator.seedSession({ id: "sess_fleet", userId: "user_fleet" })
  return emulator
})

/** Let forked fibers (a background refresh) run to their next wait. */
const settle = Effect.repeat(yieldNow, { times: 50 })

/** The one entry of a memory store, parsed. */
const onlyEntry = (store: ReturnType<typeof JwksStore.makeMemory>) => {
  expect(store.entries.size).toBe(1)
  const [key, entry] = [...store.entries][0]!
  // A signed envelope: the body as text and its HMAC-SHA256 (base64url, 32 bytes).
  const envelope = JSON.parse(entry.value) as { v: number; body: string; mac: string }
  expect(Object.keys(envelope).sort()).toEqual(["body", "mac", "v"])
  expect([envelope.v, /^[A-Za-z0-9_-]{43}$/.test(envelope.mac)]).toEqual([2, true])
  return { key, entry: JSON.parse(envelope.body) as { fetchedAt: number; keys: Array<Record<string, unknown>> } }
}

/** A store entry signed as an isolate holding `stateKey` signs it (what the tests plant). */
const signedEntry = (key: string, stateKey: CryptoKey, body: unknown) =>
  Effect.promise(async () => {
    const text = JSON.stringify(body)
    const mac = await crypto.subtle.sign("HMAC", stateKey, new TextEncoder().encode(`${key}\n${text}`))
    const b64 = btoa(String.fromCharCode(...new Uint8Array(mac))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
    return JSON.stringify({ v: 2, body: text, mac: b64 })
  })

/** An attacker's RSA key pair and its public JWK under `kid`. */
const attackerKey = (kid: string) =>
  Effect.promise(async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true })
    const jwk = await exportJWK(publicKey)
    return { privateKey, jwk: { ...jwk, kid, alg: "RS256", use: "sig" } }
  })

/** A session token for `sid`, signed with `privateKey` under `kid`, valid at NOW. */
const forgedToken = (privateKey: CryptoKey, kid: string, sid: string) =>
  Effect.promise(() =>
    new SignJWT({ sid, sub: "user_fleet", v: 2 })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuedAt(NOW / 1000)
      .setNotBefore(NOW / 1000 - 10)
      .setExpirationTime(NOW / 1000 + 60)
      .sign(privateKey)
  )

describe("JwksStore: a fleet's cold isolates share the JWKS", () => {
  it.effect("20 cold verifiers sharing one store make exactly one GET /v1/jwks", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      const token = yield* emulator.mintToken("sess_fleet")
      for (let i = 0; i < 20; i++) {
        expect((yield* coldVerify(token)).sid).toBe("sess_fleet")
      }
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200])
      // Keyed by the API URL and a hash of the secret key, never the key itself.
      const { entry, key } = onlyEntry(store)
      expect(key).toMatch(/^effect-clerk\/jwks\/v2\/https:\/\/api\.clerk\.com\/v1#[0-9a-f]{64}$/)
      expect(key).not.toContain(SECRET)
      expect(entry.fetchedAt).toBe(NOW)
      expect(entry.keys.map((k) => k.kid)).toEqual([emulator.instanceId])
      // Kept for the TTL (5 min) plus the maximum staleness (1 h).
      expect(store.entries.get(key)!.expiresAt).toBe(NOW + 65 * 60_000)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("without a store each cold verifier asks Clerk (what the store saves)", () =>
    Effect.gen(function*() {
      const emulator = yield* session
      const token = yield* emulator.mintToken("sess_fleet")
      for (let i = 0; i < 5; i++) yield* coldVerify(token)
      expect(yield* jwksFetches).toHaveLength(5)
    }).pipe(Effect.scoped, Effect.provide(emulatorLayer)))

  it.effect("the store holds only public keys, whatever else the JWKS carries", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* ClerkEmulator
      yield* TestClock.setTime(NOW)
      yield* emulator.seedUser({ id: "user_fleet" })
      yield* emulator.seedSession({ id: "sess_fleet", userId: "user_fleet" })
      // A JWKS answer that also carries private RSA members and stray fields.
      const leaky: typeof fetch = async (input, init) => {
        const response = await emulator.fetch(input, init)
        if (!new URL(String(input instanceof Request ? input.url : input)).pathname.endsWith("/jwks")) return response
        const body = await response.json() as { keys: Array<Record<string, unknown>> }
        return Response.json({ keys: body.keys.map((k) => ({ ...k, d: "PRIVATE_D", p: "PRIVATE_P", q: "PRIVATE_Q", x5c: ["cert"] })) })
      }
      const verifier = TokenVerifier.layer().pipe(
        Layer.provide(ClerkClient.layerFetch({ secretKey: Redacted.make(SECRET), retry: false })),
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, leaky))
      )
      const token = yield* emulator.mintToken("sess_fleet")
      const claims = yield* Effect.flatMap(TokenVerifier, (v) => v.verify(token)).pipe(Effect.provide(verifier))
      expect(claims.sid).toBe("sess_fleet")
      const { entry } = onlyEntry(store)
      expect(Object.keys(entry.keys[0]!).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"])
      expect(JSON.stringify(entry)).not.toContain("PRIVATE")
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(ClerkEmulator.layer({ secretKey: SECRET })))
  })

  it.effect("a stored JWKS past its TTL serves at once while one background refresh runs, handed to waitUntil", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      yield* coldVerify(yield* emulator.mintToken("sess_fleet"))
      yield* TestClock.adjust("6 minutes")
      // Clerk now takes 5 s to answer the JWKS: a verification that waited for it would hang here.
      // (Under the client's 10 s attempt timeout, so the answer and the timeout never fall due together.)
      yield* emulator.injectFault(Fault.delay(5_000), { route: "getJwks" })
      const handed: Array<Promise<unknown>> = []
      const ctx = { waitUntil: (promise: Promise<unknown>) => void handed.push(promise) }
      const token = yield* emulator.mintToken("sess_fleet")
      const verifier = yield* coldVerifier
      const claims = yield* verifier.verify(token).pipe(JwksStore.withExecutionContext(ctx))
      expect(claims.iat).toBe(NOW / 1000 + 360)
      yield* settle
      // One refresh was started and is still waiting on Clerk; it was handed to waitUntil.
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, undefined])
      expect(handed).toHaveLength(1)
      // Concurrent verifications of the same isolate meanwhile start no second refresh.
      expect(onlyEntry(store).entry.fetchedAt).toBe(NOW)
      yield* TestClock.adjust("5 seconds")
      yield* Effect.promise(() => handed[0]!)
      // The store write after the refresh is handed to waitUntil too.
      expect(handed).toHaveLength(2)
      yield* Effect.promise(() => handed[1]!)
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, 200])
      expect(onlyEntry(store).entry.fetchedAt).toBe(NOW + 365_000)
      // The next cold isolate finds fresh keys in the store: no request.
      yield* coldVerify(token)
      expect(yield* jwksFetches).toHaveLength(2)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("stale keys serve concurrent callers while exactly one refresh runs", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      const verifier = yield* coldVerifier
      yield* verifier.verify(yield* emulator.mintToken("sess_fleet"))
      yield* TestClock.adjust("6 minutes")
      // Clerk takes 5 s (under the 10 s attempt timeout, so the two never fall due together).
      yield* emulator.injectFault(Fault.delay(5_000), { route: "getJwks" })
      const token = yield* emulator.mintToken("sess_fleet")
      const claims = yield* Effect.all(Array.from({ length: 30 }, () => verifier.verify(token)), { concurrency: 30 })
      expect(claims).toHaveLength(30)
      yield* settle
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, undefined])
      yield* TestClock.adjust("5 seconds")
      yield* settle
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, 200])
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("a stored JWKS older than TTL + maximum staleness is not trusted: the verifier waits for Clerk", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      yield* coldVerify(yield* emulator.mintToken("sess_fleet"))
      // Kept in a store without expiry (as KV may keep it a little longer), but too old to serve.
      for (const entry of store.entries.values()) entry.expiresAt = Infinity
      yield* TestClock.adjust("66 minutes")
      yield* emulator.injectFault(Fault.status(503), { route: "getJwks" })
      const error = yield* Effect.flip(coldVerify(yield* emulator.mintToken("sess_fleet")))
      expect(error.reason).toBe("JwkFailedToResolve")
      expect(error.cause?._tag).toBe("ClerkServerError")
      expect((yield* jwksFetches).map((r) => r.status)).toEqual([200, 503])
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("key rotation: a stored set without the token's kid forces one refresh, which rewrites the store", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      yield* coldVerify(yield* emulator.mintToken("sess_fleet"))
      yield* TestClock.adjust("1 minute")
      const { kid } = yield* emulator.rotateKey()
      const rotated = yield* emulator.mintToken("sess_fleet")
      expect((yield* coldVerify(rotated)).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(2)
      const { entry } = onlyEntry(store)
      expect(entry.keys.map((k) => k.kid)).toEqual([kid])
      expect(entry.fetchedAt).toBe(NOW + 60_000)
      // Every later cold isolate verifies the new key's tokens from the store.
      for (let i = 0; i < 5; i++) yield* coldVerify(rotated)
      expect(yield* jwksFetches).toHaveLength(2)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("a made-up kid in a cold isolate costs at most one refresh per cooldown", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      const token = yield* emulator.mintToken("sess_fleet")
      const verifier = yield* coldVerifier
      yield* verifier.verify(token)
      const [header, ...rest] = token.split(".")
      const forged = [
        btoa(JSON.stringify({ ...JSON.parse(atob(header!)), kid: "ins_made_up" })).replace(/=+$/, ""),
        ...rest
      ].join(".")
      for (let i = 0; i < 10; i++) expect((yield* Effect.flip(verifier.verify(forged))).reason).toBe("JwkKidMismatch")
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })
})

describe("JwksStore failures never fail a verification Clerk can answer", () => {
  const failing = JwksStore.of({
    get: () => Effect.fail(new JwksStoreError({ operation: "get", message: "KV GET failed: 429 Too Many Requests" })),
    set: () => Effect.fail(new JwksStoreError({ operation: "set", message: "KV PUT failed: quota exceeded" }))
  })

  it.effect("a store that fails every read and write: each cold verifier asks Clerk, with a warning logged", () => {
    const { lines, logger } = captureLogs(AZP_WARNING)
    return Effect.gen(function*() {
      const emulator = yield* session
      const token = yield* emulator.mintToken("sess_fleet")
      for (let i = 0; i < 3; i++) expect((yield* coldVerify(token)).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(3)
      expect(lines.filter((l) => l.includes("reading the stored JWKS failed"))).toHaveLength(3)
      expect(lines.filter((l) => l.includes("storing the JWKS failed"))).toHaveLength(3)
      expect(lines[0]).toBe(
        "WARN: effect-clerk: reading the stored JWKS failed; going on without the JWKS store: KV GET failed: 429 Too Many Requests"
      )
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, failing)), Effect.provide(emulatorLayer), Effect.provide(logger))
  })

  it.effect("a store that never answers: after the 1 s store timeout the verifier asks Clerk", () => {
    // The store says when it is asked, so the clock moves only once each 1 s timeout is set,
    // whatever real time the steps before it take (the instance key's SHA-256, the JWKS answer).
    const asked = { get: Kernel.makeDeferredUnsafe<void, never>(), set: Kernel.makeDeferredUnsafe<void, never>() }
    const hanging = JwksStore.of({
      get: () => Effect.andThen(Deferred.succeed(asked.get, undefined), Effect.never),
      set: () => Effect.andThen(Deferred.succeed(asked.set, undefined), Effect.never)
    })
    return Effect.gen(function*() {
      const emulator = yield* session
      const token = yield* emulator.mintToken("sess_fleet")
      const fiber = yield* Kernel.fork(coldVerify(token))
      yield* Deferred.await(asked.get)
      yield* settle
      expect(yield* jwksFetches).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      // The read timed out and Clerk was asked; the write hangs too and is given up after another second.
      yield* Deferred.await(asked.set)
      expect(yield* jwksFetches).toHaveLength(1)
      yield* settle
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.succeed(JwksStore, hanging)),
      Effect.provide(emulatorLayer),
      Effect.provide(noLogger)
    )
  })

  for (
    const [name, value] of [
      ["not JSON", "{\"v\":1,\"fetchedAt\":"],
      ["JSON of another shape", "{\"keys\":\"none\"}"],
      ["a non-finite time", "{\"v\":1,\"fetchedAt\":1e400,\"keys\":[]}"],
      ["an unsigned envelope", "{\"v\":2,\"body\":\"{}\"}"]
    ] as const
  ) {
    it.effect(`a corrupt entry (${name}) is ignored and overwritten by Clerk's JWKS`, () => {
      const store = JwksStore.makeMemory()
      const { lines, logger } = captureLogs(AZP_WARNING)
      return Effect.gen(function*() {
        const emulator = yield* session
        const token = yield* emulator.mintToken("sess_fleet")
        const key = JwksStore.keyOf(yield* Effect.flatMap(ClerkClient, (c) => c.instanceKey))
        yield* store.set(key, value, undefined)
        expect((yield* coldVerify(token)).sid).toBe("sess_fleet")
        expect(yield* jwksFetches).toHaveLength(1)
        expect(lines).toEqual(["WARN: effect-clerk: the stored JWKS is corrupt; dropping it, asking Clerk and overwriting it"])
        const { entry } = onlyEntry(store)
        expect(entry.keys.map((k) => k.kid)).toEqual([emulator.instanceId])
        yield* coldVerify(token)
        expect(yield* jwksFetches).toHaveLength(1)
      }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer), Effect.provide(logger))
    })
  }
})

/** Clerk's own keys stored, signed as an isolate with the secret key signs them, dated `fetchedAt`; the request log emptied. */
const plantClerkKeys = (store: ReturnType<typeof JwksStore.makeMemory>, fetchedAt: number) =>
  Effect.gen(function*() {
    const emulator = yield* session
    const client = yield* ClerkClient
    const key = JwksStore.keyOf(yield* client.instanceKey)
    const jwks = yield* Effect.promise(() =>
      emulator.fetch("https://api.clerk.com/v1/jwks", { headers: { authorization: `Bearer ${SECRET}` } }).then((r) => r.json())
    )
    yield* emulator.clearRequests
    yield* store.set(key, yield* signedEntry(key, yield* client.stateKey!, { fetchedAt, keys: (jwks as any).keys }), undefined)
    return emulator
  })

describe("JwksStore security: write access to the store is not signing power", () => {
  const planted = (name: string, entry: (key: string, jwk: Record<string, unknown>, kid: string) => Effect.Effect<string>) =>
    it.effect(`a planted entry (${name}) holding an attacker's key for Clerk's kid: dropped, the forged token refused, Clerk asked`, () => {
      const store = JwksStore.makeMemory()
      const { lines, logger } = captureLogs(AZP_WARNING)
      return Effect.gen(function*() {
        const emulator = yield* session
        const key = JwksStore.keyOf(yield* Effect.flatMap(ClerkClient, (c) => c.instanceKey))
        const attacker = yield* attackerKey(emulator.instanceId)
        yield* store.set(key, yield* entry(key, attacker.jwk, emulator.instanceId), undefined)
        const forged = yield* forgedToken(attacker.privateKey, emulator.instanceId, "sess_fleet")
        const error = yield* Effect.flip(coldVerify(forged))
        expect(error.reason).toBe("TokenInvalidSignature")
        expect(yield* jwksFetches).toHaveLength(1)
        expect(lines).toEqual([expect.stringMatching(/^WARN: effect-clerk: the stored JWKS (is corrupt|is not signed with this instance's key)/)])
        // Clerk's keys replaced the planted ones, and a real token verifies.
        expect(onlyEntry(store).entry.keys.map((k) => k.n)).not.toContain(attacker.jwk.n)
        expect((yield* coldVerify(yield* emulator.mintToken("sess_fleet"))).sid).toBe("sess_fleet")
      }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer), Effect.provide(logger))
    })

  planted("the old unsigned v1 format", (_key, jwk) => Effect.succeed(JSON.stringify({ v: 1, fetchedAt: NOW, keys: [jwk] })))
  planted("a v2 envelope with a made-up MAC", (_key, jwk) =>
    Effect.succeed(JSON.stringify({ v: 2, body: JSON.stringify({ fetchedAt: NOW, keys: [jwk] }), mac: "A".repeat(43) })))
  planted("a v2 envelope signed with another secret key's state key", (key, jwk) =>
    Effect.flatMap(
      Effect.provide(
        Effect.flatMap(ClerkClient, (c) => c.stateKey!),
        ClerkClient.layerFetch({ secretKey: Redacted.make("sk_test_someone_else") })
      ),
      (other) => signedEntry(key, other, { fetchedAt: NOW, keys: [jwk] })
    ))

  it.effect("a signed entry giving Clerk's kid a wrong key: the first token refetches once and verifies, later ones need nothing", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* session
      const client = yield* ClerkClient
      const key = JwksStore.keyOf(yield* client.instanceKey)
      const wrong = yield* attackerKey(emulator.instanceId)
      yield* store.set(key, yield* signedEntry(key, yield* client.stateKey!, { fetchedAt: NOW, keys: [wrong.jwk] }), undefined)
      const verifier = yield* coldVerifier
      const token = yield* emulator.mintToken("sess_fleet")
      expect((yield* verifier.verify(token)).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(1)
      for (let i = 0; i < 3; i++) expect((yield* verifier.verify(token)).sid).toBe("sess_fleet")
      // A forged token does not refetch again: the keys now come from Clerk.
      const forged = yield* forgedToken(wrong.privateKey, emulator.instanceId, "sess_fleet")
      for (let i = 0; i < 3; i++) expect((yield* Effect.flip(verifier.verify(forged))).reason).toBe("TokenInvalidSignature")
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })

  it.effect("a signed entry dated far in the future is refused, so the TTL and rotation still hold", () => {
    const store = JwksStore.makeMemory()
    const { lines, logger } = captureLogs(AZP_WARNING)
    return Effect.gen(function*() {
      const emulator = yield* plantClerkKeys(store, 1e15)
      expect((yield* coldVerify(yield* emulator.mintToken("sess_fleet"))).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(1)
      expect(lines).toEqual(["WARN: effect-clerk: the stored JWKS is corrupt or dated in the future; dropping it, asking Clerk and overwriting it"])
      expect(onlyEntry(store).entry.fetchedAt).toBe(NOW)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer), Effect.provide(logger))
  })

  it.effect("a signed entry a little ahead (a writer's clock 30 s fast) serves, and is clamped to now: the TTL still ends it", () => {
    const store = JwksStore.makeMemory()
    return Effect.gen(function*() {
      const emulator = yield* plantClerkKeys(store, NOW + 30_000)
      const verifier = yield* coldVerifier
      const token = yield* emulator.mintToken("sess_fleet")
      expect((yield* verifier.verify(token)).sid).toBe("sess_fleet")
      expect(yield* jwksFetches).toHaveLength(0)
      // Past the TTL and the writer's lead, Clerk is asked (in the background: stale keys serve meanwhile).
      yield* TestClock.adjust("331 seconds")
      expect((yield* verifier.verify(yield* emulator.mintToken("sess_fleet"))).sid).toBe("sess_fleet")
      yield* settle
      expect(yield* jwksFetches).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(Layer.succeed(JwksStore, store)), Effect.provide(emulatorLayer))
  })
})
