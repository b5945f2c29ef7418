/**
 * The commands `npm start` prints, as data: each is a list of HTTP requests that
 * {@link renderCommand} prints as curl lines and {@link runCommands} sends with `fetch`
 * (what the tests do), so the printed text and the tested exchanges cannot drift apart.
 */

/**
 * One HTTP request of a printed command. Header values and JSON string values may be
 * `$TOKEN`: the shell variable an earlier request with `saveToken` set.
 */
export interface DemoRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Sent as JSON (`Content-Type: application/json`). */
  readonly body?: Readonly<Record<string, unknown>> | undefined
  /** Keep the answer's JWT in `$TOKEN` (printed as `TOKEN=$(curl … | grep -o …)`) instead of printing it. */
  readonly saveToken?: boolean | undefined
  /** Print ` HTTP <status>` after the body. */
  readonly showStatus?: boolean | undefined
}

/**
 * One thing to try: a title and the requests it makes, in order.
 */
export interface DemoCommand {
  readonly title: string
  readonly requests: ReadonlyArray<DemoRequest>
}

/** The shell variable requests may name. */
const TOKEN_VARIABLE = "$TOKEN"

/** A JWT in a JSON answer: base64url segments and dots, so no quote or backslash to escape. */
const JWT_PATTERN = "eyJ[A-Za-z0-9_.-]*"

/** A double-quoted shell word: `$TOKEN` still expands, nothing else does. */
const doubleQuoted = (text: string) => `"${text.replace(/[\\"`]/g, (c) => `\\${c}`).replace(/\$(?!TOKEN\b)/g, "\\$")}"`

/** A URL as one shell word (quoted only when it holds characters the shell would read). */
const urlWord = (url: string) => (/[^A-Za-z0-9_./:%=@-]/.test(url) ? doubleQuoted(url) : url)

/**
 * The curl line for one request.
 */
export const renderRequest = (request: DemoRequest): string => {
  const parts = request.saveToken ? ["curl -s"] : [`curl -s -w ${request.showStatus ? `" HTTP %{http_code}\\n"` : `"\\n"`}`]
  if (request.method !== "GET") parts.push(`-X ${request.method}`)
  for (const [name, value] of Object.entries(request.headers ?? {})) parts.push(`-H ${doubleQuoted(`${name}: ${value}`)}`)
  if (request.body !== undefined) {
    parts.push(`-H "Content-Type: application/json"`, `-d ${doubleQuoted(JSON.stringify(request.body))}`)
  }
  parts.push(urlWord(request.url))
  const line = parts.join(" ")
  return request.saveToken ? `TOKEN=$(${line} | grep -o '${JWT_PATTERN}')` : line
}

/**
 * A command's shell lines, one per request, to paste in order.
 */
export const renderCommand = (command: DemoCommand): string => command.requests.map(renderRequest).join("\n")

/**
 * Commands as the demo prints them: `# <prefix><n>. <title>`, then the lines, then a blank line.
 */
export const renderCommands = (commands: ReadonlyArray<DemoCommand>, prefix = ""): ReadonlyArray<string> =>
  commands.flatMap((command, i) => [`# ${prefix}${i + 1}. ${command.title}`, renderCommand(command), ""])

/**
 * What one request answered: its status and body text (for `saveToken`, the saved JWT).
 */
export interface DemoExchange {
  readonly request: DemoRequest
  readonly status: number
  readonly body: string
}

/**
 * Send every request of `commands` in order with `fetchImpl` (default: the global `fetch`),
 * as the printed lines would in one shell: `$TOKEN` is what the last `saveToken` kept
 * (empty before that, as in a fresh shell). One array of exchanges per command.
 */
export const runCommands = async (
  commands: ReadonlyArray<DemoCommand>,
  fetchImpl: typeof globalThis.fetch = globalThis.fetch,
  initialToken = ""
): Promise<ReadonlyArray<ReadonlyArray<DemoExchange>>> => {
  let token = initialToken
  const expand = (value: string) => value.split(TOKEN_VARIABLE).join(token)
  const expandJson = (value: unknown): unknown =>
    typeof value === "string"
      ? expand(value)
      : Array.isArray(value)
      ? value.map(expandJson)
      : typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJson(v)]))
      : value
  const results: Array<ReadonlyArray<DemoExchange>> = []
  for (const command of commands) {
    const exchanges: Array<DemoExchange> = []
    for (const request of command.requests) {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = expand(value)
      if (request.body !== undefined) headers["content-type"] = "application/json"
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(expandJson(request.body)) } : {})
      })
      const text = await response.text()
      if (request.saveToken) {
        // grep -o keeps every match; an answer holds one JWT.
        token = text.match(new RegExp(JWT_PATTERN, "g"))?.join("\n") ?? ""
        exchanges.push({ request, status: response.status, body: token })
      } else {
        exchanges.push({ request, status: response.status, body: text })
      }
    }
    results.push(exchanges)
  }
  return results
}
