import { GraphQLError, GraphQLScalarType, Kind, print } from 'graphql';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { isoText, MAX_TIME_MS } from './iso-text';

/**
 * Epoch milliseconds do not fit GraphQL's 32-bit Int; SafeInt carries any
 * integer up to 2^53 - 1 exactly. DateTime serializes a Date as ISO-8601.
 * graphql-scalars' SafeInt, but for a string given where it takes one (every SafeInt argument is a time filter):
 * its "cannot represent non-integer value: 1655564000000" hid the quotes that were the mistake.
 */
const STRING_ADVICE = 'send epoch milliseconds as a number, without quotes (such as 1655564000000)';
export const SafeInt = new GraphQLScalarType({
  ...SafeIntResolver.toConfig(),
  parseValue(value: unknown): number {
    if (typeof value === 'string') throw new GraphQLError(`SafeInt cannot represent a string: ${STRING_ADVICE}`);
    return SafeIntResolver.parseValue(value) as number;
  },
  parseLiteral(node, variables): number {
    if (node.kind === Kind.STRING) throw new GraphQLError(`SafeInt cannot represent a string: ${print(node)}; ${STRING_ADVICE}`, { nodes: node });
    return SafeIntResolver.parseLiteral(node, variables) as number;
  },
});

/**
 * graphql-scalars' DateTime (same name, description, input rules and checks),
 * serialized to its ISO text at once instead of as a Date: JSON.stringify then
 * writes a string where it would call each Date's toJSON from C++ (twice the
 * time of a page of training rows with sensorReadingTimeIso). Same JSON.
 * Epoch milliseconds (what the row types' ISO fields return: no Date per row)
 * and Dates are written by isoText.
 */
export const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value: unknown): string {
    const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : (DateTimeResolver.serialize(value) as Date).getTime();
    // graphql-scalars lets a number that is no time through as an invalid Date (JSON null on a non-null field): refused here.
    if (!(Math.abs(ms) <= MAX_TIME_MS)) throw new GraphQLError('DateTime cannot represent an invalid Date instance');
    return isoText(ms);
  },
});

/** The ISO twin of an epoch-millisecond field (null stays null): the number itself, which DateTime writes (a Date would hold no time past year 275760). */
export const isoOf = (epochMs: number | null): number | null => epochMs;
