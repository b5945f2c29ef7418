/**
 * Bodies every contender gets, byte for byte: the single session is Clerk's own example
 * (test/fixtures/clerk/sample-responses.json `session_get_200`); the 500-session page is built from
 * it deterministically, with the variety a real page has (statuses, nulls, tasks, actors).
 */
import { SignJWT } from "jose"

/** `GET /v1/sessions/{id}` (sample `session_get_200`). */
export const sessionBody = {
  object: "session",
  id: "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  user_id: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  client_id: "client_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  actor: null,
  status: "active",
  last_active_organization_id: "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  last_active_at: 1716883200000,
  latest_activity: {
    object: "session_activity",
    id: "activity_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    device_type: "desktop",
    is_mobile: false,
    browser_name: "Chrome",
    browser_version: "128.0.0.0",
    ip_address: "192.168.1.100",
    city: "San Francisco",
    country: "US"
  },
  expire_at: 1716969600000,
  abandon_at: 1719475200000,
  updated_at: 1716883200000,
  created_at: 1716883200000
}

export const SESSION_ID = sessionBody.id
export const USER_ID = sessionBody.user_id
export const SESSION_TEXT = JSON.stringify(sessionBody)

const statuses = ["active", "active", "active", "ended", "revoked", "expired", "abandoned", "removed", "replaced", "pending"]
const browsers = ["Chrome", "Firefox", "Safari", "Edge"]

/** One element of a list page; `i` picks its variations. */
export const listSession = (i: number): Record<string, unknown> => {
  const suffix = String(i).padStart(6, "0")
  const created = 1716883200000 + i * 61_000
  const status = statuses[i % statuses.length]
  return {
    object: "session",
    id: `sess_2g7np7Hrk0SN6kj5EDML${suffix}`,
    user_id: sessionBody.user_id,
    client_id: `client_2g7np7Hrk0SN6kj5ED${suffix}`,
    actor: i % 50 === 7 ? { sub: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0T", iss: "https://dashboard.clerk.com" } : null,
    status,
    last_active_organization_id: i % 3 === 0 ? null : `org_2g7np7Hrk0SN6kj5EDM${suffix}`,
    last_active_at: created + 3_600_000,
    latest_activity: i % 10 === 9 ? null : {
      object: "session_activity",
      id: `sess_activity_2g7np7Hrk0S${suffix}`,
      device_type: i % 4 === 0 ? "iPhone" : "Macintosh",
      is_mobile: i % 4 === 0,
      browser_name: browsers[i % browsers.length],
      browser_version: `12${i % 10}.0.0.0`,
      ip_address: `192.168.${i % 256}.${(i * 7) % 256}`,
      city: i % 5 === 0 ? null : "San Francisco",
      country: "US"
    },
    expire_at: created + 7 * 86_400_000,
    abandon_at: created + 30 * 86_400_000,
    updated_at: created + 3_600_000,
    created_at: created,
    ...(status === "pending" ? { tasks: [{ key: "choose-organization" }] } : {})
  }
}

/** `GET /v1/sessions?paginated=true&limit=500`: 500 sessions and a total. */
export const listBody = (size = 500) => ({
  data: Array.from({ length: size }, (_, i) => listSession(i)),
  total_count: 1234
})

export const LIST_TEXT = JSON.stringify(listBody())

/** A canned secret key; nothing here ever reaches Clerk. */
export const SECRET_KEY = "sk_test_bench0000000000000000000000000000000000"

/** The host every in-memory contender pretends to call. */
export const API_URL = "https://api.clerk.test"

/** What the mocked fetch returns: a fresh Response each call, as a real fetch would. */
export const jsonResponse = (text: string): Response =>
  new Response(text, { status: 200, headers: { "content-type": "application/json" } })

/** The key id, `azp` and user of the bench's session token (rows 3, 8 and 9). */
export const TOKEN_KID = "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD"
export const TOKEN_AZP = "https://example.com"
export const TOKEN_USER_ID = "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S"

/**
 * Rows 3, 8 and 9's session token, signed with `privateKey` (RS256, kid {@link TOKEN_KID}):
 * claims as Clerk issues them (session_token_claims_v2_example), valid for the whole run.
 */
export const signSessionToken = (privateKey: Parameters<SignJWT["sign"]>[0]): Promise<string> => {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    azp: TOKEN_AZP,
    fva: [7, -1],
    sid: "sess_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    v: 2,
    sts: "active",
    o: { id: "org_123", slg: "org-slug", rol: "admin", per: "manage,read", fpm: "3,2" }
  })
    .setProtectedHeader({ alg: "RS256", kid: TOKEN_KID, typ: "JWT" })
    .setSubject(TOKEN_USER_ID)
    .setIssuer("https://clerk.example.com")
    .setIssuedAt(now - 10)
    .setNotBefore(now - 15)
    .setExpirationTime(now + 3600)
    .setJti("1234567890")
    .sign(privateKey)
}
