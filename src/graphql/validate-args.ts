import { type ValidationError, type ValidatorOptions, validateOrReject } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

/**
 * type-graphql's own argument validation (class-validator, missing properties
 * skipped, unknown values allowed), with class-validator loaded once: the
 * built-in path calls `require("class-validator")` for every argument of every request.
 */
const OPTIONS: ValidatorOptions = { forbidUnknownValues: false, skipMissingProperties: true };
const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

export const validateArgs: ValidatorFn = async (value) => {
  if (!isObject(value)) return;
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(isObject).map((item) => validateOrReject(item, OPTIONS)));
    else await validateOrReject(value, OPTIONS);
  } catch (error) {
    throw new ArgumentValidationError(error as ValidationError[]);
  }
};
