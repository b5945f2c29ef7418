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
    lines.push(
      `| 3. verify a session token, key cached | ${us(ours)} | ${us(theirs)} | ${us(floor)} (jose \`jwtVerify\`) | ${
        ratio(ours, theirs)
      } (${ratio(ours, floor)} jose) | faster than @clerk/backend: ${mark(ours < theirs)}; ≤ 1.1× jose: ${
        mark(ours / floor <= 1.1)
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
  const platform1 = find(r.row1, "platform")
  const platform4 = find(r.row4, "platform")
  const http1 = find(r.row1, "effect-clerk (HttpClient)")
  const traced1 = find(r.row1, "effect-clerk (traced)")
  if (platform1 && platform4 && http1 && traced1) {
    lines.push(
      "",
      `effect-clerk's numbers are \`ClerkClient.layerFetch\`, which sends with \`fetch\` directly (the choice for ` +
        `Workers). Through the application's \`HttpClient\` (\`ClerkClient.layer\`) a \`getSession\` costs ` +
        `${us(http1.median)}: one GET through @effect/platform's \`HttpClient\` alone (no effect-clerk) is ` +
        `${us(platform1.median)} and ${platform4.median.toFixed(0)} req/s over loopback. With a tracer installed ` +
        `(OpenTelemetry, say) the operation spans add ${us(traced1.median - find(r.row1, "effect-clerk").median)} ` +
        `per call (${us(traced1.median)}); under Effect's default tracer they are not built.`
    )
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
    } + @effect/platform). For rows 1–3 and 8 lower is lighter; row 4 is throughput (higher is better).`,
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
  const timedTable = (key, title, fmt, higherIsBetter = false, overrides = {}) => {
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
    parts.push("", higherIsBetter ? "Requests per second: higher is better." : "CPU per call: lower is lighter. Spread: lowest – highest round.", "")
  }
  const cpu = (c) => `${us(c.median)} (${us(c.low)} – ${us(c.high)})`
  const rps = (c) => `${c.median.toFixed(0)} (${c.low.toFixed(0)} – ${c.high.toFixed(0)})`
  timedTable("row1", "1. `getSession`, CPU per call, in-memory transport", cpu)
  timedTable("row2", "2. 500-session list page, CPU per call", cpu)
  timedTable("row3", "3. Verifying a session token, key cached, CPU per call", cpu, false, {
    "effect-clerk": "effect-clerk (`TokenVerifier.layerJwtKey`)",
    floor: "floor: jose `jwtVerify` (measured in each line's run)"
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
        "effect-clerk": "effect-clerk (`TokenVerifier.layerJwtKey`)"
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
