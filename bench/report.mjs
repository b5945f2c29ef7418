/**
 * Markdown for BENCHMARKS.md and the README from bench/results.json (scripts/bench.mjs).
 * Targets are issue 7's; they are reported against, never asserted.
 */

const us = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`)
const ratio = (a, b) => `${(a / b).toFixed(2)}×`
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
const ms = (value) => `${value.toFixed(0)} ms`
const signed = (value, unit) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(unit === "KB" ? 1 : 0)} ${unit}`
const mark = (ok) => (ok ? "met" : "**missed**")
const find = (row, name) => row?.find((c) => c.name === name)

const RUNTIME_NAMES = { node: "Node", deno: "Deno", bun: "Bun" }

/**
 * Row 8 of one line: A (the HttpApi, no middleware), B (behind `ClerkAuth`), C (@clerk/backend's
 * `authenticateRequest`), the marginal B − A (medians) and its per-round spread, undefined if not measured.
 */
const authOf = (row8) => {
  const a = find(row8?.contenders, "no middleware")
  const b = find(row8?.contenders, "ClerkAuth")
  const c = find(row8?.contenders, "@clerk/backend")
  if (!a || !b || !c) return undefined
  const perRound = b.rounds.map((value, i) => value - a.rounds[i])
  return { a, b, c, marginal: b.median - a.median, low: Math.min(...perRound), high: Math.max(...perRound) }
}

/** The line's HTTP client, as the sentences name it. */
const HTTP_CLIENT_OF = { "Effect 3": "@effect/platform's `HttpClient`", "Effect 4": "`effect/http`'s `HttpClient`" }
/** Issue 24's target for `getSession` through `ClerkClient.layer` over the line's bare `HttpClient` GET. */
const HTTP_CLIENT_TARGET = 1.15

/**
 * One line's `getSession` through the application's `HttpClient` against one GET through that
 * line's `HttpClient` alone (rows 1 and 4 of the line's own processes), or undefined if not measured.
 */
const httpClientOf = (rows) => {
  const http = find(rows?.row1, "effect-clerk (HttpClient)")
  const platform = find(rows?.row1, "platform")
  if (!http || !platform) return undefined
  return { http, platform, ratio: http.median / platform.median, loopback: find(rows.row4, "platform") }
}

/** The summary's sentence on one line's `ClerkClient.layer`, its bare `HttpClient` GET and its tracer, or undefined. */
const httpClientSentence = (rows, line) => {
  const x = httpClientOf(rows)
  if (!x) return undefined
  const traced = find(rows.row1, "effect-clerk (traced)")
  const fetchOnly = find(rows.row1, "effect-clerk")
  const opening = line === "Effect 3"
    ? "effect-clerk's numbers are `ClerkClient.layerFetch`, which sends with `fetch` directly (the choice for Workers). Through"
    : "The Effect 4 line: through"
  return `${opening} the application's \`HttpClient\` (\`ClerkClient.layer\`) a \`getSession\` costs ` +
    `${us(x.http.median)}: one GET through ${HTTP_CLIENT_OF[line]} alone (no effect-clerk) is ${us(x.platform.median)}` +
    `${x.loopback ? ` and ${x.loopback.median.toFixed(0)} req/s over loopback` : ""}: effect-clerk's \`getSession\` through it is ` +
    `${ratio(x.http.median, x.platform.median)} of that bare GET (≤ ${HTTP_CLIENT_TARGET}×: ${mark(x.ratio <= HTTP_CLIENT_TARGET)}).` +
    (traced && fetchOnly
      ? ` With a tracer installed (OpenTelemetry, say) the operation spans add ${us(traced.median - fetchOnly.median)} ` +
        `per call (${us(traced.median)}); under Effect's default tracer they are not built.`
      : "")
}

