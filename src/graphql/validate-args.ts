import type { ValidationError, ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';
import { getMetadataStorage, validateOrReject } from './inputs/validation-rules';

/**
 * type-graphql's own argument validation (class-validator, missing properties
 * skipped, unknown values allowed), with class-validator loaded once: the
 * built-in path calls `require("class-validator")` for every argument of every request.
 */
const OPTIONS: ValidatorOptions = { forbidUnknownValues: false, skipMissingProperties: true };
const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Argument classes with no class-validator rule, on them or inherited (such as a nested
 * field's `first`/`after`): class-validator would find nothing to check, after a search of
 * every class's rules and a promise per call; a nested page of 100 customers called it 100
 * times per request. Rules are declared when the classes load, before any request.
 */
const withoutRules = new WeakMap<object, boolean>();
function hasNoRules(value: object): boolean {
  const type = value.constructor;
  if (typeof type !== 'function' || type === Object) return false;
  let none = withoutRules.get(type);
  if (none === undefined) withoutRules.set(type, (none = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length === 0));
  return none;
}

export const validateArgs: ValidatorFn = async (value) => {
  if (!isObject(value)) return;
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(isObject).map((item) => validateOrReject(item, OPTIONS)));
    else if (!hasNoRules(value)) await validateOrReject(value, OPTIONS);
  } catch (error) {
    throw new ArgumentValidationError(error as ValidationError[]);
  }
};
