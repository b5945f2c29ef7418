/**
 * The `JwksStore` as the JWKS cache sees it, and the stored entry's codec: each entry is
 * `{ v: 2, body, mac }`, its body `{ fetchedAt, keys }` signed with HMAC-SHA256 under the
 * client's `stateKey` (derived from the secret key with HKDF, internal/instance.ts) over the
 * store key and the body, so that write access to the store is not signing power. Every
 * store operation is bounded by a timeout, and any failure is logged and read as an empty
 * store: the store can make a verification cheaper, never fail or forge one.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { catchAll } from "#line/Kernel"
import { timeoutFail } from "./attempt.js"
import { decodeBase64, encodeBase64 } from "./base64.js"
import type { FleetError, JwksStoreService } from "./fleet.js"
import { INVALID_JSON, parseJson } from "./json.js"
import { decodeJwks, type JwksCacheStore, type StoredJwks } from "./jwks.js"

/** How far in the future a stored `fetchedAt` may lie (a writer's clock ahead of ours). */
const FUTURE_ALLOWANCE_MILLIS = 60_000

const encodeText = (text: string) => new TextEncoder().encode(text)

/** An HMAC-SHA256 MAC is 32 bytes: 43 base64url characters. */
const fromBase64url = (text: string) => (text.length === 43 ? decodeBase64(text, true) : undefined)

/** What the MAC covers: the store key (an entry cannot be moved to another instance) and the body. */
const signedBytes = (key: string, body: string) => encodeText(`${key}\n${body}`)

/** A stored entry's envelope: `{ v: 2, body, mac }`, or why it is not one. */
const parseEnvelope = (text: string): { readonly body: string; readonly mac: Uint8Array<ArrayBuffer> } | "corrupt" => {
  const value = parseJson(text)
  if (value === INVALID_JSON || typeof value !== "object" || value === null) return "corrupt"
  const { body, mac, v } = value as Record<string, unknown>
  const bytes = typeof mac === "string" ? fromBase64url(mac) : undefined
  return v === 2 && typeof body === "string" && bytes !== undefined ? { body, mac: bytes } : "corrupt"
}

/**
 * A signed body (`{ fetchedAt, keys }`) as the cache takes it, or `undefined` when it is not
 * one: the keys are checked by the JWKS wire decoder, the rest by hand (no other Schema in a
 * Worker's bundle). A `fetchedAt` further ahead than a minute is refused: it would make the
 * entry look newer than every fetch for as long as it is stored.
 */
const parseBody = (body: string, now: number): StoredJwks | undefined => {
  const value = parseJson(body)
  if (value === INVALID_JSON || typeof value !== "object" || value === null) return undefined
  const { fetchedAt, keys } = value as Record<string, unknown>
  if (typeof fetchedAt !== "number" || !Number.isFinite(fetchedAt) || fetchedAt > now + FUTURE_ALLOWANCE_MILLIS) {
    return undefined
  }
  const jwks = decodeJwks({ keys })
  return jwks.ok ? { jwks: jwks.value, fetchedAt } : undefined
}

/**
 * The `JwksStore` as the cache sees it: each entry signed with the client's `stateKey`
 * (HMAC-SHA256, a key only holders of the secret key can derive) and checked on read, each
 * operation bounded by `timeout`, and any failure logged and treated as an empty store. An
 * entry whose signature does not check (planted by someone with write access to the store
 * but not the secret key), that is corrupt, or dated in the future is dropped with a warning,
 * and the next fetch overwrites it.
 */
export const storeAdapter = (
  store: JwksStoreService,
  key: string,
  stateKey: Effect.Effect<CryptoKey>,
  ttlSeconds: number | undefined,
  timeout: Duration.Duration
): JwksCacheStore => {
  const timedOut = (operation: "get" | "set") => (): FleetError => ({
    message: `the JWKS store's ${operation} took longer than ${Duration.format(timeout)}`
  })
  const logged = (what: string) => (error: FleetError) =>
    Effect.logWarning(`effect-clerk: ${what}; going on without the JWKS store: ${error.message}`)
  const dropped = (why: string) =>
    Effect.as(Effect.logWarning(`effect-clerk: the stored JWKS ${why}; dropping it, asking Clerk and overwriting it`), undefined)
  const checked = (text: string): Effect.Effect<StoredJwks | undefined> => {
    const envelope = parseEnvelope(text)
    if (envelope === "corrupt") return dropped("is corrupt")
    return Effect.flatMap(stateKey, (mac) =>
      Effect.flatMap(
        Effect.promise(() => crypto.subtle.verify("HMAC", mac, envelope.mac, signedBytes(key, envelope.body))),
        (valid) => {
          if (!valid) return dropped("is not signed with this instance's key (written by someone without the secret key?)")
          return Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const stored = parseBody(envelope.body, now)
            return stored === undefined ? dropped("is corrupt or dated in the future") : Effect.succeed(stored)
          })
        }
      ))
  }
  return {
    read: timeoutFail(store.get(key), timeout, timedOut("get")).pipe(
      Effect.flatMap((text): Effect.Effect<StoredJwks | undefined> => text === undefined ? Effect.succeed(undefined) : checked(text)),
      catchAll((error: FleetError) => Effect.as(logged("reading the stored JWKS failed")(error), undefined))
    ),
    write: (entry) => {
      const body = JSON.stringify({ fetchedAt: entry.fetchedAt, keys: entry.jwks.keys })
      const signed = Effect.flatMap(stateKey, (mac) =>
        Effect.promise(() => crypto.subtle.sign("HMAC", mac, signedBytes(key, body))))
      return Effect.flatMap(signed, (mac) =>
        timeoutFail(
          store.set(key, JSON.stringify({ v: 2, body, mac: encodeBase64(mac, true) }), ttlSeconds),
          timeout,
          timedOut("set")
        )).pipe(catchAll(logged("storing the JWKS failed")))
    }
  }
}

