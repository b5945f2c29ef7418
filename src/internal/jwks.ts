/**
 * Verification keys for TokenVerifier: the JWKS wire schema, importing JWKs and PEMs into
 * `CryptoKey`s with jose (each key once), and the per-layer JWKS cache.
 *
 * Only imported by TokenVerifier.ts, so jose never reaches a bundle that uses only
 * Sessions.
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { importJWK, importSPKI } from "jose"
import { catchAll, completeDeferredUnsafe, failureOf, makeDeferredUnsafe } from "#line/Kernel"
import type { ClerkError } from "../ClerkError.js"
import { decodeBase64 } from "./base64.js"
import { lazyDecoder } from "./lazy.js"
import { detach, runOrHandOff } from "./waitUntil.js"

/** The JWS algorithms a Clerk session token may use. */
export const RSA_ALGORITHMS = ["RS256", "RS384", "RS512"] as const
export type RsaAlgorithm = typeof RSA_ALGORITHMS[number]

export const isRsaAlgorithm = (alg: unknown): alg is RsaAlgorithm => alg === "RS256" || alg === "RS384" || alg === "RS512"

/** One entry of `GET /v1/jwks`; any key type decodes, only RSA signing keys are used. */
const JwkWire = Schema.Struct({
  kid: Schema.optional(Schema.String),
  kty: Schema.String,
  alg: Schema.optional(Schema.String),
  use: Schema.optional(Schema.String),
  n: Schema.optional(Schema.String),
  e: Schema.optional(Schema.String)
})

/** The `GET /v1/jwks` body (`JWKS` in the spec). */
export const JwksWire = Schema.Struct({ keys: Schema.Array(JwkWire) })
export type JwksWire = typeof JwksWire.Type

// Compiled on the first JWKS body, not at import (start-up time).
export const decodeJwks = lazyDecoder(JwksWire)

/** A key a token can be verified with. The algorithm comes from the key, never the token. */
export interface UsableKey {
  readonly _tag: "Usable"
  readonly kid: string | undefined
  readonly alg: RsaAlgorithm
  readonly key: CryptoKey
  /** alg + modulus + exponent: the same key in a later JWKS reuses its CryptoKey. */
  readonly fingerprint: string
}

/** A key present in the JWKS that no session token may use (wrong type, algorithm, size). */
export interface UnusableKey {
  readonly _tag: "Unusable"
  readonly kid: string
  readonly why: string
}

export interface KeySet {
  /** Every key with a `kid`, usable or not. */
  readonly byKid: ReadonlyMap<string, UsableKey | UnusableKey>
  readonly usable: ReadonlyArray<UsableKey>
}

const MIN_RSA_BITS = 2048

/** The only RSA public exponent accepted (`AQAB`): Clerk's keys use it, as nearly every RSA key does. */
const RSA_EXPONENT = 65537n

const modulusBits = (key: CryptoKey): number | undefined => (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength

const bigEndian = (bytes: Uint8Array): bigint => {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/** A JWK's base64url integer (`n`, `e`), or `undefined` when it is not base64url. */
const decodeUint = (text: string): Uint8Array | undefined => decodeBase64(text, true)

const bitLength = (bytes: Uint8Array): number => {
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]))
}

/**
 * Why an RSA public exponent is refused, or `undefined` for 65537. WebCrypto and jose import
 * any exponent, and with `e = 1` the "signature" is the padded message itself: anyone can
 * forge it without a private key. Small or even exponents have no place in a Clerk JWKS.
 */
const exponentProblem = (e: Uint8Array | undefined): string | undefined => {
  if (e === undefined) return "RSA exponent (e) is unreadable"
  const value = bigEndian(e)
  if (value === RSA_EXPONENT) return undefined
  const shown = bitLength(e) <= 53 ? String(value) : `a ${bitLength(e)}-bit number`
  return `RSA exponent (e) is ${shown}; only 65537 is accepted`
}

/** The exponent of an imported RSA key, as the runtime reports it. */
const exponentOf = (key: CryptoKey): Uint8Array | undefined =>
  (key.algorithm as Partial<RsaHashedKeyAlgorithm>).publicExponent

