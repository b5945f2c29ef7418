/**
 * The example Worker's "Active devices" page in a real headless Chromium (Debian's
 * `chromium`, driven by playwright-core), served by `wrangler dev` (workerd, no
 * compatibility flags) with the Clerk emulator behind it, as `npm start` runs them. Every
 * action is checked in the emulator's state too. Saves the README's screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { readFileSync } from "node:fs"
import { createServer as createHttpServer, type Server } from "node:http"
import { freePort } from "../runtimes/support/run.js"
import { join } from "node:path"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { ClerkEmulator, type EmulatedDevice, Fault, type ServedEmulator } from "../../src/testing/index.js"
import { DEMO_USERS, demoSeed } from "../../src/testing/node/bin/demoData.js"
import { type RunningWorker, startDemoWorker } from "../../demo/worker.js"
import { NodeClerkEmulator } from "../../src/testing/node/index.js"

const root = new URL("../../", import.meta.url).pathname
const SECRET_KEY = "sk_test_browser_suite"
/** Debian's chromium (scripts/test.mjs installs it when missing); CHROMIUM_PATH for another. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
/**
 * Every run saves the screenshots to .test-results/screenshots; `UPDATE_SCREENSHOTS=1` writes
 * the README's copies in docs/screenshots instead (their clock text changes on each run, so a
 * plain `npm test` leaves the committed ones alone).
 */
const SCREENSHOTS = join(root, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : ".test-results/screenshots")

let emulator: ClerkEmulator.Service
let served: ServedEmulator
let worker: RunningWorker
let browser: Browser
let base: string

beforeAll(async () => {
  emulator = await ClerkEmulator.start({ secretKey: SECRET_KEY })
  await Effect.runPromise(emulator.seed(demoSeed(Date.now())))
  served = await NodeClerkEmulator.serve(emulator)
  worker = startDemoWorker({
    emulatorUrl: served.url,
    secretKey: SECRET_KEY,
    port: await freePort(),
    inspectorPort: await freePort(),
    cwd: root,
    demoUsers: DEMO_USERS
  })
  base = worker.url
  const [, launched] = await Promise.all([
    worker.ready.catch((error) => {
      throw new Error(`${error.message}:\n${worker.output()}`)
    }),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright-core gives each launch a fresh --user-data-dir of its own.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
  ])
  browser = launched
}, 150_000)

afterAll(async () => {
  await browser?.close()
  await worker?.stop()
  await served?.stop()
})

const session = (id: string) => Effect.runPromise(emulator.getSession(id))
const statusOf = async (id: string) => (await session(id))?.status
const sessionsOf = async (userId: string) =>
  (await Effect.runPromise(emulator.listSessions)).filter((s) => s.userId === userId)

let users = 0
/**
 * A fresh user with `devices` active sessions (the first is "this" one) and a token for it
 * in the `__session` cookie of a new browser context, as if they had signed in.
 */
const signedInUser = async (
  devices: ReadonlyArray<EmulatedDevice | null>,
  options: { readonly javaScriptEnabled?: boolean; readonly token?: string } = {}
) => {
  const userId = `user_browser_${++users}`
  await Effect.runPromise(emulator.seedUser({ id: userId, firstName: "Test", lastName: `User ${users}` }))
  const ids: Array<string> = []
  for (const [i, device] of devices.entries()) {
    const s = await Effect.runPromise(emulator.seedSession({
      userId,
      id: `sess_${userId}_${i}`,
      createdAt: Date.now() - (i + 1) * 3_600_000,
      lastActiveAt: Date.now() - (i + 1) * 600_000,
      device
    }))
    ids.push(s.id)
  }
  const token = options.token ?? await Effect.runPromise(emulator.mintToken(ids[0]!, { expiresInSeconds: 3600 }))
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true })
  await context.addCookies([{ name: "__session", value: token, url: base, httpOnly: true, sameSite: "Lax" }])
  return { userId, ids, context, page: await context.newPage() }
}

