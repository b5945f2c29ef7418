/**
 * Class instances built from parts the SDK has already checked, skipping the constructor's
 * validation: `Kernel.TRUSTED` is the constructor argument that says so on each line.
 */
import { TRUSTED } from "#line/Kernel"

/** A class instance (or tagged error) from props that are already the right types, unvalidated. */
export const makeUnchecked = <C extends new(props: any, options?: any) => any>(
  Class: C,
  props: ConstructorParameters<C>[0]
): InstanceType<C> => new Class(props, TRUSTED)
