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

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * The demo data, relative to `now`: `user_demo` (admin of `org_demo`), six sessions on
 * different devices (active ×2, pending, ended, revoked, and one that expired by itself),
 * and `demo_template`.
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
