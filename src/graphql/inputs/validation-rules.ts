import type * as ClassValidator from 'class-validator';

/**
 * The class-validator rules the argument classes use, and its validator, each
 * loaded from its own module: the package's index loads every rule it has,
 * IsPhoneNumber with libphonenumber-js's full metadata among them, ~3 MiB of
 * heap in every server process for rules never used. Same functions, same
 * metadata storage (class-validator keeps it global).
 */
type Api = typeof ClassValidator;
const load = <K extends keyof Api>(path: string): Pick<Api, K> => require(`class-validator/cjs/${path}`) as Pick<Api, K>;

export const { IsOptional } = load<'IsOptional'>('decorator/common/IsOptional');
export const { ValidateNested } = load<'ValidateNested'>('decorator/common/ValidateNested');
export const { Length } = load<'Length'>('decorator/string/Length');
export const { getMetadataStorage } = load<'getMetadataStorage'>('metadata/MetadataStorage');
const { Validator } = load<'Validator'>('validation/Validator');
const { getFromContainer } = load<'getFromContainer'>('container');

/** class-validator's `validateOrReject(object, options)`. */
export const validateOrReject = (object: object, options: ClassValidator.ValidatorOptions): Promise<void> => getFromContainer(Validator).validateOrReject(object, options);

/**
 * A text argument of 1 to 200 characters, counted as split.ts and the customer resolver count them (code points), and
 * said as they say it: with the length received, so an empty string sent by mistake is seen as one.
 */
export const TextOf1To200 = (name: string): PropertyDecorator =>
  Length(1, 200, { message: ({ value }: ClassValidator.ValidationArguments) => `${name} must be 1 to 200 characters; received ${[...String(value)].length} characters` });
