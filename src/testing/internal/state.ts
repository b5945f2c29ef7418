/**
 * The emulator's in-memory instance: users, organizations and memberships, clients,
 * sessions with their status transitions, JWT templates, signing keys, scripted faults and
 * the request log. Everything here is synchronous and takes `now` (epoch ms) from the
 * caller, who reads it from Effect's `Clock`.
 */
import type {
  EmulatedDevice,
  EmulatedOrganization,
  EmulatedSession,
  EmulatedTemplate,
  EmulatedUser,
  EmulatorRequest,
  EmulatorRoute,
  SeedMembershipInput,
  SeedOrganizationInput,
  SeedSessionInput,
  SeedTemplateInput,
  SeedUserInput,
  UpdateSessionInput
} from "./model.js"
import type { Fault } from "../Fault.js"
import { clerkId, randomHex, refreshTokenValue } from "./ids.js"
import type { SigningKey } from "./keys.js"

export type SessionStatus = EmulatedSession["status"]

export interface Settings {
  readonly secretKey: string
  readonly production: boolean
  readonly instanceId: string
  readonly issuer: string
  readonly origin: string | null
  readonly latestActivity: "list-only" | "always"
  readonly sessionLifetimeMillis: number
  readonly abandonAfterMillis: number
  readonly sessionTokenLifetimeSeconds: number
}

interface UserRecord {
  readonly id: string
  readonly firstName: string | null
  readonly lastName: string | null
  readonly username: string | null
  readonly emailAddress: string | null
  readonly publicMetadata: Record<string, unknown>
  readonly createdAt: number
}

interface OrganizationRecord {
  readonly id: string
  readonly slug: string
  readonly name: string
  readonly publicMetadata: Record<string, unknown>
  readonly createdAt: number
}

interface MembershipRecord {
  readonly role: string
  readonly permissions: ReadonlyArray<string>
}

interface SessionRecord {
  readonly id: string
  readonly userId: string
  readonly clientId: string
  status: SessionStatus
  readonly actor: Record<string, unknown> | null
  lastActiveOrganizationId: string | null
  lastActiveAt: number
  readonly device: EmulatedDevice | null
  readonly activityId: string
  expireAt: number
  abandonAt: number
  readonly createdAt: number
  updatedAt: number
  tasks: ReadonlyArray<string>
  readonly origin: string | null
  readonly refreshToken: string
  readonly secondFactor: boolean
  /** Insertion order: breaks `created_at` ties so "newest first" is stable. */
  readonly seq: number
}

interface TemplateRecord {
  readonly name: string
  readonly claims: Record<string, unknown>
  readonly lifetime: number
  readonly allowedClockSkew: number
}

interface FaultEntry {
  readonly fault: Fault
  readonly route: EmulatorRoute | undefined
  readonly match: ((request: EmulatorRequest) => boolean) | undefined
  remaining: number
}

/** Statuses a session can still leave by time passing. */
const live = (status: SessionStatus) => status === "active" || status === "pending"

const toMillis = (value: number | Date | undefined): number | undefined =>
  value === undefined ? undefined : typeof value === "number" ? value : value.getTime()

/** A misuse of a seeding helper: a defect with a message naming the helper. */
export class SeedError extends Error {
  override readonly name = "ClerkEmulatorSeedError"
}

/** The webhook a status set by `updateSession` makes Clerk send (statuses time makes send none). */
const STATUS_EVENTS: Partial<Record<string, string>> = {
  ended: "session.ended",
  removed: "session.removed",
  revoked: "session.revoked",
  pending: "session.pending"
}

export class EmulatorState {
  readonly users = new Map<string, UserRecord>()
  readonly organizations = new Map<string, OrganizationRecord>()
  readonly memberships = new Map<string, MembershipRecord>()
  readonly sessions = new Map<string, SessionRecord>()
  readonly templates = new Map<string, TemplateRecord>()
  /** Told of every session change the emulator makes as Clerk would (its webhooks' events). */
  onSessionEvent: (type: string, session: SessionRecord, now: number) => void = () => {}
  /** Clerk Billing, per user id and organization id: the plan and the features it grants (`pla`, `fea`). */
  private readonly billing = new Map<string, { readonly plan: string | undefined; readonly features: ReadonlyArray<string> }>()
  readonly faults: Array<FaultEntry> = []
  readonly log: Array<EmulatorRequest> = []
  /** Index 0 signs; the rest are only served in the JWKS (kept after a rotation). */
  keys: Array<SigningKey>
  verifyEndpoint: "gone" | "legacy"
  private seq = 0

