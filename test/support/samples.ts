/** The real bodies in test/fixtures/clerk/sample-responses.json. */
import samples from "../fixtures/clerk/sample-responses.json" with { type: "json" }

type Samples = typeof samples
export const sample = <K extends Exclude<keyof Samples, "_readme">>(key: K): Samples[K]["body"] => samples[key].body
export { samples }
