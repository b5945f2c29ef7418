/** The example Workers of the Effect 3 line (examples/effect3/worker, and examples/effect3/httpapi-worker.ts), for the workerd suite (test/workers). */
export { type Env, handlerFor, runtimesBuilt } from "../../../examples/effect3/worker/runtime.js"
export { default as httpApiWorker } from "../../../examples/effect3/httpapi-worker.js"