/** Row 9's peak-RSS target: the 50,000-session walk's peak at most this many times the 10,000's (5× would be growing with the sessions). */
const RSS_BOUND = 2
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`
const count = (n) => n.toLocaleString("en-US")
/** Two sets of rounds "match within noise": their lowest–highest ranges overlap. */
const overlap = (a, b) => a.low <= b.high && b.low <= a.high

/**
 * Row 9 of one line, the parts the tables show, or undefined if not measured: listAll per
 * contender and size (small, large), the verify with 1 / 10 / 100 keys, the 1,000-call bursts.
 */
const scaleOf = (row9) => {
  if (!row9?.listAll) return undefined
  const [small, large] = row9.listAll.sizes
  const list = Object.fromEntries(row9.listAll.contenders.map((c) => {
    const a = c.bySize[small]
    const b = c.bySize[large]
    return [c.name, {
      small: a,
      large: b,
      growth: b.cpuPerSession.median / a.cpuPerSession.median,
      flat: overlap(a.cpuPerSession, b.cpuPerSession),
      rssGrowth: b.peakRss.median / a.peakRss.median,
      bounded: b.peakRss.median <= RSS_BOUND * a.peakRss.median
    }]
  }))
  const keys = Object.fromEntries(row9.keys.counts.map((n) => [n, {
    ours: find(row9.keys.contenders, `effect-clerk/${n}`),
    jose: find(row9.keys.contenders, `jose/${n}`)
  }]))
  const burst = (prefix) => row9.concurrent.contenders.find((c) => c.name.startsWith(prefix))
  return {
    row9,
    small,
    large,
    list,
    keys,
    fewest: row9.keys.counts[0],
    most: row9.keys.counts[row9.keys.counts.length - 1],
    calls: row9.concurrent.calls,
    verify: burst("effect-clerk verify"),
    jose: burst("jose verify"),
    limited: burst("effect-clerk getSession, rateLimit"),
    unlimited: burst("effect-clerk getSession, no rate limit")
  }
}
/** "1000 of 1000" when every round completed every call, else each round's count. */
const completedOf = (burst, calls) =>
  burst.completed.every((n) => n === calls) ? `${count(calls)} of ${count(calls)}` : `${burst.completed.join(", ")} of ${count(calls)}`
/** "1 JWKS fetch" when every round made one, else each round's count. */
const fetchesOf = (burst, what) => {
  const same = burst.fetches.every((n) => n === burst.fetches[0])
  const n = same ? count(burst.fetches[0]) : burst.fetches.map(count).join(", ")
  return `${n} ${what}${same && burst.fetches[0] === 1 ? "" : "es"}`
}
const msOf = (s) => `${s.median.toFixed(1)} ms`

const HTTP_CLIENT_SUFFIX = ", with `ClerkClient.layer` (through the app's `HttpClient`)"

/** The one table the README shows: one line per row, against its target. */
export const renderSummary = (r) => {
  const lines = [
    "| row | effect-clerk | @clerk/backend | floor | effect-clerk ÷ @clerk/backend | target |",
    "|---|---|---|---|---|---|"
  ]
  for (const [key, label, floorLabel] of [
    ["row1", "1. `getSession`, CPU per call (in-memory transport)", "fetch + `JSON.parse`"],
    ["row2", "2. 500-session list page, CPU per call", "fetch + `JSON.parse`"]
  ]) {
    const row = r[key]
    if (!row) continue
    const theirs = find(row, "@clerk/backend").median
    const floor = find(row, "floor").median
    for (const [name, suffix] of [["effect-clerk", ""], ["effect-clerk (HttpClient)", HTTP_CLIENT_SUFFIX]]) {
      const ours = find(row, name)?.median
      if (ours === undefined) continue
      lines.push(
        `| ${label}${suffix} | ${us(ours)} | ${us(theirs)} | ${us(floor)} (${floorLabel}) | ${ratio(ours, theirs)} | ≤ 2×${
          key === "row1" ? " (stretch 1.25×)" : ""
        }: ${mark(ours / theirs <= 2)}${key === "row1" && ours / theirs <= 1.25 ? " (stretch met)" : ""} |`
      )
    }
  }
  if (r.row3) {
    const ours = find(r.row3, "effect-clerk").median
    const theirs = find(r.row3, "@clerk/backend").median
    const floor = find(r.row3, "floor").median
    const boundary = r.row3.find((c) => c.name === "floor (Effect)")?.median
    lines.push(
      `| 3. verify a session token, key cached | ${us(ours)} | ${us(theirs)} | ${us(floor)} (jose \`jwtVerify\`)${
        boundary === undefined ? "" : `; ${us(boundary)} (jose inside \`runPromise(Effect.promise(…))\`)`
      } | ${ratio(ours, theirs)} (${ratio(ours, floor)} jose${
        boundary === undefined ? "" : `, ${ratio(ours, boundary)} jose in Effect`
      }) | faster than @clerk/backend: ${mark(ours < theirs)}; ≤ 1.1× jose: ${mark(ours / floor <= 1.1)}${
        boundary === undefined ? "" : `; ≤ 1.1× jose in Effect: ${mark(ours / boundary <= 1.1)}`
      } |`
    )
  }
  if (r.row4) {
    const theirs = find(r.row4, "@clerk/backend").median
    const floor = find(r.row4, "floor").median
    for (const [name, suffix] of [["effect-clerk", ""], ["effect-clerk (HttpClient)", HTTP_CLIENT_SUFFIX]]) {
      const ours = find(r.row4, name)?.median
      if (ours === undefined) continue
      lines.push(
        `| 4. loopback, ${r.concurrency ?? 200} concurrent \`getSession\`${suffix} | ${ours.toFixed(0)} req/s | ${
          theirs.toFixed(0)
        } req/s | ${floor.toFixed(0)} req/s (fetch) | ${ratio(ours, theirs)} | ≥ 0.9×: ${mark(ours / theirs >= 0.9)} |`
      )
    }
  }
  if (r.row5) {
    const b = Object.fromEntries(r.row5.map((x) => [x.id, x]))
    const bare = b["bare-effect"].gzip
    for (const [id, theirsId, label, target] of [
      ["effect-clerk-sessions", "clerk-backend", "5. Worker bundle, gzip: Sessions", 15],
      ["effect-clerk-verifier", "clerk-backend-verify", "5. Worker bundle, gzip: Sessions + TokenVerifier", 25]
    ]) {
      const marginal = (b[id].gzip - bare) / 1024
      lines.push(
        `| ${label} | ${kb(b[id].gzip)} (${signed(marginal, "KB")} over bare Effect) | ${kb(b[theirsId].gzip)} | ${
          kb(bare)
        } (bare Effect program) | ${ratio(b[id].gzip, b[theirsId].gzip)} | marginal ≤ ${target} KB: ${
          mark(marginal <= target)
        }${id === "effect-clerk-sessions" ? `; no jose: ${mark(b[id].joseBytes === 0)}` : ""} |`
      )
    }
  }
  if (r.row6) {
    for (const [runtime, byWorker] of Object.entries(r.row6)) {
      const ours = byWorker["effect-clerk-sessions"].median
      const bare = byWorker["bare-effect"].median
      const theirs = byWorker["clerk-backend"].median
      lines.push(
        `| 6. cold start to first response, ${RUNTIME_NAMES[runtime]} | ${ms(ours)} (${signed(ours - bare, "ms")} over bare Effect) | ${
          ms(theirs)
        } | ${ms(bare)} (bare Effect program) | ${ratio(ours, theirs)} | marginal ≤ +25 ms: ${mark(ours - bare <= 25)} |`
      )
    }
  }
  const auth = authOf(r.row8)
  if (auth) {
    lines.push(
      `| 8. Clerk auth on an HttpApi server, CPU per request: \`ClerkAuth\` over no middleware | ${us(auth.marginal)} (${us(auth.b.median)} − ${
        us(auth.a.median)
      }) | ${us(auth.c.median)} (\`authenticateRequest\`) | ${us(auth.a.median)} (the HttpApi, no middleware) | ${
        ratio(auth.marginal, auth.c.median)
      } | no target |`
    )
  }
  const scale = scaleOf(r.row9)
  if (scale) {
    const o = scale.list["effect-clerk"]
    const t = scale.list["@clerk/backend"]
    const k1 = scale.keys[scale.fewest]
    const kn = scale.keys[scale.most]
    lines.push(
      `| 9. \`listAll\` over ${count(scale.large)} sessions (pages of ${scale.row9.listAll.pageSize}, loopback), CPU per session; peak RSS | ${
        us(o.large.cpuPerSession.median)
      } (${us(o.small.cpuPerSession.median)} at ${count(scale.small)}); +${mb(o.large.peakRss.median)} (+${mb(o.small.peakRss.median)} at ${count(scale.small)}) | ${
        us(t.large.cpuPerSession.median)
      } (${us(t.small.cpuPerSession.median)}); +${mb(t.large.peakRss.median)} (+${mb(t.small.peakRss.median)}) (\`getSessionList\` paged by hand) | – | ${
        ratio(o.large.cpuPerSession.median, t.large.cpuPerSession.median)
      } | flat per session: ${mark(o.flat)}; peak RSS bounded (${count(scale.large)} ÷ ${count(scale.small)} ≤ ${RSS_BOUND}×): ${mark(o.bounded)} |`,
      `| 9. verify a session token, ${scale.most} keys in the JWKS, key cached | ${us(kn.ours.median)} (${
        ratio(kn.ours.median, k1.ours.median)
      } of ${scale.fewest} key) | – | ${us(kn.jose.median)} (jose \`createLocalJWKSet\`; ${ratio(kn.jose.median, k1.jose.median)} of ${scale.fewest} key) | – (${
        ratio(kn.ours.median, kn.jose.median)
      } jose) | no target |`,
      `| 9. ${count(scale.calls)} concurrent calls, one isolate: \`verify\` on a cold verifier / \`getSession\` with \`rateLimit\` | ${msOf(scale.verify.ms)}, ${
        fetchesOf(scale.verify, "JWKS fetch")
      }, ${completedOf(scale.verify, scale.calls)} / ${msOf(scale.limited.ms)}, ${completedOf(scale.limited, scale.calls)} | – | ${
        msOf(scale.jose.ms)
      } (jose \`createRemoteJWKSet\`, ${fetchesOf(scale.jose, "fetch")}) / ${msOf(scale.unlimited.ms)} (no rate limit) | – | no target |`
    )
  }
  for (const sentence of [httpClientSentence(r, "Effect 3"), httpClientSentence(r.effect4, "Effect 4")]) {
    if (sentence !== undefined) lines.push("", sentence)
  }
  const bounded4 = find(r.row4, "floor (bounded)")
  if (bounded4) {
    const theirs4 = find(r.row4, "@clerk/backend").median
    lines.push(
      "",
      `Row 4: every effect-clerk attempt carries an \`AbortSignal\` and a timer, which is what lets a timeout or ` +
        `an interruption release the socket; @clerk/backend sends with neither (no per-request timeout). Bare ` +
        `\`fetch\` bounded the same way reaches ${bounded4.median.toFixed(0)} req/s, ` +
        `${ratio(bounded4.median, find(r.row4, "floor").median)} of unbounded \`fetch\` and ` +
        `${ratio(bounded4.median, theirs4)} of @clerk/backend; effect-clerk reaches ` +
        `${ratio(find(r.row4, "effect-clerk").median, bounded4.median)} of that bounded floor.`
    )
  }
  const linesTable = renderLinesSummary(r)
  if (linesTable !== "") lines.push("", linesTable)
  const m = r.machine
  lines.push(
    "",
    `Medians; ${m.cpu}, ${m.cores} cores (shared), ${m.os}; Node ${m.node}, Deno ${m.deno.replace(/^deno /, "")}, Bun ${m.bun}; ` +
      `effect ${m.packages.effect}, @effect/platform ${m.packages["@effect/platform"]}${
        m.effect4 && r.effect4 ? ` (Effect 4 line: effect ${m.effect4})` : ""
      }, @clerk/backend ${m.packages["@clerk/backend"]}, jose ${m.packages.jose}; ${m.date}, commit ${m.commit}. Details, method and findings: BENCHMARKS.md.`
  )
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------
// The two release lines side by side: `r.row1`… is the Effect 3 line, `r.effect4.row1`… the
// Effect 4 line, from the same run (rows 1–4 one child process per line, each with its own
// @clerk/backend and floor; rows 5–6 together).

