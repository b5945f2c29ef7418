/** The example Worker of the Effect 3 line (examples/effect3/worker), for the workerd suite (test/workers). */
export { type Env, handlerFor, runtimesBuilt } from "../../../examples/effect3/worker/runtime.js"