const importOne = async (
  jwk: JwksWire["keys"][number],
  previous: ReadonlyMap<string, CryptoKey>
): Promise<UsableKey | UnusableKey | undefined> => {
  const unusable = (why: string) => jwk.kid === undefined ? undefined : { _tag: "Unusable" as const, kid: jwk.kid, why }
  if (jwk.use !== undefined && jwk.use !== "sig") return unusable(`its "use" is ${JSON.stringify(jwk.use)}, not "sig"`)
  if (jwk.kty !== "RSA") return unusable(`it is a ${JSON.stringify(jwk.kty)} key; only RSA keys (RS256/384/512) are accepted`)
  // Clerk always sends `alg`; an RSA key without one is taken as RS256, Clerk's only session algorithm.
  const alg = jwk.alg ?? "RS256"
  if (!isRsaAlgorithm(alg)) return unusable(`its alg is ${JSON.stringify(alg)}; only RS256, RS384 and RS512 are accepted`)
  if (jwk.n === undefined || jwk.e === undefined) return unusable("it has no modulus or exponent")
  const exponent = exponentProblem(decodeUint(jwk.e))
  if (exponent !== undefined) return unusable(`its ${exponent}`)
  const modulus = decodeUint(jwk.n)
  if (modulus === undefined) return unusable("its modulus (n) is not a base64url integer")
  const nBits = bitLength(modulus)
  if (nBits < MIN_RSA_BITS) return unusable(`its modulus is ${nBits} bits, under ${MIN_RSA_BITS}`)
  const fingerprint = `${alg}.${jwk.n}.${jwk.e}`
  let key = previous.get(fingerprint)
  if (key === undefined) {
    try {
      key = await importJWK({ kty: "RSA", n: jwk.n, e: jwk.e }, alg) as CryptoKey
    } catch (error) {
      return unusable(`it could not be imported (${error instanceof Error ? error.message : String(error)})`)
    }
  }
  const bits = modulusBits(key)
  if (bits !== undefined && bits < MIN_RSA_BITS) return unusable(`its modulus is ${bits} bits, under ${MIN_RSA_BITS}`)
  return { _tag: "Usable", kid: jwk.kid, alg, key, fingerprint }
}

/** Import every usable key of a JWKS, reusing the `CryptoKey`s of `previous` for unchanged keys. */
export const importJwks = async (jwks: JwksWire, previous: KeySet | undefined): Promise<KeySet> => {
  const reuse = new Map<string, CryptoKey>()
  if (previous !== undefined) for (const key of previous.usable) reuse.set(key.fingerprint, key.key)
  const entries = await Promise.all(jwks.keys.map((jwk) => importOne(jwk, reuse)))
  const byKid = new Map<string, UsableKey | UnusableKey>()
  const usable: Array<UsableKey> = []
  for (const entry of entries) {
    if (entry === undefined) continue
    if (entry._tag === "Usable") usable.push(entry)
    // The first key listed under a kid wins, as in a JWKS lookup.
    if (entry.kid !== undefined && !byKid.has(entry.kid)) byKid.set(entry.kid, entry)
  }
  return { byKid, usable }
}

/**
 * A PEM public key as Clerk's dashboard shows it ("JWKS Public Key"). Tolerates the `\n`
 * escapes environment variables often carry, CRLF, surrounding quotes, and a bare base64
 * body without the BEGIN/END lines.
 */
export const normalizePem = (pem: string): string => {
  let text = pem.trim()
  if (text.length >= 2 && (text[0] === "\"" || text[0] === "'") && text[text.length - 1] === text[0]) {
    text = text.slice(1, -1).trim()
  }
  text = text.replace(/\\r/g, "").replace(/\\n/g, "\n").replace(/\r/g, "").trim()
  if (!text.startsWith("-----BEGIN")) {
    text = `-----BEGIN PUBLIC KEY-----\n${text.replace(/\s+/g, "")}\n-----END PUBLIC KEY-----`
  }
  return text
}