/** `a ÷ b` as a ratio, or "–". */
const maybeRatio = (a, b) => (a === undefined || b === undefined || b === 0 ? "–" : ratio(a, b))
/** "−23%" / "+5%": how much `four` is above or below `three`. */
const change = (four, three) => {
  const pct = (four / three - 1) * 100
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(0)}%`
}

/** One line per row: the Effect 3 line, the Effect 4 line, their ratio, each against @clerk/backend from its own run. */
export const renderLinesSummary = (r) => {
  const f = r.effect4
  if (!f) return ""
  const lines = [
    `**The Effect 4 line** (effect ${r.machine?.effect4 ?? "4"}, \`effect/http\`), the same rows in the same run on the same Node, beside the Effect 3 line (effect ${
      r.machine?.packages?.effect ?? "3"
    } + @effect/platform). For rows 1–3, 8 and 9 lower is lighter; row 4 is throughput (higher is better).`,
    "",
    "| row | Effect 3 line | Effect 4 line | Effect 4 ÷ Effect 3 | ÷ @clerk/backend, Effect 3 / Effect 4 line |",
    "|---|---|---|---|---|"
  ]
  const timed = [
    ["row1", "1. `getSession`, CPU per call", us],
    ["row2", "2. 500-session list page, CPU per call", us],
    ["row3", "3. verify a session token, key cached, CPU per call", us],
    ["row4", "4. loopback, 200 concurrent `getSession`", (v) => `${v.toFixed(0)} req/s`]
  ]
  for (const [key, label, fmt] of timed) {
    if (!r[key] || !f[key]) continue
    for (const [name, suffix] of [
      ["effect-clerk", ""],
      ["effect-clerk (HttpClient)", ", with `ClerkClient.layer`"],
      ["effect-clerk (JWKS cached)", ", keys from the JWKS"]
    ]) {
      const three = find(r[key], name)?.median
      const four = find(f[key], name)?.median
      if (three === undefined || four === undefined) continue
      lines.push(
        `| ${label}${suffix} | ${fmt(three)} | ${fmt(four)} | ${ratio(four, three)} (${change(four, three)}) | ${
          maybeRatio(three, find(r[key], "@clerk/backend")?.median)
        } / ${maybeRatio(four, find(f[key], "@clerk/backend")?.median)} |`
      )
    }
  }
  if (r.row5 && f.row5) {
    const b3 = Object.fromEntries(r.row5.map((x) => [x.id, x]))
    const b4 = Object.fromEntries(f.row5.map((x) => [x.id, x]))
    for (const [id, theirsId, label] of [
      ["bare-effect", undefined, "5. Worker bundle, gzip: bare Effect program (no effect-clerk)"],
      ["effect-clerk-sessions", "clerk-backend", "5. Worker bundle, gzip: Sessions"],
      ["effect-clerk-verifier", "clerk-backend-verify", "5. Worker bundle, gzip: Sessions + TokenVerifier"]
    ]) {
      if (!b3[id] || !b4[id]) continue
      const over = (b, bare) => (id === "bare-effect" ? "" : ` (${signed((b.gzip - bare.gzip) / 1024, "KB")} over its bare Effect)`)
      lines.push(
        `| ${label} | ${kb(b3[id].gzip)}${over(b3[id], b3["bare-effect"])} | ${kb(b4[id].gzip)}${over(b4[id], b4["bare-effect"])} | ${
          ratio(b4[id].gzip, b3[id].gzip)
        } (${change(b4[id].gzip, b3[id].gzip)}) | ${
          theirsId ? `${ratio(b3[id].gzip, b3[theirsId].gzip)} / ${ratio(b4[id].gzip, b3[theirsId].gzip)}` : "–"
        } |`
      )
    }
  }
  if (r.row6 && f.row6) {
    for (const [runtime, byWorker] of Object.entries(r.row6)) {
      const four = f.row6[runtime]
      if (!four) continue
      const three = byWorker
      const o3 = three["effect-clerk-sessions"].median
      const o4 = four["effect-clerk-sessions"].median
      lines.push(
        `| 6. cold start to first response, Sessions, ${RUNTIME_NAMES[runtime]} | ${ms(o3)} (${
          signed(o3 - three["bare-effect"].median, "ms")
        } over its bare Effect) | ${ms(o4)} (${signed(o4 - four["bare-effect"].median, "ms")} over its bare Effect) | ${ratio(o4, o3)} (${
          change(o4, o3)
        }) | ${ratio(o3, three["clerk-backend"].median)} / ${ratio(o4, three["clerk-backend"].median)} |`
      )
    }
  }
  if (r.row7 && f.row7) {
    const c3 = Object.fromEntries(r.row7.contenders.map((x) => [x.id, x]))
    const c4 = Object.fromEntries(f.row7.contenders.map((x) => [x.id, x]))
    const perRound = (c, id) => c[id].loopback.jwksRequests.reduce((a, b) => a + b, 0) / c[id].loopback.jwksRequests.length
    const warm = (c, id) => c[id].delayed.ms.median
    const wms = (v) => `${Number.isInteger(v) ? v : v.toFixed(1)} ms`
    lines.push(
      `| 7. \`GET /v1/jwks\` for ${r.row7.isolates} cold isolates (workerd), KV / Cache API / no store | ${perRound(c3, "kv")} / ${perRound(c3, "cache")} / ${
        perRound(c3, "none")
      } | ${perRound(c4, "kv")} / ${perRound(c4, "cache")} / ${perRound(c4, "none")} | the same count: the store, not the line, decides | ${
        maybeRatio(perRound(c3, "kv"), perRound(c3, "backend"))
      } / ${maybeRatio(perRound(c4, "kv"), perRound(c4, "backend"))} (KV) |`,
      `| 7. first verification in a cold isolate, Clerk ${r.row7.delayMs} ms away: warm KV / Cache API / no store | ${wms(warm(c3, "kv"))} / ${
        wms(warm(c3, "cache"))
      } / ${wms(warm(c3, "none"))} | ${wms(warm(c4, "kv"))} / ${wms(warm(c4, "cache"))} / ${wms(warm(c4, "none"))} | ${
        maybeRatio(warm(c4, "kv"), warm(c3, "kv"))
      } / ${maybeRatio(warm(c4, "cache"), warm(c3, "cache"))} / ${maybeRatio(warm(c4, "none"), warm(c3, "none"))} | ${
        maybeRatio(warm(c3, "kv"), warm(c3, "backend"))
      } / ${maybeRatio(warm(c4, "kv"), warm(c4, "backend"))} (KV) |`
    )
  }
  const auth3 = authOf(r.row8)
  const auth4 = authOf(f.row8)
  if (auth3 && auth4) {
    lines.push(
      `| 8. Clerk auth on an HttpApi server, CPU per request: \`ClerkAuth\` over no middleware | ${us(auth3.marginal)} | ${us(auth4.marginal)} | ${
        ratio(auth4.marginal, auth3.marginal)
      } (${change(auth4.marginal, auth3.marginal)}) | ${ratio(auth3.marginal, auth3.c.median)} / ${ratio(auth4.marginal, auth4.c.median)} |`
    )
  }
  const scale3 = scaleOf(r.row9)
  const scale4 = scaleOf(f.row9)
  if (scale3 && scale4) {
    const o3 = scale3.list["effect-clerk"].large.cpuPerSession.median
    const o4 = scale4.list["effect-clerk"].large.cpuPerSession.median
    const v3 = scale3.keys[scale3.most].ours.median
    const v4 = scale4.keys[scale4.most].ours.median
    lines.push(
      `| 9. \`listAll\` over ${count(scale3.large)} sessions, CPU per session | ${us(o3)} | ${us(o4)} | ${ratio(o4, o3)} (${change(o4, o3)}) | ${
        ratio(o3, scale3.list["@clerk/backend"].large.cpuPerSession.median)
      } / ${ratio(o4, scale4.list["@clerk/backend"].large.cpuPerSession.median)} |`,
      `| 9. verify, ${scale3.most} keys in the JWKS, CPU per call | ${us(v3)} | ${us(v4)} | ${ratio(v4, v3)} (${change(v4, v3)}) | ${
        ratio(v3, scale3.keys[scale3.most].jose.median)
      } / ${ratio(v4, scale4.keys[scale4.most].jose.median)} (÷ jose) |`,
      `| 9. ${count(scale3.calls)} concurrent \`verify\`, cold verifier, wall | ${msOf(scale3.verify.ms)} | ${msOf(scale4.verify.ms)} | ${
        ratio(scale4.verify.ms.median, scale3.verify.ms.median)
      } (${change(scale4.verify.ms.median, scale3.verify.ms.median)}) | ${ratio(scale3.verify.ms.median, scale3.jose.ms.median)} / ${
        ratio(scale4.verify.ms.median, scale4.jose.ms.median)
      } (÷ jose) |`
    )
  }
  return lines.join("\n")
}