const phone: EmulatedDevice = {
  deviceType: "mobile",
  isMobile: true,
  browserName: "Safari",
  browserVersion: "17.5",
  ipAddress: "198.51.100.7",
  city: "Paris",
  country: "FR"
}
const laptop: EmulatedDevice = {
  deviceType: "desktop",
  isMobile: false,
  browserName: "Chrome",
  browserVersion: "128.0.0.0",
  ipAddress: "203.0.113.10",
  city: "London",
  country: "GB"
}
const tablet: EmulatedDevice = { deviceType: "tablet", isMobile: true, browserName: "Firefox", browserVersion: "129.0" }

const cards = (page: Page) => page.locator("li.card")
const cardOf = (page: Page, id: string) => page.locator(`li.card[data-session-id="${id}"]`)

/** axe-core in the page: no serious or critical violation. */
const axeViolations = async (page: Page) => {
  // Evaluated through DevTools, not as a <script> tag, which the page's CSP (rightly) refuses.
  await page.evaluate(readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8"))
  const result = await page.evaluate(async () => (globalThis as any).axe.run(document, { resultTypes: ["violations"] }))
  return (result.violations as Array<{ id: string; impact: string; nodes: Array<unknown> }>)
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`)
}

const close = (context: BrowserContext) => context.close()

describe("sign in, the demo way", () => {
  it("lists the demo users; choosing one creates a session and sets __session (HttpOnly, SameSite=Lax, not Secure over http)", async () => {
    const before = await sessionsOf("user_demo")
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      // `/` without a cookie sends you to sign in.
      await page.goto(`${base}/`)
      expect(new URL(page.url()).pathname).toBe("/sign-in")
      await expect(page.locator("h1").textContent()).resolves.toBe("Sign in")
      await expect(page.locator(".users button").allInnerTexts()).resolves.toEqual([
        "Ada Lovelace\nada@example.com",
        "Grace Hopper\ngrace@example.com"
      ])
      expect(await axeViolations(page)).toEqual([])

      await page.getByRole("button", { name: /Ada Lovelace/ }).click()
      await page.waitForURL(`${base}/`)
      await expect(page.locator("h1").textContent()).resolves.toBe("Active devices")

      const after = await sessionsOf("user_demo")
      expect(after).toHaveLength(before.length + 1)
      const created = after.find((s) => !before.some((b) => b.id === s.id))!
      expect(created.status).toBe("active")
      const [cookie] = await context.cookies(base)
      expect(cookie).toMatchObject({ name: "__session", httpOnly: true, sameSite: "Lax", secure: false, path: "/" })
      const claims = JSON.parse(Buffer.from(cookie!.value.split(".")[1]!, "base64url").toString())
      expect([claims.sub, claims.sid]).toEqual(["user_demo", created.id])
      // The page shows it as this device, next to the seeded active ones (not the pending tablet).
      await expect(cardOf(page, created.id).locator(".badge").textContent()).resolves.toBe("This device")
      expect((await cards(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-session-id")))).sort())
        .toEqual([created.id, "sess_demo_laptop", "sess_demo_phone"].sort())
      await expect(page.locator("header.top p").textContent()).resolves.toBe(
        "Signed in as Ada Lovelace (user_demo). 2 other devices are signed in."
      )
      expect(await axeViolations(page)).toEqual([])

      // The README's screenshots, at phone and desktop widths.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: join(SCREENSHOTS, "active-devices-phone.png"), fullPage: true })
      await page.setViewportSize({ width: 1280, height: 720 })
      await page.screenshot({ path: join(SCREENSHOTS, "active-devices-desktop.png"), fullPage: true })
      for (const name of ["active-devices-phone.png", "active-devices-desktop.png"]) {
        // A real PNG with the page in it, not an empty capture.
        const png = readFileSync(join(SCREENSHOTS, name))
        expect(png.subarray(1, 4).toString("latin1")).toBe("PNG")
        expect(png.length).toBeGreaterThan(20_000)
      }
    } finally {
      await close(context)
    }
  })
})

describe("the active devices page", () => {
  it("one card per active session: device, browser and version, city and country, IP, last active (exact on hover), created; keyboard-operable with a visible focus", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone, tablet])
    try {
      await Effect.runPromise(emulator.seedSession({ userId: (await session(ids[0]!))!.userId, status: "ended", device: phone }))
      await page.goto(`${base}/`)
      expect(await cards(page).count()).toBe(3)
      const current = cardOf(page, ids[0]!)
      await expect(current.locator("h2").innerText()).resolves.toBe("Chrome 128.0.0.0 on desktop")
      await expect(current.locator(".badge").innerText()).resolves.toBe("This device")
      expect(await current.getByRole("button").count()).toBe(0)
      const terms = await current.locator("dt").allInnerTexts()
      const values = await current.locator("dd").allInnerTexts()
      expect(Object.fromEntries(terms.map((t, i) => [t, values[i]]))).toMatchObject({
        Device: "Desktop",
        Location: "London, United Kingdom",
        "IP address": "203.0.113.10",
        "Last active": "10 minutes ago"
      })
      const lastActive = (await session(ids[0]!))!.lastActiveAt
      const time = current.locator("dd time").first()
      await expect(time.getAttribute("datetime")).resolves.toBe(new Date(lastActive).toISOString())
      await expect(time.getAttribute("title")).resolves.toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/)

      const other = cardOf(page, ids[1]!)
      await expect(other.locator("h2").innerText()).resolves.toBe("Safari 17.5 on mobile")
      await expect(other.locator("dd").allInnerTexts()).resolves.toEqual(
        expect.arrayContaining(["Paris, France", "198.51.100.7", "20 minutes ago"])
      )
      await expect(other.getByRole("button").innerText()).resolves.toBe("Sign out of this device")
      // No IP or place given: those rows are left out rather than shown empty.
      await expect(cardOf(page, ids[2]!).locator("dt").allInnerTexts()).resolves.toEqual(["Device", "Last active", "Signed in"])
      expect(await axeViolations(page)).toEqual([])

      // Keyboard: Tab reaches the buttons in order, with a visible focus ring; Enter presses one.
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement as HTMLElement
          const style = getComputedStyle(el)
          return [el.tagName, el.textContent, style.outlineStyle, style.outlineWidth]
        })
      await page.keyboard.press("Tab")
      expect(await focused()).toEqual(["BUTTON", "Sign out of all other devices", "solid", "3px"])
      await page.keyboard.press("Tab")
      expect(await focused()).toEqual(["BUTTON", "Sign out", "solid", "3px"])
      await page.keyboard.press("Tab")
      expect(await focused()).toEqual(["BUTTON", "Sign out of this device", "solid", "3px"])
      await page.keyboard.press("Enter")
      await cardOf(page, ids[1]!).waitFor({ state: "detached" })
      expect(await statusOf(ids[1]!)).toBe("revoked")
    } finally {
      await close(context)
    }
  })

  it("sign out of one device with JavaScript: a fetch, the card disappears, the page stays", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone, tablet])
    try {
      await page.goto(`${base}/`)
      const navigations: Array<string> = []
      page.on("framenavigated", (frame) => navigations.push(frame.url()))
      await cardOf(page, ids[1]!).getByRole("button", { name: "Sign out of this device" }).click()
      await cardOf(page, ids[1]!).waitFor({ state: "detached" })
      await expect(page.locator("#notice").innerText()).resolves.toBe("Signed out of that device.")
      expect(navigations).toEqual([])
      expect(await cards(page).count()).toBe(2)
      expect([await statusOf(ids[0]!), await statusOf(ids[1]!), await statusOf(ids[2]!)]).toEqual(["active", "revoked", "active"])
    } finally {
      await close(context)
    }
  })

  it("works under its Content-Security-Policy: styled, the JavaScript revoke runs, and no CSP violation is reported", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone])
    try {
      const violations: Array<string> = []
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
      })
      await page.addInitScript(() =>
        document.addEventListener("securitypolicyviolation", (e) => console.error(`Refused to ${e.violatedDirective} ${e.blockedURI}`))
      )
      const response = await page.goto(`${base}/`)
      expect(response!.headers()["content-security-policy"]).toMatch(/^default-src 'none'; style-src 'sha256-/)
      // The inline stylesheet applied (CSP would have blocked it): the body has the page's background.
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(245, 246, 248)")
      await cardOf(page, ids[1]!).getByRole("button", { name: "Sign out of this device" }).click()
      await cardOf(page, ids[1]!).waitFor({ state: "detached" })
      await expect(page.locator("#notice").innerText()).resolves.toBe("Signed out of that device.")
      expect(violations).toEqual([])
    } finally {
      await close(context)
    }
  })

  it("sign out of one device without JavaScript: a form POST and a redirect", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone, tablet], { javaScriptEnabled: false })
    try {
      await page.goto(`${base}/`)
      await cardOf(page, ids[2]!).getByRole("button", { name: "Sign out of this device" }).click()
      await page.waitForURL(`${base}/?notice=signed-out-one`)
      await expect(page.locator("#notice").innerText()).resolves.toBe("Signed out of that device.")
      expect(await cardOf(page, ids[2]!).count()).toBe(0)
      expect(await cards(page).count()).toBe(2)
      expect([await statusOf(ids[0]!), await statusOf(ids[1]!), await statusOf(ids[2]!)]).toEqual(["active", "active", "revoked"])
    } finally {
      await close(context)
    }
  })

  it("sign out of all other devices (with and without JavaScript): only this one stays active", async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { context, ids, page } = await signedInUser([laptop, phone, tablet, null], { javaScriptEnabled })
      try {
        await page.goto(`${base}/`)
        await page.getByRole("button", { name: "Sign out of all other devices" }).click()
        if (javaScriptEnabled) await cardOf(page, ids[1]!).waitFor({ state: "detached" })
        else await page.waitForURL(`${base}/?notice=signed-out-others`)
        await expect(page.locator("#notice").innerText()).resolves.toBe("Signed out of all other devices.")
        expect(await cards(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-session-id")))).toEqual([ids[0]])
        expect(await page.getByRole("button", { name: "Sign out of all other devices" }).count()).toBe(0)
        expect(await Promise.all(ids.map(statusOf))).toEqual(["active", "revoked", "revoked", "revoked"])
      } finally {
        await close(context)
      }
    }
  })

  it("sign out: this session is revoked, the cookie cleared, and you are back at sign-in", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone])
    try {
      await page.goto(`${base}/`)
      await page.getByRole("button", { name: "Sign out", exact: true }).click()
      await page.waitForURL(`${base}/sign-in?reason=signed-out`)
      await expect(page.locator(".notice").innerText()).resolves.toBe("You are signed out.")
      expect(await context.cookies(base)).toEqual([])
      expect([await statusOf(ids[0]!), await statusOf(ids[1]!)]).toEqual(["revoked", "active"])
    } finally {
      await close(context)
    }
  })
})

/** The page's text: a message, never a stack trace or a raw JSON error. */
const expectPlainMessage = async (page: Page) => {
  const text = await page.locator("body").innerText()
  expect(text).not.toMatch(/[{}]|\bat .*\.(ts|js):\d+|Clerk[A-Z][a-z]+Error|Error:/)
  return text
}

describe("the page's last defects (readable, counted, wrapped, a page for a wrong URL)", () => {
  it("the demo users' e-mail text on the sign-in buttons meets WCAG AA contrast (4.5:1) against the button", async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      await page.goto(`${base}/sign-in`)
      const ratios = await page.$$eval(".users .email", (spans) =>
        spans.map((span) => {
          const rgb = (css: string) => css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number)
          const luminance = (css: string) => {
            const [r, g, b] = rgb(css).map((v) => {
              const c = v / 255
              return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
            })
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
          }
          const fg = luminance(getComputedStyle(span).color)
          const bg = luminance(getComputedStyle(span.closest("button")!).backgroundColor)
          return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)
        }))
      expect(ratios).toHaveLength(2)
      for (const ratio of ratios) expect(ratio).toBeGreaterThanOrEqual(4.5)
    } finally {
      await close(context)
    }
  })

  it("after a JavaScript sign-out, the count of other devices no longer counts it", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone, tablet])
    try {
      await page.goto(`${base}/`)
      await expect(page.locator("#others").innerText()).resolves.toBe("2 other devices are signed in.")
      await cardOf(page, ids[1]!).getByRole("button", { name: "Sign out of this device" }).click()
      await cardOf(page, ids[1]!).waitFor({ state: "detached" })
      await expect(page.locator("#others").innerText()).resolves.toBe("1 other device is signed in.")
      await cardOf(page, ids[2]!).getByRole("button", { name: "Sign out of this device" }).click()
      await cardOf(page, ids[2]!).waitFor({ state: "detached" })
      await expect(page.locator("#others").innerText()).resolves.toBe("No other device is signed in.")
    } finally {
      await close(context)
    }
  })

  it("long unbroken values (a 60-letter browser and city, an IPv6 address) wrap inside their card on a desktop", async () => {
    const long: EmulatedDevice = {
      ...laptop,
      browserName: "B".repeat(60),
      city: "C".repeat(60),
      ipAddress: "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
    }
    const { context, ids, page } = await signedInUser([laptop, long])
    try {
      await page.setViewportSize({ width: 1280, height: 900 })
      await page.goto(`${base}/`)
      const spill = await cardOf(page, ids[1]!).evaluate((card) => {
        const edge = card.getBoundingClientRect().right
        return [card.scrollWidth > card.clientWidth, ...[...card.querySelectorAll("*")].map((el) => el.getBoundingClientRect().right > edge + 0.5)]
      })
      expect(spill.filter(Boolean)).toEqual([])
      await expect(cardOf(page, ids[1]!).innerText()).resolves.toContain("2001:0db8:85a3:0000:0000:8a2e:0370:7334")
    } finally {
      await close(context)
    }
  })

  it("a mistyped URL shows a browser an HTML 404 with a link home (API clients still get JSON); no favicon 404 in the console", async () => {
    const { context, page } = await signedInUser([laptop])
    try {
      const errors: Array<string> = []
      page.on("console", (message) => message.type() === "error" && errors.push(message.text()))
      page.on("response", (response) => response.status() === 404 && response.url().endsWith("/favicon.ico") && errors.push("favicon 404"))
      const response = await page.goto(`${base}/devices`)
      expect([response!.status(), response!.headers()["content-type"]]).toEqual([404, "text/html; charset=utf-8"])
      await expect(page.locator("h1").innerText()).resolves.toBe("Page not found")
      await page.getByRole("link", { name: "Back to active devices" }).click()
      await page.waitForURL(`${base}/`)
      await expect(page.locator("h1").innerText()).resolves.toBe("Active devices")
      const api = await fetch(`${base}/devices`, { headers: { accept: "application/json" } })
      expect([api.status, (await api.json() as any).error.code]).toEqual([404, "route_not_found"])
      // The 404 document itself is the only error a browser logs for it.
      expect(errors.filter((e) => !/404 \(Not Found\)/.test(e) || /favicon/.test(e))).toEqual([])
    } finally {
      await close(context)
    }
  })
})

describe("failures a person sees", () => {

  it("Clerk unreachable", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone])
    try {
      await Effect.runPromise(emulator.injectFault(Fault.dropConnection(), { route: "getSessionList", times: Infinity }))
      const response = await page.goto(`${base}/`)
      expect(response!.status()).toBe(502)
      await expect(page.locator("h1").innerText()).resolves.toBe("Clerk can't be reached")
      expect(await expectPlainMessage(page)).toContain("Clerk can't be reached right now, so nothing was shown or changed.")
      expect(await axeViolations(page)).toEqual([])
      expect(await statusOf(ids[1]!)).toBe("active")
    } finally {
      await Effect.runPromise(emulator.clearFaults)
      await close(context)
    }
  })

  it("a session revoked elsewhere (its token still verifies): back to sign-in, saying so", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone], { javaScriptEnabled: false })
    try {
      await page.goto(`${base}/`)
      await Effect.runPromise(emulator.updateSession(ids[0]!, { status: "revoked" }))
      // A page action notices too: nothing is revoked by a signed-out device.
      await cardOf(page, ids[1]!).getByRole("button", { name: "Sign out of this device" }).click()
      await page.waitForURL(`${base}/sign-in?reason=revoked`)
      await expect(page.locator(".notice").innerText()).resolves.toBe("This device was signed out. Sign in again.")
      expect(await context.cookies(base)).toEqual([])
      expect(await statusOf(ids[1]!)).toBe("active")
      await page.goto(`${base}/`)
      expect(new URL(page.url()).pathname).toBe("/sign-in")
    } finally {
      await close(context)
    }
  })

  it("an expired session token: back to sign-in, saying it expired", async () => {
    const userId = `user_browser_expired`
    const seeded = await Effect.runPromise(emulator.seedSession({ userId, device: laptop }))
    // Minted two hours ago (TestClock), so it expired an hour and 59 minutes ago.
    const expired = await Effect.runPromise(
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.now() - 2 * 3_600_000)
        return yield* emulator.mintToken(seeded.id)
      }).pipe(Effect.provide(TestContext.TestContext))
    )
    const { context, page } = await signedInUser([laptop], { token: expired })
    try {
      await page.goto(`${base}/`)
      expect(page.url()).toBe(`${base}/sign-in?reason=expired`)
      await expect(page.locator(".notice").innerText()).resolves.toBe("Your session expired. Sign in again.")
      expect(await statusOf(seeded.id)).toBe("active")
    } finally {
      await close(context)
    }
  })

  it("an expired session token beside Clerk's __refresh cookie is refreshed (refreshSession), not signed out", async () => {
    const userId = "user_browser_refresh"
    const lastActiveAt = Date.now() - 600_000
    // Its tokens' azp is the Worker's origin, which refreshSession must be sent as request_origin.
    const seeded = await Effect.runPromise(
      emulator.seedSession({ userId, device: laptop, lastActiveAt, origin: base, refreshToken: "refresh_browser_suite" })
    )
    const expired = await Effect.runPromise(
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.now() - 2 * 3_600_000)
        return yield* emulator.mintToken(seeded.id)
      }).pipe(Effect.provide(TestContext.TestContext))
    )
    for (const [refreshToken, refreshes] of [["refresh_browser_suite", true], ["refresh_someone_guessed", false]] as const) {
      const context = await browser.newContext()
      try {
        await context.addCookies([
          { name: "__session", value: expired, url: base, httpOnly: true, sameSite: "Lax" },
          { name: "__refresh", value: refreshToken, url: base, httpOnly: true, sameSite: "Lax" }
        ])
        const page = await context.newPage()
        await Effect.runPromise(emulator.clearRequests)
        await page.goto(`${base}/`)
        const refreshCalls = (await Effect.runPromise(emulator.requests)).filter((r) => r.route === "refreshSession")
        expect(refreshCalls.map((r) => [r.status, (r.body as any).request_origin])).toEqual([[refreshes ? 200 : 401, base]])
        if (refreshes) {
          await expect(page.locator("h1").innerText()).resolves.toBe("Active devices")
          await expect(cardOf(page, seeded.id).locator(".badge").innerText()).resolves.toBe("This device")
          const renewed = (await context.cookies(base)).find((c) => c.name === "__session")!
          const claims = JSON.parse(Buffer.from(renewed.value.split(".")[1]!, "base64url").toString())
          expect([renewed.httpOnly, claims.sid, claims.exp > Date.now() / 1000]).toEqual([true, seeded.id, true])
          expect((await session(seeded.id))!.lastActiveAt).toBeGreaterThan(lastActiveAt)
        } else {
          expect(page.url()).toBe(`${base}/sign-in?reason=expired`)
        }
        expect(await statusOf(seeded.id)).toBe("active")
      } finally {
        await close(context)
      }
    }
  })

  it("another user's session is refused, and nothing changes", async () => {
    const { context, page } = await signedInUser([laptop, phone])
    try {
      await page.goto(`${base}/`)
      // A tampered form naming Grace's session.
      await page.locator("li.card form").first().evaluate((form, action) => form.setAttribute("action", action), "/devices/sess_grace_laptop/sign-out")
      await page.locator("li.card form button").first().click()
      await page.locator("#error:not(:empty)").waitFor()
      await expect(page.locator("#error").innerText()).resolves.toBe("This session belongs to another user. Nothing was changed.")
      expect(await statusOf("sess_grace_laptop")).toBe("active")
    } finally {
      await close(context)
    }
  })

  it("a POST from another site is refused (CSRF), though the browser sends the cookie", async () => {
    const { context, ids, page } = await signedInUser([laptop, phone])
    // Another origin on the same host: same-site, so SameSite=Lax alone would let the cookie through.
    const evil: Server = createHttpServer((_, res) => {
      res.setHeader("content-type", "text/html")
      res.end(
        `<!doctype html><title>x</title><form method="post" action="${base}/devices/${ids[1]}/sign-out"><button>Win a prize</button></form>`
      )
    })
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve))
    try {
      await page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`)
      const [response] = await Promise.all([page.waitForResponse(`${base}/devices/${ids[1]}/sign-out`), page.click("button")])
      expect(response.status()).toBe(403)
      expect((await response.request().allHeaders())["cookie"]).toContain("__session=")
      await expect(page.locator("h1").innerText()).resolves.toBe("Request refused")
      expect(await statusOf(ids[1]!)).toBe("active")
    } finally {
      await new Promise((resolve) => evil.close(resolve))
      await close(context)
    }
  })
})

