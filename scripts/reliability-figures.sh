#!/usr/bin/env bash
# RELIABILITY.md's figures: test/reliability on Node 20, Node 24, Deno and Bun, one after
# another; per runtime the wall time, each file's time (from vitest's JSON report), the
# soak's report and the load average. Run it on an otherwise idle machine:
#
#   bash scripts/reliability-figures.sh
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
run() {
  name=$1; shift
  start=$(date +%s.%N)
  "$@" run test/reliability --reporter=default --reporter=json --outputFile.json="$out/$name.json" > "$out/$name.log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  echo "== $name rc=$rc wall=$(node -e "console.log(($end - $start).toFixed(1))") s"
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))
    const files = r.testResults.map((f) => `${f.name.replace(/.*test\/reliability\//, "")} ${((f.endTime - f.startTime) / 1000).toFixed(1)} s`)
    console.log(`passed ${r.numPassedTests}, failed ${r.numFailedTests}: ${files.join(", ")}`)
  ' "$out/$name.json"
  grep -A4 "^soak (" "$out/$name.log" | head -5
  uptime
}
run node20 node node_modules/vitest/vitest.mjs
run node24 runtimes/node24/node_modules/node/bin/node node_modules/vitest/vitest.mjs
run deno node_modules/.bin/deno run -A node_modules/vitest/vitest.mjs
BUN_CONFIG_MAX_HTTP_REQUESTS=1024 run bun node_modules/.bin/bun --bun node_modules/vitest/vitest.mjs
rm -rf "$out"