/** Row 8's section of the details: both lines side by side (each line's numbers from its own process). */
export const renderAuthDetails = (r) => {
  const three = authOf(r.row8)
  const four = authOf(r.effect4?.row8)
  const shown = [["Effect 3 line", three], ["Effect 4 line", four]].filter(([, x]) => x !== undefined)
  if (shown.length === 0) return ""
  const row8 = (three ? r.row8 : r.effect4.row8)
  const measured = row8.measured
  const spread = (c) => `${us(c.median)} (${us(c.low)} – ${us(c.high)})`
  const cells = (f) => shown.map(([, x]) => f(x)).join(" | ")
  const lines = [
    "",
    "### 8. Clerk authentication on an HttpApi server, CPU per request",
    "",
    `What \`ClerkAuth\` adds to each request of an Effect HttpApi server, against what @clerk/backend's \`authenticateRequest\` alone costs. One \`GET /me\` answering \`{ userId }\`, served in-process as the line's web handler (Effect 3: \`HttpApiBuilder.toWebHandler\`; Effect 4: \`HttpRouter.toWebHandler\` over \`HttpApiBuilder.layer\`), each call timed as \`await handler(new Request(url, { headers: { authorization: "Bearer <token>" } }))\` plus reading the body: A without any middleware, B behind \`.middleware(ClerkAuth)\` with \`TokenVerifier.layerJwtKey\` (PEM imported once; row 3's token and key) and the handler reading \`CurrentSession\`. C is \`createClerkClient({ secretKey, publishableKey }).authenticateRequest(request, { jwtKey, authorizedParties })\` on the same request, networkless. The marginal B − A is the difference of the medians (the spread is that of the per-round differences, A and B being timed in the same rounds); it contains the verification (row 3) and the middleware's own work. Each line in its own process, ${
      row8.rounds
    } rounds of ${row8.budgetMs} ms; measured ${measured?.date ?? "?"}, commit ${measured?.commit ?? "?"}, Node ${measured?.node ?? "?"}.`,
    "",
    `| | ${shown.map(([name]) => name).join(" | ")} |`,
    `|---|${shown.map(() => "---").join("|")}|`,
    `| A. HttpApi \`GET /me\`, no middleware | ${cells((x) => spread(x.a))} |`,
    `| B. the same behind \`ClerkAuth\` | ${cells((x) => spread(x.b))} |`,
    `| **marginal: B − A** | ${cells((x) => `**${us(x.marginal)}** (${us(x.low)} – ${us(x.high)})`)} |`,
    `| C. @clerk/backend \`authenticateRequest\` | ${cells((x) => spread(x.c))} |`,
    `| **marginal ÷ C** | ${cells((x) => `**${ratio(x.marginal, x.c.median)}**`)} |`,
    `| wall time per request, A / B / C (median) | ${cells((x) => `${us(x.a.wallP50)} / ${us(x.b.wallP50)} / ${us(x.c.wallP50)}`)} |`,
    "",
    "CPU per request: lower is lighter. Spread: lowest – highest round.",
    ""
  ]
  return lines.join("\n")
}