  constructor(readonly settings: Settings, key: SigningKey, verifyEndpoint: "gone" | "legacy") {
    this.keys = [key]
    this.verifyEndpoint = verifyEndpoint
  }

  // ---- users and organizations ----

  seedUser(input: SeedUserInput, now: number): EmulatedUser {
    const id = input.id ?? clerkId("user")
    const user: UserRecord = {
      id,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      username: input.username ?? null,
      emailAddress: input.emailAddress ?? null,
      publicMetadata: { ...input.publicMetadata },
      createdAt: toMillis(input.createdAt) ?? now
    }
    this.users.set(id, user)
    this.billing.set(id, { plan: input.plan, features: [...(input.features ?? [])] })
    return { ...user }
  }

  private ensureUser(userId: string, now: number): void {
    if (!this.users.has(userId)) this.seedUser({ id: userId }, now)
  }

  seedOrganization(input: SeedOrganizationInput, now: number): EmulatedOrganization {
    const id = input.id ?? clerkId("org")
    const org: OrganizationRecord = {
      id,
      slug: input.slug,
      name: input.name ?? input.slug,
      publicMetadata: { ...input.publicMetadata },
      createdAt: now
    }
    this.organizations.set(id, org)
    this.billing.set(id, { plan: input.plan, features: [...(input.features ?? [])] })
    for (const member of input.members ?? []) this.seedMembership({ ...member, organizationId: id }, now)
    return { ...org }
  }

  seedMembership(input: SeedMembershipInput, now: number): void {
    if (!this.organizations.has(input.organizationId)) {
      throw new SeedError(`ClerkEmulator.seedMembership: no organization ${input.organizationId}; seed it first`)
    }
    this.ensureUser(input.userId, now)
    this.memberships.set(`${input.organizationId}|${input.userId}`, {
      role: input.role ?? "org:member",
      permissions: [...(input.permissions ?? [])]
    })
  }

  membership(organizationId: string, userId: string): MembershipRecord | undefined {
    return this.memberships.get(`${organizationId}|${userId}`)
  }

  // ---- sessions ----

  seedSession(input: SeedSessionInput, now: number): EmulatedSession {
    this.ensureUser(input.userId, now)
    const organizationId = input.activeOrganizationId ?? null
    if (organizationId !== null) {
      if (!this.organizations.has(organizationId)) {
        throw new SeedError(`ClerkEmulator.seedSession: no organization ${organizationId}; seed it first`)
      }
      if (this.membership(organizationId, input.userId) === undefined) {
        this.seedMembership({ organizationId, userId: input.userId }, now)
      }
    }
    const createdAt = toMillis(input.createdAt) ?? now
    const lastActiveAt = toMillis(input.lastActiveAt) ?? createdAt
    const tasks = [...(input.tasks ?? [])]
    const status: SessionStatus = input.status ?? (tasks.length > 0 ? "pending" : "active")
    const record: SessionRecord = {
      id: input.id ?? clerkId("sess"),
      userId: input.userId,
      clientId: input.clientId ?? clerkId("client"),
      status,
      actor: input.actor ?? null,
      lastActiveOrganizationId: organizationId,
      lastActiveAt,
      device: input.device ?? null,
      activityId: clerkId("sess_activity"),
      expireAt: toMillis(input.expireAt) ?? lastActiveAt + this.settings.sessionLifetimeMillis,
      abandonAt: toMillis(input.abandonAt) ?? lastActiveAt + this.settings.abandonAfterMillis,
      createdAt,
      updatedAt: Math.max(createdAt, lastActiveAt),
      tasks,
      origin: input.origin === undefined ? this.settings.origin : input.origin,
      refreshToken: input.refreshToken ?? refreshTokenValue(),
      secondFactor: input.secondFactor ?? false,
      seq: this.seq++
    }
    if (this.sessions.has(record.id)) {
      throw new SeedError(`ClerkEmulator.seedSession: a session ${record.id} already exists`)
    }
    this.sessions.set(record.id, record)
    return this.snapshot(this.advance(record, now))
  }

