/** No client at all: the runtime's own start-up, for scale. */
import { answer } from "./shared.js"

export default {
  async fetch(): Promise<Response> {
    return answer({ id: "none", status: "none" })
  }
}