const LINE_NAMES = {
  "effect-clerk": "effect-clerk (`ClerkClient.layerFetch`)",
  "effect-clerk (HttpClient)": "effect-clerk (`ClerkClient.layer` over the line's `FetchHttpClient`)",
  "effect-clerk (traced)": "effect-clerk (`layerFetch`), a tracer installed",
  "effect-clerk (JWKS cached)": "effect-clerk, keys from the JWKS (fetched once, cached)",
  "@clerk/backend": "@clerk/backend (measured in each line's run)",
  floor: "floor (measured in each line's run)",
  "floor (bounded)": "floor, bounded (measured in each line's run)",
  platform: "the line's `HttpClient` + `JSON.parse` alone (@effect/platform / `effect/http`)"
}

/** Every contender of rows 1–6 on both lines. */
export const renderLinesDetails = (r) => {
  const f = r.effect4
  if (!f) return ""
  const parts = [
    "",
    `### The Effect 4 line beside the Effect 3 line (effect ${r.machine?.effect4 ?? "4"} and ${r.machine?.packages?.effect ?? "3"}, same run, Node ${
      r.machine?.node ?? "?"
    })`,
    "",
    "Rows 1–4: each line's bench process measures every contender (so @clerk/backend and the floor appear once per line: their own ratio shows how far the machine drifted between the two processes). \"÷ @clerk/backend\" divides by the @clerk/backend of the same process.",
    ""
  ]
  const timedTable = (key, title, fmt, higherIsBetter = false, overrides = {}, extraRows = []) => {
    if (!r[key] || !f[key]) return
    parts.push(
      `#### ${title}`,
      "",
      `| contender | Effect 3 line | Effect 4 line | Effect 4 ÷ Effect 3 | Effect 3 ÷ @clerk/backend | Effect 4 ÷ @clerk/backend |`,
      "|---|---|---|---|---|---|"
    )
    const theirs3 = find(r[key], "@clerk/backend")?.median
    const theirs4 = find(f[key], "@clerk/backend")?.median
    for (const c of r[key]) {
      const four = find(f[key], c.name)
      if (!four) continue
      parts.push(
        `| ${overrides[c.name] ?? LINE_NAMES[c.name] ?? c.name} | ${fmt(c)} | ${fmt(four)} | ${ratio(four.median, c.median)} | ${maybeRatio(c.median, theirs3)} | ${
          maybeRatio(four.median, theirs4)
        } |`
      )
    }
    parts.push(...extraRows)
    parts.push("", higherIsBetter ? "Requests per second: higher is better." : "CPU per call: lower is lighter. Spread: lowest – highest round.", "")
  }
  const cpu = (c) => `${us(c.median)} (${us(c.low)} – ${us(c.high)})`
  const rps = (c) => `${c.median.toFixed(0)} (${c.low.toFixed(0)} – ${c.high.toFixed(0)})`
  // Issue 24: effect-clerk through the app's HttpClient against that line's HttpClient alone.
  const http3 = httpClientOf(r)
  const http4 = httpClientOf(f)
  const httpRow = http3 && http4
    ? [
      `| **\`getSession\` through the app's \`HttpClient\` ÷ that line's bare \`HttpClient\` GET** (target ≤ ${HTTP_CLIENT_TARGET}×) | **${
        ratio(http3.http.median, http3.platform.median)
      }** (${mark(http3.ratio <= HTTP_CLIENT_TARGET)}) | **${ratio(http4.http.median, http4.platform.median)}** (${
        mark(http4.ratio <= HTTP_CLIENT_TARGET)
      }) | – | – | – |`
    ]
    : []
  timedTable("row1", "1. `getSession`, CPU per call, in-memory transport", cpu, false, {}, httpRow)
  timedTable("row2", "2. 500-session list page, CPU per call", cpu)
  timedTable("row3", "3. Verifying a session token, key cached, CPU per call", cpu, false, {
    "effect-clerk": "effect-clerk (`TokenVerifier.layerJwtKey`)",
    floor: "floor: jose `jwtVerify` (measured in each line's run)",
    "floor (Effect)": EFFECT_BOUNDARY
  })
  timedTable("row4", `4. Loopback throughput, ${r.concurrency ?? 200} concurrent \`getSession\``, rps, true)
  if (r.row5 && f.row5) {
    const b3 = Object.fromEntries(r.row5.map((x) => [x.id, x]))
    parts.push(
      "#### 5. Worker bundles (the same esbuild settings, gzip -9)",
      "",
      "| Worker | Effect 3 line: raw / gzip | Effect 4 line: raw / gzip | gzip, Effect 4 ÷ Effect 3 | gzip over the line's bare Effect, Effect 3 / Effect 4 | effect-clerk source in it, Effect 3 / Effect 4 | jose in it |",
      "|---|---|---|---|---|---|---|"
    )
    for (const b4 of f.row5) {
      const b = b3[b4.id]
      if (!b) continue
      const over = (x, bare) => (x.id === "bare-effect" ? "–" : signed((x.gzip - bare.gzip) / 1024, "KB"))
      parts.push(
        `| ${b.label.replace(/@effect\/platform/, "its HTTP client")} | ${kb(b.raw)} / ${kb(b.gzip)} | ${kb(b4.raw)} / ${kb(b4.gzip)} | ${
          ratio(b4.gzip, b.gzip)
        } | ${over(b, b3["bare-effect"])} / ${over(b4, f.row5.find((x) => x.id === "bare-effect"))} | ${
          b.ownBytes > 0 ? `${kb(b.ownBytes)} / ${kb(b4.ownBytes)} raw` : "–"
        } | ${b4.joseBytes > 0 ? kb(b4.joseBytes) + " raw" : "none"} |`
      )
    }
    parts.push(
      "",
      `For scale: @clerk/backend's Workers are ${kb(b3["clerk-backend"].gzip)} (getSession) and ${kb(b3["clerk-backend-verify"].gzip)} (+ verifyToken), a Worker with no client ${
        kb(b3.empty.gzip)
      }.`,
      ""
    )
  }
  if (r.row6 && f.row6) {
    const runtimes = Object.keys(r.row6).filter((id) => f.row6[id])
    parts.push(
      `#### 6. Cold start to first response (median of ${r.coldRuns} runs, p25–p75; both lines' bundles interleaved in one loop)`,
      "",
      `| Worker | ${runtimes.map((id) => `${RUNTIME_NAMES[id]}: Effect 3 line | Effect 4 line | ÷`).join(" | ")} |`,
      `|---|${runtimes.map(() => "---|---|---").join("|")}|`
    )
    const cell = (s) => `${ms(s.median)} (${s.p25.toFixed(0)}–${s.p75.toFixed(0)})`
    for (const id of Object.keys(f.row6[runtimes[0]])) {
      const label = (r.row5 ?? []).find((b) => b.id === id)?.label?.replace(/@effect\/platform/, "its HTTP client") ?? id
      parts.push(
        `| ${label} | ${
          runtimes.map((rt) => `${cell(r.row6[rt][id])} | ${cell(f.row6[rt][id])} | ${ratio(f.row6[rt][id].median, r.row6[rt][id].median)}`)
            .join(" | ")
        } |`
      )
    }
    const delta = (row, rt, a) => signed(row[rt][a].median - row[rt]["bare-effect"].median, "ms")
    for (const [id, label] of [["effect-clerk-sessions", "Sessions"], ["effect-clerk-verifier", "Sessions + TokenVerifier"]]) {
      parts.push(
        `| **effect-clerk ${label} − the line's bare Effect** | ${
          runtimes.map((rt) => `${delta(r.row6, rt, id)} | ${delta(f.row6, rt, id)} | `).join(" | ")
        } |`
      )
    }
    parts.push("")
  }
  if (r.row7 && f.row7) {
    const c4 = Object.fromEntries(f.row7.contenders.map((x) => [x.id, x]))
    const counts = (values) => (values.every((v) => v === values[0]) ? String(values[0]) : values.join(", "))
    const t = (x, net) => {
      const v = x[net].ms
      return `${Number.isInteger(v.median) ? v.median : v.median.toFixed(1)} ms (${v.p25}–${v.p75})`
    }
    const names = { none: "effect-clerk, no store", kv: "effect-clerk + `JwksStore.layerKv`", cache: "effect-clerk + `JwksStore.layerCache()`" }
    parts.push(
      `#### 7. Cold isolates in workerd (the row-7 fleet run once per line; ${f.row7.isolates} isolates, ${f.row7.rounds} + ${f.row7.delayedRounds} rounds each)`,
      "",
      `| contender | \`GET /v1/jwks\` per round, Effect 3 / Effect 4 line | all at once, Effect 3 / Effect 4 | first verification, loopback: Effect 3 / Effect 4 | Clerk ${r.row7.delayMs} ms away: Effect 3 / Effect 4 | ÷ (Clerk ${r.row7.delayMs} ms away) |`,
      "|---|---|---|---|---|---|"
    )
    for (const x of r.row7.contenders.filter((x) => names[x.id] && c4[x.id])) {
      const y = c4[x.id]
      parts.push(
        `| ${names[x.id]} | ${counts(x.loopback.jwksRequests)} / ${counts(y.loopback.jwksRequests)} | ${x.burst} / ${y.burst} | ${t(x, "loopback")} / ${
          t(y, "loopback")
        } | ${t(x, "delayed")} / ${t(y, "delayed")} | ${maybeRatio(y.delayed.ms.median, x.delayed.ms.median)} |`
      )
    }
    parts.push(
      "",
      "workerd's clock moves in whole milliseconds; @clerk/backend and jose ran in both fleets too (the Effect 3 line's numbers are row 7's section above).",
      ""
    )
  }
  return parts.join("\n")
}