  /**
   * Apply what time did: a live session past `abandon_at` or `expire_at` (whichever came
   * first) is now `abandoned` or `expired`, updated at that moment.
   */
  advance(session: SessionRecord, now: number): SessionRecord {
    if (!live(session.status)) return session
    const at = Math.min(session.expireAt, session.abandonAt)
    if (now < at) return session
    session.status = session.abandonAt < session.expireAt ? "abandoned" : "expired"
    session.updatedAt = Math.max(session.updatedAt, at)
    return session
  }

  findSession(id: string, now: number): SessionRecord | undefined {
    const session = this.sessions.get(id)
    return session === undefined ? undefined : this.advance(session, now)
  }

  /** Matching sessions, newest first (`created_at` desc). */
  listSessions(filter: { userId?: string; clientId?: string; status?: string }, now: number): Array<SessionRecord> {
    const out: Array<SessionRecord> = []
    for (const session of this.sessions.values()) {
      this.advance(session, now)
      if (filter.userId !== undefined && session.userId !== filter.userId) continue
      if (filter.clientId !== undefined && session.clientId !== filter.clientId) continue
      if (filter.status !== undefined && session.status !== filter.status) continue
      out.push(session)
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq)
  }

  /** `POST …/revoke`: a live session becomes `revoked`; a finished one is returned as it is. */
  revoke(session: SessionRecord, now: number): SessionRecord {
    if (live(session.status)) {
      session.status = "revoked"
      session.updatedAt = now
      this.onSessionEvent("session.revoked", session, now)
    }
    return session
  }

  /** `POST /v1/sessions`: a new active session on a new client. */
  createSession(userId: string, organizationId: string | undefined, now: number): SessionRecord {
    const snapshot = this.seedSession({
      userId,
      ...(organizationId !== undefined ? { activeOrganizationId: organizationId } : {})
    }, now)
    const session = this.sessions.get(snapshot.id)!
    this.onSessionEvent("session.created", session, now)
    return session
  }

  updateSession(id: string, patch: UpdateSessionInput, now: number): EmulatedSession {
    const session = this.sessions.get(id)
    if (session === undefined) throw new SeedError(`ClerkEmulator.updateSession: no session ${id}`)
    if (patch.activeOrganizationId !== undefined && patch.activeOrganizationId !== null) {
      if (!this.organizations.has(patch.activeOrganizationId)) {
        throw new SeedError(`ClerkEmulator.updateSession: no organization ${patch.activeOrganizationId}`)
      }
      if (this.membership(patch.activeOrganizationId, session.userId) === undefined) {
        this.seedMembership({ organizationId: patch.activeOrganizationId, userId: session.userId }, now)
      }
    }
    const statusEvent = patch.status !== undefined && patch.status !== session.status ? STATUS_EVENTS[patch.status] : undefined
    if (patch.status !== undefined) session.status = patch.status
    if (patch.lastActiveAt !== undefined) session.lastActiveAt = toMillis(patch.lastActiveAt)!
    if (patch.expireAt !== undefined) session.expireAt = toMillis(patch.expireAt)!
    if (patch.abandonAt !== undefined) session.abandonAt = toMillis(patch.abandonAt)!
    if (patch.activeOrganizationId !== undefined) session.lastActiveOrganizationId = patch.activeOrganizationId
    if (patch.tasks !== undefined) session.tasks = [...patch.tasks]
    session.updatedAt = now
    if (statusEvent !== undefined) this.onSessionEvent(statusEvent, session, now)
    return this.snapshot(this.advance(session, now))
  }

  snapshot(session: SessionRecord): EmulatedSession {
    return {
      id: session.id,
      userId: session.userId,
      clientId: session.clientId,
      status: session.status,
      actor: session.actor,
      lastActiveOrganizationId: session.lastActiveOrganizationId,
      lastActiveAt: session.lastActiveAt,
      device: session.device,
      expireAt: session.expireAt,
      abandonAt: session.abandonAt,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
      tasks: session.tasks,
      origin: session.origin,
      refreshToken: session.refreshToken
    }
  }

  /** The `Session` object on the wire (snake_case, epoch-millisecond timestamps). */
  sessionWire(session: SessionRecord, withActivity: boolean): Record<string, unknown> {
    const wire: Record<string, unknown> = {
      object: "session",
      id: session.id,
      user_id: session.userId,
      client_id: session.clientId,
      actor: session.actor,
      status: session.status,
      last_active_organization_id: session.lastActiveOrganizationId,
      last_active_at: session.lastActiveAt
    }
    if (withActivity || this.settings.latestActivity === "always") {
      wire.latest_activity = session.device === null ? null : activityWire(session.activityId, session.device)
    }
    wire.expire_at = session.expireAt
    wire.abandon_at = session.abandonAt
    wire.updated_at = session.updatedAt
    wire.created_at = session.createdAt
    wire.tasks = session.tasks.length === 0 ? null : session.tasks.map((key) => ({ key }))
    return wire
  }

