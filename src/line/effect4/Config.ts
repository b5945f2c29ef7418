/**
 * The Effect 4 side of `#line/Config`: configuration variables checked when read, whose
 * failure names the variable and never quotes its value (same exports as
 * `src/line/effect3/Config.ts`).
 */
import * as Config from "effect/Config"
import { SourceError } from "effect/ConfigProvider"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A configuration failure (`layerConfig`'s error). */
export type ConfigError = Config.ConfigError

/** The string variable `name`; a value for which `problem` gives a message is refused with it. */
export const checkedString = (name: string, problem: (value: string) => string | undefined): Config.Config<string> =>
  // The filter's own message only: Schema's default one would quote the value (the key).
  Config.schema(Schema.String.check(Schema.makeFilter((value: string) => problem(value))), name)

/** `checkedString`, where a missing variable is `None`. */
export const checkedOptionalString = (
  name: string,
  problem: (value: string) => string | undefined
): Config.Config<Option.Option<string>> => Config.option(checkedString(name, problem))

/** The string variable `name`, or `None` when it is not set. */
export const optionalString = (name: string): Config.Config<Option.Option<string>> => Config.option(Config.String(name))

/** A failure naming the variable or option `name`. */
export const invalidConfig = (name: string, message: string): ConfigError =>
  new Config.ConfigError(new SourceError({ message: `${message} at ["${name}"]` }))

/** A record of options whose fields may each be a `Config` (or the whole a `Config`): Effect's `Config.Wrap`. */
export type Wrap<A> = Config.Wrap<A>
