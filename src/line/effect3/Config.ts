/**
 * The Effect 3 side of `#line/Config`: configuration variables checked when read, whose
 * failure names the variable and never quotes its value (same exports as
 * `src/line/effect4/Config.ts`).
 */
import * as Config from "effect/Config"
import * as ConfigError_ from "effect/ConfigError"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"

/** A configuration failure (`layerConfig`'s error). */
export type ConfigError = ConfigError_.ConfigError

/** The string variable `name`; a value for which `problem` gives a message is refused with it. */
export const checkedString = (name: string, problem: (value: string) => string | undefined): Config.Config<string> =>
  // mapOrFail on the variable's own config: only there does the provider add its name to the path.
  Config.string(name).pipe(Config.mapOrFail((value) => {
    const message = problem(value)
    return message === undefined ? Either.right(value) : Either.left(ConfigError_.InvalidData([], message))
  }))

/** `checkedString`, where a missing variable is `None`. */
export const checkedOptionalString = (
  name: string,
  problem: (value: string) => string | undefined
): Config.Config<Option.Option<string>> => Config.option(checkedString(name, problem))

/** The string variable `name`, or `None` when it is not set. */
export const optionalString = (name: string): Config.Config<Option.Option<string>> => Config.option(Config.string(name))

/** A failure naming the variable or option `name`. */
export const invalidConfig = (name: string, message: string): ConfigError => ConfigError_.InvalidData([name], message)

/** A record of options whose fields may each be a `Config` (or the whole a `Config`): Effect's `Config.Wrap`. */
export type Wrap<A> = Config.Config.Wrap<A>