  // ---- templates and tokens ----

  seedTemplate(input: SeedTemplateInput): EmulatedTemplate {
    const lifetime = input.lifetime ?? 60
    const allowedClockSkew = input.allowedClockSkew ?? 5
    if (!Number.isInteger(lifetime) || lifetime < 30 || lifetime > 315360000) {
      throw new SeedError(`ClerkEmulator.seedTemplate: lifetime must be an integer in 30..315360000 seconds, got ${lifetime}`)
    }
    if (!Number.isInteger(allowedClockSkew) || allowedClockSkew < 0 || allowedClockSkew > 300) {
      throw new SeedError(`ClerkEmulator.seedTemplate: allowedClockSkew must be an integer in 0..300 seconds`)
    }
    const template: TemplateRecord = { name: input.name, claims: { ...input.claims }, lifetime, allowedClockSkew }
    this.templates.set(input.name, template)
    return { ...template }
  }

  /** Clerk's v2 session-token claims for `session` at `now`. */
  sessionClaims(session: SessionRecord, now: number, expiresInSeconds: number | undefined): Record<string, unknown> {
    const iat = Math.floor(now / 1000)
    const factorAge = Math.max(0, Math.floor((now - session.createdAt) / 60_000))
    const claims: Record<string, unknown> = {}
    if (session.origin !== null) claims.azp = session.origin
    claims.exp = iat + (expiresInSeconds ?? this.settings.sessionTokenLifetimeSeconds)
    claims.fva = [factorAge, session.secondFactor ? factorAge : -1]
    claims.iat = iat
    claims.iss = this.settings.issuer
    claims.jti = randomHex(10)
    claims.nbf = iat - 5
    claims.sid = session.id
    claims.sts = session.status
    claims.sub = session.userId
    claims.v = 2
    const org = this.organizationClaim(session)
    if (org !== undefined) claims.o = org.o
    const user = this.billing.get(session.userId)
    // `fea`: the active organization's features (in `fpm`'s order), then the user's; `pla`: the plans.
    const fea = [...(org?.features ?? []).map((f) => `o:${f}`), ...(user?.features ?? []).map((f) => `u:${f}`)]
    if (fea.length > 0) claims.fea = fea.join(",")
    const pla = [user?.plan === undefined ? [] : [`u:${user.plan}`], org?.plan === undefined ? [] : [`o:${org.plan}`]].flat()
    if (pla.length > 0) claims.pla = pla.join(",")
    if (session.actor !== null) claims.act = session.actor
    return claims
  }

  /**
   * `o` = `{ id, slg, rol, per, fpm }` of the active organization, its features and plan.
   * Permissions `org:<feature>:<action>` become `per` (the distinct actions), the features
   * (then those of the organization's plan) and `fpm` (per feature, a bitmask over `per`), as
   * in Clerk's v2 tokens.
   */
  private organizationClaim(session: SessionRecord) {
    if (session.lastActiveOrganizationId === null) return undefined
    const org = this.organizations.get(session.lastActiveOrganizationId)
    if (org === undefined) return undefined
    const membership = this.membership(org.id, session.userId)
    const o: Record<string, unknown> = {
      id: org.id,
      slg: org.slug,
      rol: (membership?.role ?? "org:member").replace(/^org:/, "")
    }
    const features: Array<string> = []
    const actions: Array<string> = []
    const byFeature = new Map<string, Set<string>>()
    for (const permission of membership?.permissions ?? []) {
      const [, feature, action] = permission.split(":")
      if (feature === undefined || action === undefined) continue
      if (!byFeature.has(feature)) {
        byFeature.set(feature, new Set())
        features.push(feature)
      }
      byFeature.get(feature)!.add(action)
      if (!actions.includes(action)) actions.push(action)
    }
    const billing = this.billing.get(org.id)
    for (const feature of billing?.features ?? []) if (!features.includes(feature)) features.push(feature)
    if (actions.length > 0) {
      o.per = actions.join(",")
      o.fpm = features
        .map((feature) => actions.reduce((mask, action, i) => byFeature.get(feature)?.has(action) ? mask | (1 << i) : mask, 0))
        .join(",")
    }
    return { o, features, plan: billing?.plan }
  }