/** Import a PEM (SPKI) RSA public key as an RS256 verification key, or say why it is not one. */
export const importPem = async (pem: string): Promise<UsableKey | string> => {
  const text = normalizePem(pem)
  if (!text.startsWith("-----BEGIN PUBLIC KEY-----")) {
    return "expected a PEM public key (-----BEGIN PUBLIC KEY-----)"
  }
  let key: CryptoKey
  try {
    key = await importSPKI(text, "RS256")
  } catch (error) {
    return `not an RSA public key in PEM (SPKI) form: ${error instanceof Error ? error.message : String(error)}`
  }
  const bits = modulusBits(key)
  if (bits !== undefined && bits < MIN_RSA_BITS) return `the RSA modulus is ${bits} bits, under ${MIN_RSA_BITS}`
  const exponent = exponentProblem(exponentOf(key))
  if (exponent !== undefined) return `the key's ${exponent}`
  return { _tag: "Usable", kid: undefined, alg: "RS256", key, fingerprint: "pem" }
}

export interface JwksCacheOptions {
  /** How long fetched keys are fresh. */
  readonly ttlMillis: number
  /** After any fetch, how long an unknown `kid` does not refetch. */
  readonly cooldownMillis: number
  /** After a failed fetch, how long no new fetch is made (the negative cache). */
  readonly failureCooldownMillis: number
  /** How long past the TTL keys still serve while refreshes fail (then verification fails closed). */
  readonly maxStaleMillis: number
}

/** A JWKS as a store keeps it: the public keys Clerk served, and when. */
export interface StoredJwks {
  readonly jwks: JwksWire
  readonly fetchedAt: number
}

/**
 * The cache's view of a `JwksStore` (TokenVerifier.ts adapts the service): neither side
 * fails, a store that does is logged and treated as empty.
 */
export interface JwksCacheStore {
  /** The stored JWKS, or `undefined` (missing, expired, corrupt, or the store failed). */
  readonly read: Effect.Effect<StoredJwks | undefined>
  /** Keep a JWKS just fetched from Clerk. */
  readonly write: (entry: StoredJwks) => Effect.Effect<void>
}

/**
 * The JWKS of one ClerkClient, cached for one layer instance.
 *
 * - Fresh (younger than the TTL): served without any fetch.
 * - Expired: the next caller refetches; concurrent callers share that one fetch. If it
 *   fails, the stale keys keep serving until `maxStaleMillis` past the TTL, and no new
 *   attempt is made before the failure cooldown.
 * - Nothing cached (or too stale): every caller waits for the shared fetch and gets its
 *   error on failure; for the failure cooldown after it, callers get that same error without
 *   a fetch, so a failing JWKS is asked at most once per cooldown whatever the request rate.
 * - `refetchForUnknownKid`: a refetch unless a fetch finished less than the cooldown ago
 *   (or failed less than the failure cooldown ago), so tokens with made-up `kid`s cost at
 *   most one fetch per cooldown.
 *
 * With a store, the store is read (once, shared by concurrent callers) before Clerk is
 * asked whenever nothing fresh is in memory, and every successful fetch is written to it.
 * Keys past the TTL but within `maxStaleMillis`, from memory or the store, are served at
 * once while one refresh runs in the background (stale-while-revalidate).
 */
export interface JwksCache {
  /** The cached keys when they can be used at `now` without any fetch (the hot path). */
  readonly ready: (now: number) => KeySet | undefined
  readonly get: (now: number) => Effect.Effect<KeySet, ClerkError>
  /** The keys to retry with after `used` lacked a kid, or `undefined` when nothing newer is allowed. */
  readonly refetchForUnknownKid: (now: number, used: KeySet) => Effect.Effect<KeySet | undefined, ClerkError>
  /**
   * After a signature failed with `used`: fresh keys from Clerk when `used` came from the
   * store (once per stored key set, a well-formed entry may carry a wrong key), else `undefined`.
   */
  readonly refetchAfterBadSignature: (now: number, used: KeySet) => Effect.Effect<KeySet | undefined>
}

/**
 * On workerd each request runs in its own I/O context, and a request whose only pending work
 * is a promise another request's I/O will settle is canceled as hung ("The Workers runtime
 * canceled this request because it detected that your Worker's code had hung"). Cloudflare
 * documents `navigator.userAgent` as "Cloudflare-Workers" there.
 */
