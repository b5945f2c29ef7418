/**
 * The workerd suite on the Effect 4 line (`effect4-workerd`): the same test files as
 * vitest.workers.config.ts (test/workers/*.test.ts, the example Worker as `SELF`, and the HTTP
 * middleware suites of test/http), inside a
 * real workerd with real KV, Cache API and Durable Objects, with `effect` resolved to
 * lines/effect4's effect 4.1.5 and `#line/*` / `#test-line/*` to their effect4 sides.
 *
 * Why the root's vitest 3 + @cloudflare/vitest-pool-workers 0.12 and not the Effect 4 line's
 * vitest 5: no pool-workers release supports vitest 5 (0.12 takes vitest 3 only, 0.23 vitest 4
 * only). The pool does not care which `effect` the modules import: it runs whatever vite
 * resolves, so a resolver plugin (see `effect4Line` in vitest.workers.config.ts) is all it
 * takes. The test files import only plain `vitest` and `effect`, never @effect/vitest (0.30 is
 * effect 3 code): `test/workers/effect.ts` is the tiny adapter they use instead. The other
 * way, miniflare driving a Worker bundled from the effect4 build, would need a second test
 * harness (its own globalSetup, bindings, and a way to run test bodies inside the Worker);
 * the pool gives the same workerd, bindings and `cloudflare:test` to both lines.
 *
 *   node node_modules/vitest/vitest.mjs run --config vitest.workers.effect4.config.ts
 */
import { workersConfig } from "./vitest.workers.config.js"

export default workersConfig("effect4")