  /**
   * A template token's claims: the template's own claims with `{{user.…}}`, `{{org.…}}` and
   * `{{session.…}}` shortcodes resolved, then the default `azp, exp, iat, iss, jti, nbf,
   * sub` (which a template cannot override). No `sid`, no `v`.
   */
  templateClaims(
    template: TemplateRecord,
    session: SessionRecord,
    now: number,
    expiresInSeconds: number | undefined
  ): Record<string, unknown> {
    const iat = Math.floor(now / 1000)
    const custom = resolveShortcodes(template.claims, this.shortcodeContext(session)) as Record<string, unknown>
    const claims: Record<string, unknown> = { ...custom }
    delete claims.sid
    delete claims.v
    if (session.origin !== null) claims.azp = session.origin
    else delete claims.azp
    claims.exp = iat + (expiresInSeconds ?? template.lifetime)
    claims.iat = iat
    claims.iss = this.settings.issuer
    claims.jti = randomHex(10)
    claims.nbf = iat - template.allowedClockSkew
    claims.sub = session.userId
    return claims
  }

  private shortcodeContext(session: SessionRecord): Record<string, unknown> {
    const user = this.users.get(session.userId)
    const org = session.lastActiveOrganizationId === null
      ? undefined
      : this.organizations.get(session.lastActiveOrganizationId)
    const membership = org === undefined ? undefined : this.membership(org.id, session.userId)
    return {
      user: user === undefined ? { id: session.userId } : {
        id: user.id,
        first_name: user.firstName,
        last_name: user.lastName,
        full_name: [user.firstName, user.lastName].filter((p) => p !== null).join(" ") || null,
        username: user.username,
        primary_email_address: user.emailAddress,
        email_verified: user.emailAddress !== null,
        public_metadata: user.publicMetadata,
        created_at: Math.floor(user.createdAt / 1000)
      },
      org: org === undefined ? null : {
        id: org.id,
        name: org.name,
        slug: org.slug,
        role: membership?.role ?? null,
        permissions: membership?.permissions ?? [],
        public_metadata: org.publicMetadata
      },
      session: { id: session.id, actor: session.actor }
    }
  }

  // ---- faults ----

  /** The fault to play for a request to `route`, if any (first injected, first used). */
  takeFault(route: EmulatorRoute | undefined, request: EmulatorRequest): Fault | undefined {
    const index = this.faults.findIndex((f) =>
      f.remaining > 0 && (f.route === undefined || f.route === route) && (f.match === undefined || f.match(request))
    )
    if (index === -1) return undefined
    const entry = this.faults[index]
    entry.remaining--
    if (entry.remaining <= 0) this.faults.splice(index, 1)
    return entry.fault
  }
}

const activityWire = (id: string, device: EmulatedDevice): Record<string, unknown> => {
  const wire: Record<string, unknown> = { object: "session_activity", id }
  if (device.deviceType !== undefined) wire.device_type = device.deviceType
  wire.is_mobile = device.isMobile ?? false
  if (device.browserName !== undefined) wire.browser_name = device.browserName
  if (device.browserVersion !== undefined) wire.browser_version = device.browserVersion
  if (device.ipAddress !== undefined) wire.ip_address = device.ipAddress
  if (device.city !== undefined) wire.city = device.city
  if (device.country !== undefined) wire.country = device.country
  return wire
}

const lookup = (context: unknown, path: string): unknown => {
  let value: unknown = context
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || !(part in value)) return null
    value = (value as Record<string, unknown>)[part]
  }
  return value === undefined ? null : value
}

const WHOLE = /^\{\{\s*([\w.]+)\s*\}\}$/
const EMBEDDED = /\{\{\s*([\w.]+)\s*\}\}/g

/** `"{{user.first_name}}"` → the value (null when unknown); `"Hi {{user.first_name}}"` → a string. */
export const resolveShortcodes = (value: unknown, context: Record<string, unknown>): unknown => {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value)
    if (whole !== null) return lookup(context, whole[1])
    return value.replace(EMBEDDED, (_, path: string) => {
      const found = lookup(context, path)
      return found === null ? "" : typeof found === "object" ? JSON.stringify(found) : String(found)
    })
  }
  if (Array.isArray(value)) return value.map((item) => resolveShortcodes(item, context))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveShortcodes(v, context)]))
  }
  return value
}
