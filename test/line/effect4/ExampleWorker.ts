/** The example Workers of the Effect 4 line (examples/effect4/worker, and examples/effect4/httpapi-worker.ts), for the workerd suite (test/workers). */
export { type Env, handlerFor, runtimesBuilt } from "../../../examples/effect4/worker/runtime.js"
export { default as httpApiWorker } from "../../../examples/effect4/httpapi-worker.js"
