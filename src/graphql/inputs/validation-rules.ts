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
