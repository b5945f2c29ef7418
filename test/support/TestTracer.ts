/**
 * A recording Tracer and Logger for tests: every span (name, attributes, events, exit) and
 * every log line, so a test can assert what the SDK emits and that no secret is in it.
 */
import { isEmptyCause, loggerLayer, prettyCause, type SpanBody, tracerLayer } from "#test-line/Testing"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"

export interface RecordedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ name: string; attributes: Record<string, unknown> | undefined }>
  exit: Exit.Exit<unknown, unknown> | undefined
  readonly parent: string | undefined
}

export const makeRecorder = () => {
  const spans: Array<RecordedSpan> = []
  const logs: Array<string> = []
  let ids = 0
  const tracerLayer_ = tracerLayer(({ kind, links, name, parent, startTime }) => {
    const record: RecordedSpan = {
      name,
      attributes: new Map(),
      events: [],
      exit: undefined,
      parent: Option.isSome(parent) && parent.value._tag === "Span" ? parent.value.name : undefined
    }
    spans.push(record)
    const spanId = String(++ids)
    let status: Tracer.SpanStatus = { _tag: "Started", startTime }
    const span: SpanBody = {
      _tag: "Span",
      name,
      spanId,
      traceId: "trace",
      parent,
      get status() {
        return status
      },
      attributes: record.attributes,
      links: [...links],
      sampled: true,
      kind,
      end(endTime, exit) {
        status = { _tag: "Ended", startTime, endTime, exit }
        record.exit = exit
      },
      attribute(key, value) {
        record.attributes.set(key, value)
      },
      event(eventName, _time, attributes) {
        record.events.push({ name: eventName, attributes })
      },
      addLinks() {}
    }
    return span
  })
  const logger = loggerLayer(({ annotations, cause, message, spans: logSpans }) => {
    logs.push(
      JSON.stringify({
        message: Array.isArray(message) ? message.map(String) : String(message),
        annotations,
        spans: logSpans,
        cause: isEmptyCause(cause) ? undefined : prettyCause(cause)
      })
    )
  })
  const layer = Layer.mergeAll(tracerLayer_, logger)
  /** Everything an exporter would see (attributes, events, failures) and every log line, as one string. */
  const dump = () =>
    JSON.stringify({
      spans: spans.map((s) => ({
        name: s.name,
        attributes: [...s.attributes].map(([k, v]) => [k, String(v), safeJson(v)]),
        events: s.events.map((e) => [e.name, safeJson(e.attributes)]),
        // What a tracing exporter records: the failure (success values are not exported).
        exit: s.exit === undefined || Exit.isSuccess(s.exit)
          ? undefined
          : prettyCause(s.exit.cause)
      })),
      logs
    })
  return { spans, logs, layer, dump }
}

const safeJson = (v: unknown) => {
  try {
    return JSON.stringify(v)
  } catch {
    return String(v)
  }
}