/** Row 3's second floor: what any Effect verifier pays before it checks anything. */
const EFFECT_BOUNDARY = "the Effect boundary alone: jose `jwtVerify` as `runtime.runPromise(Effect.promise(…))`, no checks"

const timingTable = (row, floorName, overrides = {}) => {
  const theirs = find(row, "@clerk/backend").median
  const floor = find(row, "floor").median
  const names = {
    "effect-clerk": "effect-clerk (`ClerkClient.layerFetch`)",
    "effect-clerk (HttpClient)": "effect-clerk (`ClerkClient.layer` over `FetchHttpClient`)",
    "effect-clerk (traced)": "effect-clerk (`layerFetch`), a tracer installed: operation spans built",
    "effect-clerk (JWKS cached)": "effect-clerk, keys from the JWKS (fetched once, cached)",
    "@clerk/backend": "@clerk/backend",
    floor: floorName,
    platform: "@effect/platform `HttpClient` + `JSON.parse` alone (no effect-clerk)",
    ...overrides
  }
  const lines = [
    "| contender | CPU per call (median of rounds) | spread (rounds) | ÷ @clerk/backend | ÷ floor | wall time per call (median) |",
    "|---|---|---|---|---|---|"
  ]
  for (const c of row) {
    lines.push(
      `| ${names[c.name] ?? c.name} | ${us(c.median)} | ${us(c.low)} – ${us(c.high)} | ${ratio(c.median, theirs)} | ${
        ratio(c.median, floor)
      } | ${c.wallP50 === undefined ? "–" : us(c.wallP50)} |`
    )
  }
  return lines.join("\n")
}

