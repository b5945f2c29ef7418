/**
 * The HTML of the example Worker's pages (sign-in, active devices, a failure): plain
 * server-rendered strings, one stylesheet, and a few lines of script that make the sign-out
 * forms work without a reload. Every form also works without JavaScript.
 */
import * as DateTime from "effect/DateTime"
import type { Session } from "effect-clerk"

/** A user the demo's sign-in page offers (DEMO_USERS). */
export interface DemoUser {
  readonly id: string
  readonly name: string
  readonly email?: string | undefined
}

/** Text made safe for HTML content and quoted attributes. */
export const esc = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

export const STYLE = `
.pair{display:contents}
:root{color-scheme:light;--ink:#1c2130;--muted:#545b6b;--line:#dde1e8;--bg:#f5f6f8;--card:#fff;--accent:#3b47d6;--danger:#b42318;--ok:#067647}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header.top{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end;justify-content:space-between;margin-bottom:1.25rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.05rem;margin:0}
p{margin:.25rem 0}
.muted{color:var(--muted)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}
ul.cards{list-style:none;margin:0;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem;display:flex;flex-direction:column;gap:.75rem}
.card.current{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent)}
.card-head{display:flex;align-items:center;justify-content:space-between;gap:.5rem}
.badge{font-size:.8rem;font-weight:600;color:#fff;background:var(--accent);border-radius:999px;padding:.1rem .6rem;white-space:nowrap}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;font-size:.95rem}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
time[title]{text-decoration:underline dotted;text-underline-offset:.2em;cursor:help}
button{font:inherit;font-weight:600;border-radius:.5rem;padding:.55rem .9rem;border:1px solid var(--line);background:#fff;color:var(--ink);cursor:pointer;min-height:2.75rem}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--danger);border-color:#f1b5ae}
button:hover{filter:brightness(.96)}
button:focus-visible,a:focus-visible{outline:3px solid #f5b400;outline-offset:2px}
.card form{margin-top:auto}
.card form button{width:100%}
.notice,.error{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.notice{background:#e8f5ee;border:1px solid #a6dcbc;color:#054f31}
.error{background:#fdecea;border:1px solid #f5b5ad;color:#7a1a10}
.notice:empty,.error:empty{display:none}
.users{list-style:none;padding:0;margin:1rem 0 0;display:grid;gap:.75rem;max-width:28rem}
.users button{width:100%;text-align:left;display:flex;flex-direction:column;gap:.1rem}
.users .email{font-weight:400;color:var(--muted)}
.users .primary .email{color:#e0e3ff}
.card{min-width:0}
h2,dd{overflow-wrap:anywhere}
a{color:var(--accent)}
@media (max-width:40rem){h1{font-size:1.35rem}header.top{align-items:stretch}header.top .actions{width:100%}header.top .actions form,header.top .actions button{flex:1}}
`

/** Removes a signed-out card (or several) after the fetch succeeds; without JS the forms post and redirect. */
export const SCRIPT = `
document.addEventListener("submit", async (event) => {
  const form = event.target
  if (!form.matches("form[data-fetch]")) return
  event.preventDefault()
  const notice = document.getElementById("notice"), error = document.getElementById("error")
  const button = form.querySelector("button")
  button.disabled = true
  try {
    const res = await fetch(form.action, { method: "POST", headers: { accept: "application/json" } })
    const body = await res.json()
    if (res.status === 401) { location.assign(body.error.signIn); return }
    if (!res.ok) { error.textContent = body.error.message; notice.textContent = ""; return }
    for (const id of body.signedOut) document.querySelector('[data-session-id="' + id + '"]')?.remove()
    const left = document.querySelectorAll(".card:not(.current)").length
    if (left === 0) document.getElementById("sign-out-others")?.remove()
    const others = document.getElementById("others")
    if (others) others.textContent = left === 0 ? "No other device is signed in." : left + " other device" + (left === 1 ? " is" : "s are") + " signed in."
    error.textContent = ""
    notice.textContent = body.message
    document.querySelector("h1").focus()
  } catch {
    error.textContent = "The request did not complete. Check your connection and try again."
  } finally {
    button.disabled = false
  }
})
`

/** A whole page. */
export const page = (title: string, body: string, options: { readonly script?: boolean } = {}) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${options.script ? `<script>${SCRIPT}</script>` : ""}
</body>
</html>`

/** The sign-in page: one button per demo user (or, outside the demo, where to sign in). */
export const signInPage = (users: ReadonlyArray<DemoUser> | undefined, message: string | undefined) =>
  page(
    "Sign in · effect-clerk example",
    `<h1>Sign in</h1>
