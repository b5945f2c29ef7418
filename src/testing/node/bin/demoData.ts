/**
 * The `npm start` demo's data (also `effect-clerk-emulator --demo`). A module of its own so
 * the bin can use it without pulling in the demo's entry point.
 *
 * @since 0.1.0
 */
import type { EmulatorSeed } from "../../index.js"

/** @since 0.1.0 */
export const DEMO_SECRET_KEY = "sk_test_demo"
/** @since 0.1.0 */
export const DEMO_USER_ID = "user_demo"
/** @since 0.1.0 */
export const DEMO_TEMPLATE = "demo_template"
/** The active session the curl commands use. @since 0.1.0 */
export const DEMO_SESSION_ID = "sess_demo_laptop"
/** The active session the revoke command ends. @since 0.1.0 */
export const DEMO_REVOKE_SESSION_ID = "sess_demo_phone"
/** A second user, whose session `user_demo` may not touch. @since 0.1.0 */
export const DEMO_OTHER_USER_ID = "user_grace"
/** `user_grace`'s one session. @since 0.1.0 */
export const DEMO_OTHER_SESSION_ID = "sess_grace_laptop"

/**
 * The users the example Worker's sign-in page offers in the demo (its DEMO_USERS).
 *
 * @since 0.1.0
 */
export const DEMO_USERS: ReadonlyArray<{ readonly id: string; readonly name: string; readonly email: string }> = [
  { id: DEMO_USER_ID, name: "Ada Lovelace", email: "ada@example.com" },
  { id: DEMO_OTHER_USER_ID, name: "Grace Hopper", email: "grace@example.com" }
]

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * The demo data, relative to `now`: `user_demo` (admin of `org_demo`), six sessions on
 * different devices (active ×2, pending, ended, revoked, and one that expired by itself),
 * `user_grace` with one active session, and `demo_template`.
 *
 * @since 0.1.0
 */
export const demoSeed = (now: number): EmulatorSeed => ({
  users: [{
    id: DEMO_USER_ID,
    firstName: "Ada",
    lastName: "Lovelace",
    username: "ada",
    emailAddress: "ada@example.com",
    publicMetadata: { plan: "pro" },
    createdAt: now - 30 * DAY
  }, {
    id: DEMO_OTHER_USER_ID,
    firstName: "Grace",
    lastName: "Hopper",
    username: "grace",
    emailAddress: "grace@example.com",
    createdAt: now - 20 * DAY
  }],
  organizations: [{
    id: "org_demo",
    slug: "analytical-engines",
    name: "Analytical Engines Ltd",
    members: [{
      userId: DEMO_USER_ID,
      role: "org:admin",
      permissions: ["org:dashboard:manage", "org:dashboard:read", "org:teams:read"]
    }]
  }],
  templates: [{
    name: DEMO_TEMPLATE,
    claims: {
      name: "{{user.full_name}}",
      email: "{{user.primary_email_address}}",
      plan: "{{user.public_metadata.plan}}",
      org: "{{org.slug}}",
      role: "{{org.role}}",
      greeting: "Hello, {{user.first_name}}!"
    },
    lifetime: 300,
    allowedClockSkew: 5
  }],
  sessions: [
    {
      id: DEMO_OTHER_SESSION_ID,
      userId: DEMO_OTHER_USER_ID,
      createdAt: now - 6 * HOUR,
      lastActiveAt: now - 20 * MINUTE,
      device: {
        deviceType: "desktop",
        isMobile: false,
        browserName: "Safari",
        browserVersion: "17.6",
        ipAddress: "192.0.2.44",
        city: "Arlington",
        country: "US"
      }
    },
    {
      id: DEMO_SESSION_ID,
      userId: DEMO_USER_ID,
      createdAt: now - 2 * HOUR,
      lastActiveAt: now - 5 * MINUTE,
      activeOrganizationId: "org_demo",
      secondFactor: true,
      device: {
        deviceType: "desktop",
        isMobile: false,
        browserName: "Chrome",
        browserVersion: "128.0.0.0",
        ipAddress: "203.0.113.10",
        city: "London",
        country: "GB"
      }
    },
    {
      id: DEMO_REVOKE_SESSION_ID,
      userId: DEMO_USER_ID,
      createdAt: now - DAY,
      lastActiveAt: now - HOUR,
      device: {
        deviceType: "mobile",
        isMobile: true,
        browserName: "Safari",
        browserVersion: "17.5",
        ipAddress: "198.51.100.7",
        city: "Paris",
        country: "FR"
      }
    },
    {
      id: "sess_demo_tablet",
      userId: DEMO_USER_ID,
      createdAt: now - 30 * MINUTE,
      tasks: ["choose-organization"],
      device: {
        deviceType: "tablet",
        isMobile: true,
        browserName: "Chrome",
        browserVersion: "127.0.0.0",
        city: "Berlin",
        country: "DE"
      }
    },
    {
      id: "sess_demo_work",
      userId: DEMO_USER_ID,
      status: "ended",
      createdAt: now - 3 * DAY,
      lastActiveAt: now - 2 * DAY,
      device: {
        deviceType: "desktop",
        isMobile: false,
        browserName: "Firefox",
        browserVersion: "129.0",
        city: "Manchester",
        country: "GB"
      }
    },
    {
      id: "sess_demo_stolen",
      userId: DEMO_USER_ID,
      status: "revoked",
      createdAt: now - 5 * DAY,
      lastActiveAt: now - 5 * DAY,
      device: {
        deviceType: "mobile",
        isMobile: true,
        browserName: "Chrome",
        browserVersion: "126.0.0.0",
        city: "Sydney",
        country: "AU"
      }
    },
    {
      // Seeded active 10 days ago: its 7-day lifetime ran out, so the emulator reports it expired.
      id: "sess_demo_old",
      userId: DEMO_USER_ID,
      createdAt: now - 10 * DAY,
      lastActiveAt: now - 9 * DAY,
      device: {
        deviceType: "desktop",
        isMobile: false,
        browserName: "Edge",
        browserVersion: "127.0.0.0",
        city: "Toronto",
        country: "CA"
      }
    }
  ]
})