/** Everything measured, contender by contender. */
export const renderDetails = (r) => {
  const m = r.machine
  const parts = [
    "### Machine and versions",
    "",
    `- ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os} (shared with other jobs while measuring)`,
    `- Node ${m.node}; Deno ${m.deno.replace(/^deno /, "")}; Bun ${m.bun}`,
    `- ${Object.entries(m.packages).map(([name, v]) => `${name} ${v}`).join(", ")}`,
    `- ${m.date}, commit ${m.commit}; the full run took ${r.minutes?.toFixed(1) ?? "?"} minutes`,
    ""
  ]
  if (r.row1) {
    parts.push(
      "### 1. `getSession`, CPU per call over an in-memory transport",
      "",
      `Every contender gets the same mocked \`fetch\` (a fresh \`Response\` over the same ${r.sessionBytes}-byte body each call).`,
      "",
      timingTable(r.row1, "floor: mocked `fetch` + `JSON.parse`"),
      ""
    )
  }
  if (r.row2) {
    parts.push(
      "### 2. A 500-session list page (`getSessionList({ userId, limit: 500 })`), CPU per call",
      "",
      `\`{ data: [500 sessions], total_count }\`, ${kb(r.listBytes)}, with the variety of a real page (statuses, nulls, tasks, impersonation actors).`,
      "",
      timingTable(r.row2, "floor: mocked `fetch` + `JSON.parse`"),
      ""
    )
  }
  if (r.row3) {
    parts.push(
      "### 3. Verifying a valid session token, key cached",
      "",
      "RS256, 2048-bit key, Clerk's v2 claims, `authorizedParties` set for both SDKs. effect-clerk: `TokenVerifier.layerJwtKey` (PEM imported once) and `TokenVerifier.layer` (JWKS fetched once through `ClerkClient`, then cached); @clerk/backend: `verifyToken(token, { jwtKey })`; floor: jose `jwtVerify` with a `CryptoKey` imported once.",
      "",
      timingTable(r.row3, "floor: jose `jwtVerify`, key imported once", {
        "effect-clerk": "effect-clerk (`TokenVerifier.layerJwtKey`)",
        "floor (Effect)": EFFECT_BOUNDARY
      }),
      ""
    )
  }
  if (r.row4) {
    const theirs = find(r.row4, "@clerk/backend").median
    const lines = [
      `### 4. Loopback throughput: ${r.concurrency} concurrent \`getSession\`, ${r.total} calls per round`,
      "",
      "A node:http server in its own process answers every request with the same body; every contender goes through the same global `fetch` (undici).",
      "",
      "| contender | median req/s | spread (rounds) | ÷ @clerk/backend |",
      "|---|---|---|---|"
    ]
    const names = {
      "effect-clerk": "effect-clerk (`ClerkClient.layerFetch`)",
      "effect-clerk (HttpClient)": "effect-clerk (`ClerkClient.layer` over `FetchHttpClient`)",
      floor: "floor: `fetch` + `JSON.parse`",
      "floor (bounded)": "floor, bounded: the same with an `AbortSignal` and a 10 s timer per request",
      platform: "@effect/platform `HttpClient` + `JSON.parse` alone (no effect-clerk)"
    }
    for (const c of r.row4) {
      lines.push(
        `| ${names[c.name] ?? c.name} | ${c.median.toFixed(0)} | ${c.low.toFixed(0)} – ${c.high.toFixed(0)} | ${
          ratio(c.median, theirs)
        } |`
      )
    }
    parts.push(...lines, "")
  }
  if (r.row5) {
    const bare = r.row5.find((b) => b.id === "bare-effect")
    const lines = [
      "### 5. Worker bundles (esbuild, minified ESM, `platform: browser`, conditions `workerd, worker, browser`, gzip -9)",
      "",
      "Each Worker answers `GET /{sessionId}` with that session (the verifier ones first verify the request's token). Sources: `bench/workers/`.",
      "",
      "| Worker | raw | gzip | gzip over bare Effect | effect-clerk source in it | jose in it |",
      "|---|---|---|---|---|---|"
    ]
    for (const b of r.row5) {
      lines.push(
        `| ${b.label} | ${kb(b.raw)} | ${kb(b.gzip)} | ${b.id.startsWith("effect-clerk") ? signed((b.gzip - bare.gzip) / 1024, "KB") : "–"} | ${
          b.ownBytes > 0 ? kb(b.ownBytes) + " raw" : "–"
        } | ${b.joseBytes > 0 ? kb(b.joseBytes) + " raw" : "none"} |`
      )
    }
    parts.push(...lines, "")
  }
  if (r.row6) {
    const workerIds = Object.keys(Object.values(r.row6)[0])
    const labels = Object.fromEntries((r.row5 ?? []).map((b) => [b.id, b.label]))
    const lines = [
      `### 6. Cold start: process start to first response (median of ${r.coldRuns} runs, p25–p75)`,
      "",
      "A fresh process imports the row-5 bundle, calls its `fetch` once (which calls a local stand-in for Clerk over loopback) and prints the answer; the time is from spawn to that line. Runtime start-up is in every number: compare within a column.",
      "",
      `| Worker | ${Object.keys(r.row6).map((id) => RUNTIME_NAMES[id]).join(" | ")} |`,
      `|---|${Object.keys(r.row6).map(() => "---").join("|")}|`
    ]
    for (const id of workerIds) {
      lines.push(
        `| ${labels[id] ?? id} | ${
          Object.values(r.row6).map((byWorker) => {
            const s = byWorker[id]
            return `${ms(s.median)} (${s.p25.toFixed(0)}–${s.p75.toFixed(0)})`
          }).join(" | ")
        } |`
      )
    }
    const delta = (a, b) =>
      Object.values(r.row6).map((byWorker) => signed(byWorker[a].median - byWorker[b].median, "ms")).join(" | ")
    lines.push(
      `| **effect-clerk Sessions − bare Effect** | ${delta("effect-clerk-sessions", "bare-effect")} |`,
      `| **effect-clerk + TokenVerifier − bare Effect** | ${delta("effect-clerk-verifier", "bare-effect")} |`,
      `| effect-clerk Sessions − @clerk/backend | ${delta("effect-clerk-sessions", "clerk-backend")} |`
    )
    parts.push(...lines, "")
  }
  return parts.join("\n")
}