${message ? `<p class="notice" role="status">${esc(message)}</p>` : ""}
${
      users === undefined
        ? `<p>This Worker has no demo sign-in. Sign in through your app's Clerk sign-in page; this Worker reads the <code>__session</code> cookie it sets.</p>`
        : `<p class="muted">Choose a demo user. The Worker creates a session for them in the Clerk emulator and keeps its token in the <code>__session</code> cookie.</p>
<form method="post" action="/sign-in">
<ul class="users">
${
          users.map((user) =>
            `<li><button type="submit" name="user_id" value="${esc(user.id)}" class="primary"><span>${esc(user.name)}</span>${
              user.email ? `<span class="email">${esc(user.email)}</span>` : ""
            }</button></li>`
          ).join("\n")
        }
</ul>
</form>`
    }`
  )

/** "5 minutes ago", from `now`. */
export const relativeTime = (then: DateTime.Utc, now: number) => {
  const seconds = Math.round((now - DateTime.toEpochMillis(then)) / 1000)
  if (seconds < 60) return "just now"
  const steps: ReadonlyArray<[number, string]> = [[60, "minute"], [3600, "hour"], [86400, "day"], [86400 * 30, "month"]]
  let unit = steps[0]!
  for (const step of steps) if (seconds >= step[0]) unit = step
  const n = Math.floor(seconds / unit[0])
  return `${n} ${unit[1]}${n === 1 ? "" : "s"} ago`
}

const exactFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })
/** "2 Dec 2026, 16:14 UTC" */
export const exactTime = (at: DateTime.Utc) => `${exactFormat.format(DateTime.toEpochMillis(at))} UTC`

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" })
  } catch {
    return undefined
  }
})()
const countryName = (code: string) => {
  try {
    return regionNames?.of(code) ?? code
  } catch {
    return code
  }
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

const timeTag = (at: DateTime.Utc, text: string, withTitle: boolean) =>
  `<time datetime="${DateTime.formatIso(at)}"${withTitle ? ` title="${esc(exactTime(at))}"` : ""}>${esc(text)}</time>`

/** One session as a card: device, browser, place, IP, last active, created; a sign-out form unless it is this one. */
const card = (session: Session, current: boolean, now: number) => {
  const activity = session.latestActivity
  const browser = activity?.browserName
    ? `${activity.browserName}${activity.browserVersion ? ` ${activity.browserVersion}` : ""}`
    : current
    ? "This browser"
    : "Unknown browser"
  const device = activity?.deviceType
    ? capitalised(activity.deviceType)
    : activity === undefined
    ? undefined
    : activity.isMobile
    ? "Mobile"
    : "Desktop"
  const place = [activity?.city, activity?.country ? countryName(activity.country) : undefined].filter(Boolean).join(", ")
  const rows: Array<[string, string]> = []
  rows.push(["Device", device ? esc(device) : `<span class="muted">Not recorded by Clerk yet</span>`])
  if (place) rows.push(["Location", esc(place)])
  if (activity?.ipAddress) rows.push(["IP address", esc(activity.ipAddress)])
  rows.push(["Last active", timeTag(session.lastActiveAt, relativeTime(session.lastActiveAt, now), true)])
  rows.push(["Signed in", timeTag(session.createdAt, exactTime(session.createdAt), false)])
  const headingId = `h-${esc(session.id)}`
  return `<li class="card${current ? " current" : ""}" data-session-id="${esc(session.id)}" aria-labelledby="${headingId}">
<div class="card-head"><h2 id="${headingId}">${esc(browser)}${device ? ` <span class="muted">on ${esc(device.toLowerCase())}</span>` : ""}</h2>${
    current ? `<span class="badge">This device</span>` : ""
  }</div>
<dl>${rows.map(([term, value]) => `<div class="pair"><dt>${term}</dt><dd>${value}</dd></div>`).join("")}</dl>
${
    current
      ? ""
      : `<form method="post" action="/devices/${encodeURIComponent(session.id)}/sign-out" data-fetch><button type="submit" class="danger" aria-describedby="${headingId}">Sign out of this device</button></form>`
  }
</li>`
}

/** The active devices page: the current session first, then the others by last activity. */
export const devicesPage = (options: {
  readonly userLabel: string
  readonly currentSessionId: string
  readonly sessions: ReadonlyArray<Session>
  readonly now: number
  readonly notice?: string | undefined
}) => {
  const sorted = [...options.sessions].sort((a, b) =>
    a.id === options.currentSessionId
      ? -1
      : b.id === options.currentSessionId
      ? 1
      : DateTime.toEpochMillis(b.lastActiveAt) - DateTime.toEpochMillis(a.lastActiveAt)
  )
  const others = sorted.length - 1
  return page(
    "Active devices · effect-clerk example",
    `<header class="top">
<div><h1 tabindex="-1">Active devices</h1><p class="muted">Signed in as ${esc(options.userLabel)}. <span id="others">${
      others === 0 ? "No other device is signed in." : `${others} other device${others === 1 ? " is" : "s are"} signed in.`
    }</span></p></div>
<div class="actions">
${
      others > 0
        ? `<form method="post" action="/devices/sign-out-others" data-fetch id="sign-out-others"><button type="submit" class="danger">Sign out of all other devices</button></form>`
        : ""
    }
<form method="post" action="/sign-out"><button type="submit">Sign out</button></form>
</div>
</header>
<p id="notice" class="notice" role="status">${esc(options.notice ?? "")}</p>
<p id="error" class="error" role="alert"></p>
<ul class="cards">
${sorted.map((s) => card(s, s.id === options.currentSessionId, options.now)).join("\n")}
</ul>`,
    { script: true }
  )
}

/** A failure, as a person reads it: what happened, what to do, and a way back. */
export const failurePage = (title: string, message: string) =>
  page(
    `${title} · effect-clerk example`,
    `<h1>${esc(title)}</h1>
<p class="error" role="alert">${esc(message)}</p>
<p><a href="/">Back to active devices</a></p>`
  )
