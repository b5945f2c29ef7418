/**
 * The signed-in session of a request, as a handler reads it: the verified `SessionClaims`,
 * the fields Clerk's SDKs give (`sessionId`, `userId`, `orgId`, `orgRole`, `orgSlug`,
 * `orgPermissions`, `actor`), and `has(…)`, Clerk's authorization check — a role or a
 * permission in the active organization, a feature or a plan — read from Clerk's v2 claims
 * (`o.rol`, `o.per`, `o.fpm`, `fea`, `pla`) exactly as Clerk documents them, and from the v1
 * organization claims of an older token. `CurrentSession.require(check)` fails with
 * `ClerkForbidden` (HTTP 403) when the check does not pass.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { Service, TRUSTED } from "#line/Kernel"
import { ClerkApiError, ClerkForbidden } from "../ClerkError.js"
import type { SessionClaims, SessionClaimsActor } from "../SessionClaims.js"

/**
 * What `has` checks, as in Clerk's `auth().has(…)`: a `role` and/or a `permission` in the
 * active organization (`org:admin`, `org:invoices:read`; the `org:` prefix may be left out),
 * and/or a `feature` or `plan` of the user or the organization (`premium`, or scoped:
 * `o:premium`, `u:premium`). Everything asked must hold; asking for nothing is `false`.
 *
 * @example
 * ```ts
 * import type { AuthorizationCheck } from "effect-clerk/http"
 *
 * const canBill: AuthorizationCheck = { permission: "org:invoices:manage" }
 * const proOrg: AuthorizationCheck = { plan: "o:pro" }
 * const adminWithTeams: AuthorizationCheck = { role: "org:admin", feature: "o:teams" }
 * ```
 *
 * @category params
 * @since 0.1.0
 */
export interface AuthorizationCheck {
  readonly role?: string | undefined
  readonly permission?: string | undefined
  readonly feature?: string | undefined
  readonly plan?: string | undefined
}

/**
 * A verified session, with Clerk's auth fields and its `has` check.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CurrentSession, type SignedInSession } from "effect-clerk/http"
 *
 * const greeting = (session: SignedInSession) =>
 *   session.orgId === undefined ? `Hello ${session.userId}` : `Hello ${session.userId} of ${session.orgSlug ?? session.orgId}`
 *
 * const handler = Effect.map(CurrentSession, greeting)
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SignedInSession {
  readonly claims: SessionClaims
  readonly sessionId: string
  readonly userId: string
  /** The active organization, if the session has one. */
  readonly orgId: string | undefined
  /** The role there, with its `org:` prefix (v2's `o.rol` has none; it is added, as Clerk does). */
  readonly orgRole: string | undefined
  readonly orgSlug: string | undefined
  /** `org:<feature>:<permission>` for every permission the token grants in the active organization. */
  readonly orgPermissions: ReadonlyArray<string>
  /** Who is impersonating the user (`act`), while someone is. */
  readonly actor: SessionClaimsActor | undefined
  /** Clerk's authorization check: everything asked must hold (and something must be asked). */
  readonly has: (check: AuthorizationCheck) => boolean
}

/**
 * The signed-in session of the request being handled. The HTTP middlewares provide it; a
 * test or a handler of your own provides it with `CurrentSession.fromClaims(claims)`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CurrentSession } from "effect-clerk/http"
 *
 * // In a handler behind Clerk's middleware: 403 unless the caller may read invoices.
 * const listInvoices = Effect.gen(function*() {
 *   const session = yield* CurrentSession.require({ permission: "org:invoices:read" })
 *   return { organization: session.orgId, invoices: [] }
 * })
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class CurrentSession extends Service<CurrentSession, SignedInSession>()("effect-clerk/CurrentSession") {
  /**
   * The session of verified `claims` (from `TokenVerifier.verify` or `authenticateRequest`).
   *
   * @since 0.1.0
   */
  static readonly fromClaims = (claims: SessionClaims): SignedInSession => signedInSession(claims)

  /**
   * The current session if `check` holds for it, else `ClerkForbidden` (HTTP 403, code
   * `authorization_invalid`, naming what was asked, never the token).
   *
   * @since 0.1.0
   */
  static readonly require = (check: AuthorizationCheck): Effect.Effect<SignedInSession, ClerkForbidden, CurrentSession> =>
    Effect.flatMap(CurrentSession, (session) => session.has(check) ? Effect.succeed(session) : Effect.fail(forbidden(check)))
}

