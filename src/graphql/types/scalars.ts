import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';

/**
 * Epoch milliseconds do not fit GraphQL's 32-bit Int; SafeInt carries any
 * integer up to 2^53 - 1 exactly. DateTime serializes a Date as ISO-8601.
 */
export const SafeInt = SafeIntResolver;
export const DateTime = DateTimeResolver;

/** The ISO twin of an epoch-millisecond field (null stays null). */
export const isoOf = (epochMs: number | null): Date | null => (epochMs === null ? null : new Date(epochMs));