// Last in the file: the 429's Retry-After (90 s) holds the Worker's shared request budget (the
// rate limiter's Durable Object) off, as Clerk asks, for at most a minute (the SDK's ceiling).
describe("rate limited (last: it leaves the fleet's budget on hold)", () => {
  it("rate limited, with Retry-After: the fleet's budget holds every request off for that long, at most a minute", async () => {
    const { context, page } = await signedInUser([laptop, phone])
    const listCalls = async () =>
      (await Effect.runPromise(emulator.requests)).filter((r) => r.route === "getSessionList").length
    try {
      await Effect.runPromise(emulator.injectFault(Fault.rateLimited({ retryAfter: 90 }), { route: "getSessionList", times: 1 }))
      const response = await page.goto(`${base}/`)
      expect([response!.status(), response!.headers()["retry-after"]]).toEqual([503, "90"])
      await expect(page.locator("h1").innerText()).resolves.toBe("Too many requests")
      expect(await expectPlainMessage(page)).toContain("Clerk is rate limiting this app. Try again in 90 seconds.")
      // Clerk would answer now, but the Worker's shared budget (the Durable Object) keeps to
      // the Retry-After: the reload is refused without a request to Clerk.
      const before = await listCalls()
      const again = await page.goto(`${base}/`)
      expect(again!.status()).toBe(503)
      // The hold is Clerk's 90 s cut to the one-minute ceiling, less the seconds since.
      const held = Number(again!.headers()["retry-after"])
      expect(held).toBeGreaterThan(30)
      expect(held).toBeLessThanOrEqual(60)
      expect(await listCalls()).toBe(before)
    } finally {
      await Effect.runPromise(emulator.clearFaults)
      await close(context)
    }
  })
})
