/** The example Worker of the Effect 4 line (examples/effect4/worker), for the workerd suite (test/workers). */
export { type Env, handlerFor, runtimesBuilt } from "../../../examples/effect4/worker/runtime.js"