/** Row 9's section of the details: both lines side by side (each line's numbers from its own process). */
export const renderScaleDetails = (r) => {
  const shown = [["Effect 3 line", scaleOf(r.row9)], ["Effect 4 line", scaleOf(r.effect4?.row9)]].filter(([, x]) => x !== undefined)
  if (shown.length === 0) return ""
  const first = shown[0][1]
  const row9 = first.row9
  const measured = row9.measured
  const { small, large } = first
  const page = row9.listAll.pageSize
  const lines = [
    "",
    `### 9. Scale: \`listAll\` over ${count(small)} and ${count(large)} sessions, 1 to ${first.most} keys in the JWKS, ${count(first.calls)} concurrent calls`,
    "",
    `**\`listAll\`.** A node:http server in its own process (\`bench/server.mjs --pages\`) answers \`GET /v1/sessions?user_id=…&limit=…&offset=…&paginated=true\` as Clerk does, \`{ data, total_count }\`, from ${
      count(large)
    } sessions built as row 2's page is (\`bench/fixtures.ts\`; one user with ${count(small)} of them, one with ${
      count(large)
    }). effect-clerk: \`Sessions.listAll({ userId })\` over \`ClerkClient.layerFetch\` (pages of ${page}, its default), drained with \`Stream.runForEach\` counting; @clerk/backend: \`getSessionList({ userId, limit: ${page}, offset })\` by hand until a short page or the total, counting each page's sessions. Time per session is this process's CPU time (user + system; the server's is not in it) and the wall time of the whole walk, divided by the sessions; median of ${row9.rounds} rounds, both sizes and contenders interleaved, after one warm-up walk each. Peak RSS is \`process.memoryUsage().rss\` sampled every 2 ms and every page, minus the RSS before the walk, each walk in a fresh process (after one unmeasured ${page}-session page, so loading and compiling the code is not in it), median of ${
      row9.listAll.memoryRuns
    } process${row9.listAll.memoryRuns === 1 ? "" : "es"} per cell: if \`listAll\` held every session, the ${count(large)} walk's peak would be about ${large / small}× the ${count(small)} walk's; bounded by a page, it is about the same. "Flat" means the two sizes' per-session rounds overlap.`,
    "",
    `| | ${shown.map(([name]) => `${name}: CPU per session | wall per session | peak RSS above start`).join(" | ")} |`,
    `|---|${shown.map(() => "---|---|---").join("|")}|`
  ]
  const perSession = (s) => `${us(s.median)} (${us(s.low)} – ${us(s.high)})`
  const rssCell = (s) => `+${mb(s.median)} (${mb(s.low)} – ${mb(s.high)})`
  const names = { "effect-clerk": "effect-clerk `listAll`", "@clerk/backend": "@clerk/backend, paged by hand" }
  for (const name of ["effect-clerk", "@clerk/backend"]) {
    for (const size of ["small", "large"]) {
      lines.push(
        `| ${names[name]}, ${count(first[size])} sessions | ${
          shown.map(([, x]) => {
            const c = x.list[name][size]
            return `${perSession(c.cpuPerSession)} | ${us(c.wallPerSession.median)} | ${rssCell(c.peakRss)}`
          }).join(" | ")
        } |`
      )
    }
    lines.push(
      `| **${names[name]}: ${count(large)} ÷ ${count(small)}** | ${
        shown.map(([, x]) => {
          const c = x.list[name]
          return `**${ratio(c.large.cpuPerSession.median, c.small.cpuPerSession.median)}** (${c.flat ? "flat" : "not flat"}) | ${
            ratio(c.large.wallPerSession.median, c.small.wallPerSession.median)
          } | **${ratio(c.large.peakRss.median, c.small.peakRss.median)}** (${c.bounded ? `bounded, ≤ ${RSS_BOUND}×` : "grows"})`
        }).join(" | ")
      } |`
    )
  }
  lines.push(
    `| effect-clerk ÷ @clerk/backend, ${count(large)} sessions | ${
      shown.map(([, x]) => {
        const o = x.list["effect-clerk"].large
        const t = x.list["@clerk/backend"].large
        return `${ratio(o.cpuPerSession.median, t.cpuPerSession.median)} | ${ratio(o.wallPerSession.median, t.wallPerSession.median)} | ${
          ratio(o.peakRss.median, t.peakRss.median)
        }`
      }).join(" | ")
    } |`,
    "",
    `**Keys in the JWKS.** Row 3's token and claims; the JWKS holds 1, 10 or ${first.most} RSA-2048 keys, the token's own the last (the others are real keys, generated once per machine and kept in \`node_modules/.cache/effect-clerk-bench-keys\`). effect-clerk: \`TokenVerifier.layer({ authorizedParties })\` over \`ClerkClient.layerFetch\` with an in-memory fetch serving the JWKS (fetched once, checked; then cached); jose: \`jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ["RS256"] })\`. Row 3's sampler, CPU per call, ${row9.rounds} rounds of ${row9.budgetMs} ms.`,
    "",
    `| keys in the JWKS | ${shown.map(([name]) => `${name}: effect-clerk | jose | ÷ jose`).join(" | ")} |`,
    `|---|${shown.map(() => "---|---|---").join("|")}|`
  )
  for (const n of row9.keys.counts) {
    lines.push(
      `| ${n} | ${
        shown.map(([, x]) => `${perSession(x.keys[n].ours)} | ${perSession(x.keys[n].jose)} | ${ratio(x.keys[n].ours.median, x.keys[n].jose.median)}`)
          .join(" | ")
      } |`
    )
  }
  lines.push(
    `| **${first.most} keys ÷ ${first.fewest}** | ${
      shown.map(([, x]) =>
        `**${ratio(x.keys[x.most].ours.median, x.keys[x.fewest].ours.median)}** | ${ratio(x.keys[x.most].jose.median, x.keys[x.fewest].jose.median)} | –`
      ).join(" | ")
    } |`,
    "",
    `**${count(first.calls)} concurrent calls in one isolate.** Each round builds fresh instances (not timed), then starts ${
      count(first.calls)
    } calls at once (${count(first.calls)} \`runPromise\`s, or jose promises, under one \`Promise.all\`) and times them to the last; median of ${row9.rounds} rounds after one unmeasured, the four interleaved. \`verify\`: a new \`TokenVerifier.layer\` whose first fetch of the one-key JWKS is answered by an in-memory fetch after ${row9.concurrent.jwksDelayMs} ms (a round trip), the fetches counted; jose: a new \`createRemoteJWKSet\` over the same fetch (\`[customFetch]\`). \`getSession\`: \`ClerkClient.layerFetch({ rateLimit: { limit: ${first.calls} } })\` over \`RateLimiter.layerMemory\` (a budget of ${count(first.calls)} per 11 s, so every call takes a slot and none waits) against the same client without \`rateLimit\`, a mocked fetch answering row 1's session. Before timing, the limiter is checked to be in the path: with \`onLimit: "fail"\`, ${
      count(first.calls + 1)
    } concurrent calls send ${count(first.calls)} and refuse one. Measured ${measured?.date ?? "?"}, commit ${measured?.commit ?? "?"}, Node ${
      measured?.node ?? "?"
    }.`,
    "",
    `| ${count(first.calls)} concurrent | ${shown.map(([name]) => `${name}: wall (lowest – highest round) | completed | fetches`).join(" | ")} |`,
    `|---|${shown.map(() => "---|---|---").join("|")}|`
  )
  const burstNames = [
    ["verify", "effect-clerk `verify`, cold `TokenVerifier.layer`", "JWKS fetch"],
    ["jose", "jose `jwtVerify`, cold `createRemoteJWKSet`", "JWKS fetch"],
    ["limited", "effect-clerk `getSession`, `rateLimit` over `RateLimiter.layerMemory`", "fetch"],
    ["unlimited", "effect-clerk `getSession`, no rate limit", "fetch"]
  ]
  for (const [key, label, what] of burstNames) {
    lines.push(
      `| ${label} | ${
        shown.map(([, x]) => {
          const b = x[key]
          return `${msOf(b.ms)} (${b.ms.low.toFixed(1)} – ${b.ms.high.toFixed(1)}) | ${completedOf(b, x.calls)} | ${fetchesOf(b, what)}`
        }).join(" | ")
      } |`
    )
  }
  lines.push(
    `| **the rate limit's cost, ${count(first.calls)} calls** | ${
      shown.map(([, x]) => `**+${(x.limited.ms.median - x.unlimited.ms.median).toFixed(1)} ms** (${ratio(x.limited.ms.median, x.unlimited.ms.median)}) | – | –`)
        .join(" | ")
    } |`,
    "",
    "Lower is lighter. Spread: lowest – highest round.",
    ""
  )
  return lines.join("\n")
}