const forbidden = (check: AuthorizationCheck) =>
  new ClerkForbidden({
    status: 403,
    errors: [
      new ClerkApiError({
        code: "authorization_invalid",
        message: "Unauthorized request",
        longMessage: `The session does not have ${
          Object.entries(check).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`).join(" and ") || "the access asked for"
        }`
      })
    ]
  }, TRUSTED)

const withOrgPrefix = (value: string) => value.replace(/^(org:)*/, "org:")

/** `o:a,u:b,ou:c` → the organization's and the user's entries; `undefined` for a malformed claim. */
const byScope = (claim: string | undefined): { readonly org: ReadonlyArray<string>; readonly user: ReadonlyArray<string> } | undefined => {
  const org: Array<string> = []
  const user: Array<string> = []
  if (claim === undefined || claim === "") return { org, user }
  for (const raw of claim.split(",")) {
    const part = raw.trim()
    const colon = part.indexOf(":")
    if (colon === -1) return undefined
    const scope = part.slice(0, colon)
    const value = part.slice(colon + 1)
    if (scope === "o" || scope === "ou" || scope === "uo") org.push(value)
    if (scope === "u" || scope === "ou" || scope === "uo") user.push(value)
  }
  return { org, user }
}

/** `fpm`'s decimal bitmask as bits, least significant first (any length: Clerk's masks may exceed 2^53). */
const bitsOf = (decimal: string): ReadonlyArray<boolean> | undefined => {
  if (!/^\d+$/.test(decimal)) return undefined
  let rest = BigInt(decimal)
  const bits: Array<boolean> = []
  while (rest > 0n) {
    bits.push((rest & 1n) === 1n)
    rest >>= 1n
  }
  return bits
}

/**
 * v2's permissions: `o.per` lists the permission names, `o.fpm` one bitmask per
 * organization feature of `fea` (in order) over those names; feature `f` with bit `i` set
 * grants `org:f:<per[i]>`.
 */
const v2Permissions = (claims: SessionClaims, orgFeatures: ReadonlyArray<string>): ReadonlyArray<string> => {
  const per = claims.o?.per
  const fpm = claims.o?.fpm
  if (per === undefined || per === "" || fpm === undefined || fpm === "") return []
  const names = per.split(",").map((p) => p.trim())
  const masks = fpm.split(",").map((m) => bitsOf(m.trim()))
  const granted: Array<string> = []
  orgFeatures.forEach((feature, index) => {
    const bits = masks[index]
    if (bits === undefined) return
    bits.forEach((set, bit) => {
      if (set && bit < names.length) granted.push(`org:${feature}:${names[bit]}`)
    })
  })
  return granted
}

/** A feature or plan asked for (`x`, `o:x`, `u:x`, …) against a `fea` / `pla` claim. */
const entitled = (claim: string | undefined, asked: string): boolean => {
  const scopes = byScope(claim)
  if (scopes === undefined || claim === undefined || claim === "") return false
  const colon = asked.indexOf(":")
  if (colon === -1) return scopes.org.includes(asked) || scopes.user.includes(asked)
  const scope = asked.slice(0, colon)
  const id = asked.slice(colon + 1)
  if (scope === "o" || scope === "org" || scope === "organization") return scopes.org.includes(id)
  if (scope === "u" || scope === "user") return scopes.user.includes(id)
  return false
}

const signedInSession = (claims: SessionClaims): SignedInSession => {
  const v2 = claims.v === 2
  const orgId = v2 ? claims.o?.id : claims.org_id
  const orgRole = v2 ? (claims.o?.rol === undefined || claims.o.rol === "" ? undefined : `org:${claims.o.rol}`) : claims.org_role
  const orgSlug = v2 ? claims.o?.slg : claims.org_slug
  const orgFeatures = v2 && claims.o !== undefined ? byScope(claims.fea)?.org ?? [] : []
  const orgPermissions = v2 ? (claims.o === undefined ? [] : v2Permissions(claims, orgFeatures)) : [...(claims.org_permissions ?? [])]

  const has = (check: AuthorizationCheck): boolean => {
    const { feature, permission, plan, role } = check
    if (role === undefined && permission === undefined && feature === undefined && plan === undefined) return false
    if (role !== undefined || permission !== undefined) {
      if (orgId === undefined || orgId === "") return false
      if (role !== undefined && (typeof role !== "string" || orgRole === undefined || withOrgPrefix(orgRole) !== withOrgPrefix(role))) return false
      if (permission !== undefined && (typeof permission !== "string" || !orgPermissions.includes(withOrgPrefix(permission)))) return false
    }
    if (feature !== undefined && (typeof feature !== "string" || !entitled(claims.fea, feature))) return false
    if (plan !== undefined && (typeof plan !== "string" || !entitled(claims.pla, plan))) return false
    return true
  }

  return {
    claims,
    sessionId: claims.sid,
    userId: claims.sub,
    orgId,
    orgRole,
    orgSlug,
    orgPermissions,
    actor: claims.act,
    has
  }
}
