import { createHash } from 'node:crypto';
import type { SqlDialect } from '../../etl/engine/engine';
import type { SplitPercentages } from '../config';
import { badInput } from '../errors';

/**
 * Training splits assign whole customers: bucket = first 8 hex digits of
 * md5(`${seed}:${serialNumber}`) mod 100, the same number in SQL (through the
 * engine's dialect) and in JS. TRAIN takes buckets [0, train), VALIDATION the
 * next `validation`, TEST the rest; a customer is in exactly one split.
 */
export const SPLITS = ['TRAIN', 'VALIDATION', 'TEST'] as const;
export type SplitName = (typeof SPLITS)[number];
export const DEFAULT_SPLIT_SEED = 'stedi';
const MAX_SEED_LENGTH = 200;

/** The seed of `split`; a seed without a split is refused: it would silently return every split's rows. */
export function checkSplitSeed(seed: string | null | undefined, split: string | null | undefined): string {
  if (seed === null || seed === undefined) return DEFAULT_SPLIT_SEED;
  // Characters as the argument check counts them (class-validator's Length): code points, an emoji is one.
  const length = [...seed].length;
  if (length === 0 || length > MAX_SEED_LENGTH) {
    throw badInput(`splitSeed must be 1 to ${MAX_SEED_LENGTH} characters; received ${length} characters`);
  }
  if (split === null || split === undefined) {
    throw badInput(`splitSeed only applies to a split: add split (${SPLITS.join(', ')}), or drop splitSeed to get every split's rows`);
  }
  return seed;
}

export function checkSplit(split: unknown): SplitName | undefined {
  if (split === null || split === undefined) return undefined;
  if (typeof split === 'string' && (SPLITS as readonly string[]).includes(split)) return split as SplitName;
  throw badInput(`split must be one of ${SPLITS.join(', ')}; received ${JSON.stringify(split)}`);
}

/** Buckets [low, high) of a split. */
export function bucketRange(split: SplitName, p: SplitPercentages): [number, number] {
  switch (split) {
    case 'TRAIN':
      return [0, p.train];
    case 'VALIDATION':
      return [p.train, p.train + p.validation];
    case 'TEST':
      return [p.train + p.validation, 100];
  }
}

/** The SQL condition keeping the rows of `split`; the seed is a bound parameter. */
export function splitCondition(dialect: SqlDialect, serialExpr: string, split: SplitName, seed: string, p: SplitPercentages): { sql: string; params: string[] } {
  const [low, high] = bucketRange(split, p);
  if (high <= low) return { sql: 'FALSE', params: [] };
  // low and high are whole numbers from the configuration, never from the request.
  return { sql: `${dialect.bucket100(`? || ${serialExpr}`)} BETWEEN ${low} AND ${high - 1}`, params: [`${seed}:`] };
}

/** The same assignment in JS. */
export function bucketOf(seed: string, serialNumber: string): number {
  return parseInt(createHash('md5').update(`${seed}:${serialNumber}`).digest('hex').slice(0, 8), 16) % 100;
}

export function splitOf(seed: string, serialNumber: string, p: SplitPercentages): SplitName {
  const bucket = bucketOf(seed, serialNumber);
  return SPLITS.find((s) => {
    const [low, high] = bucketRange(s, p);
    return bucket >= low && bucket < high;
  })!;
}