const onWorkerd = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers"

/** How often a request waiting for another request's fetch looks whether it ended (workerd). */
const JOIN_POLL_MILLIS = 5

/**
 * How long a request waits for another request's fetch before it fetches itself (workerd): a
 * request canceled by its client takes its pending I/O with it, and its fetch then never ends.
 */
const JOIN_LIMIT_MILLIS = 2_000

interface Flight<A, E> {
  readonly deferred: Deferred.Deferred<A, E>
  /** How it ended, once it has. */
  exit: Effect.Effect<A, E> | undefined
}

/**
 * `effect` run at most once at a time in `scope`: callers that arrive while it runs share
 * its result, and an interrupted caller does not cancel it for the others. The flight is
 * released by an observer of the fiber, so however it ends, even interrupted before it
 * started (a closed scope).
 *
 * How a caller waits for a flight it did not start: elsewhere it awaits the flight's
 * `Deferred`. On workerd (`join: "poll"`) it must not — that `Deferred` is completed by another
 * request's I/O — so it sleeps on timers of its own and looks at the flight between sleeps,
 * adding at most {@link JOIN_POLL_MILLIS} to its wait; after {@link JOIN_LIMIT_MILLIS} it
 * runs `effect` itself. The isolate still makes one fetch for a burst.
 */
export const singleFlight = <A, E>(
  effect: Effect.Effect<A, E>,
  scope: Scope.Scope,
  join: "await" | "poll" = onWorkerd ? "poll" : "await"
) => {
  let inFlight: Flight<A, E> | undefined
  const poll = (flight: Flight<A, E>, since: number): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      if (flight.exit !== undefined) return flight.exit
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        now - since >= JOIN_LIMIT_MILLIS
          ? effect
          : Effect.flatMap(Effect.sleep(JOIN_POLL_MILLIS), () => poll(flight, since)))
    })
  const run: Effect.Effect<A, E> = Effect.suspend(() => {
    const current = inFlight
    if (current !== undefined) {
      return join === "await"
        ? Deferred.await(current.deferred)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => poll(current, now))
    }
    const flight: Flight<A, E> = { deferred: makeDeferredUnsafe<A, E>(), exit: undefined }
    inFlight = flight
    return Effect.flatMap(Effect.forkIn(effect, scope), (fiber) => {
      fiber.addObserver((exit) => {
        if (inFlight === flight) inFlight = undefined
        flight.exit = exit
        completeDeferredUnsafe(flight.deferred, exit)
      })
      return Deferred.await(flight.deferred)
    })
  })
  return { run, running: () => inFlight !== undefined }
}

export const makeJwksCache = (
  fetch: Effect.Effect<JwksWire, ClerkError>,
  options: JwksCacheOptions,
  scope: Scope.Scope,
  store?: JwksCacheStore
): JwksCache => {
  let keys: KeySet | undefined
  let fetchedAt = 0
  let lastAttemptAt: number | undefined
  /** The error of the last fetch when it failed (cleared by a success). */
  let lastFailure: ClerkError | undefined

  const fetchAndImport = Effect.flatMap(
    fetch,
    (jwks) => Effect.map(Effect.promise(() => importJwks(jwks, keys)), (imported) => [jwks, imported] as const)
  )

  // With a request's waitUntil the write is handed to it; otherwise the fetch's callers wait
  // for it, so the next isolate finds the keys.
  const persist = (entry: StoredJwks): Effect.Effect<void> =>
    store === undefined ? Effect.void : runOrHandOff(store.write(entry), scope)

  const refresh = singleFlight<KeySet, ClerkError>(
    Effect.flatMap(Effect.exit(fetchAndImport), (exit) =>
      Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<KeySet, ClerkError> => {
        lastAttemptAt = now
        if (exit._tag === "Success") {
          const [jwks, imported] = exit.value
          keys = imported
          fetchedAt = now
          lastFailure = undefined
          return Effect.as(persist({ jwks, fetchedAt: now }), imported)
        }
        const failure = failureOf(exit.cause)
        if (Option.isSome(failure)) lastFailure = failure.value
        return Effect.failCause(exit.cause)
      })),
    scope
  )

  /** Key sets adopted from the store (not fetched by this isolate): a bad signature with one refetches once. */
  const fromStore = new WeakSet<KeySet>()

  // A stored JWKS newer than the one in memory replaces it. Its date is clamped to now
  // before it is compared: a writer's clock ahead of ours (or a date far in the future)
  // must not make it look newer than every later fetch.
  const readStore = singleFlight<void, never>(
    store === undefined ? Effect.void : Effect.flatMap(store.read, (stored) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const storedAt = stored === undefined ? 0 : Math.min(stored.fetchedAt, now)
        if (stored === undefined || (keys !== undefined && storedAt <= fetchedAt)) return Effect.void
        return Effect.map(Effect.promise(() => importJwks(stored.jwks, keys)), (imported) => {
          if (keys !== undefined && storedAt <= fetchedAt) return
          keys = imported
          fetchedAt = storedAt
          fromStore.add(imported)
        })
      })),
    scope
  )

  /** The last fetch failed less than the failure cooldown ago. */
  const coolingDown = (now: number): boolean =>
    lastFailure !== undefined && lastAttemptAt !== undefined && now - lastAttemptAt < options.failureCooldownMillis

  /** The cached keys while they may still serve at `now`, fresh or stale. */
  const servable = (now: number): KeySet | undefined =>
    keys !== undefined && now - fetchedAt < options.ttlMillis + options.maxStaleMillis ? keys : undefined

  const ready = (now: number): KeySet | undefined => {
    if (keys === undefined) return undefined
    if (now - fetchedAt < options.ttlMillis) return keys
    // Expired, but the last refresh failed recently: keep serving (up to the maximum
    // staleness), do not hammer the API. With a store, also while a refresh runs.
    return coolingDown(now) || (store !== undefined && refresh.running()) ? servable(now) : undefined
  }

  const waitForRefresh = (now: number) =>
    catchAll((error: ClerkError) => {
      const stale = servable(now)
      return stale === undefined ? Effect.fail(error) : Effect.succeed(stale)
    })(refresh.run)

  const get = (now: number): Effect.Effect<KeySet, ClerkError> => {
    const usable = ready(now)
    if (usable !== undefined) return Effect.succeed(usable)
    // Nothing usable and the last fetch failed moments ago: its error, without asking again.
    if (coolingDown(now) && !refresh.running()) return Effect.fail(lastFailure!)
    if (store === undefined) return waitForRefresh(now)
    return Effect.flatMap(readStore.run, () => {
      if (keys !== undefined && now - fetchedAt < options.ttlMillis) return Effect.succeed(keys)
      const stale = servable(now)
      if (stale === undefined) return waitForRefresh(now)
      // Stale but within the maximum staleness: serve now, refresh in the background.
      return refresh.running() || coolingDown(now) ? Effect.succeed(stale) : Effect.as(detach(refresh.run, scope), stale)
    })
  }

  const refetchForUnknownKid = (now: number, used: KeySet): Effect.Effect<KeySet | undefined, ClerkError> =>
    Effect.suspend(() => {
      if (refresh.running()) return refresh.run
      // Someone else already fetched newer keys than the ones this token was tried with.
      if (keys !== undefined && keys !== used) return Effect.succeed(keys)
      if (lastAttemptAt !== undefined && now - lastAttemptAt < options.cooldownMillis) return Effect.succeed(undefined)
      if (coolingDown(now)) return Effect.succeed(undefined)
      return refresh.run
    })

  const refetchAfterBadSignature = (now: number, used: KeySet): Effect.Effect<KeySet | undefined> =>
    Effect.suspend(() => {
      // Keys fetched from Clerk by this isolate: the signature is bad, nothing to refetch.
      if (!fromStore.has(used)) return Effect.succeed(undefined)
      // Once per stored key set, however many tokens fail with it.
      fromStore.delete(used)
      if (keys !== undefined && keys !== used) return Effect.succeed(keys)
      if (coolingDown(now)) return Effect.succeed(undefined)
      return catchAll(() => Effect.succeed(undefined))(refresh.run)
    })

  return { ready, get, refetchForUnknownKid, refetchAfterBadSignature }
}
