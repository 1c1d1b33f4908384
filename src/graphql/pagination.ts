import { badInput } from '../errors';
import { isTimeInSeconds, timeInSecondsRefusal } from './time-in-seconds';

/** Page sizes: `first` defaults to 100 and may go up to the configured maximum. */
export const DEFAULT_PAGE_SIZE = 100;

export function pageSize(first: number | null | undefined, max: number, field: string): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput(pageSizeRefusal(field, first, max));
  return first;
}

/** The one wording of a `first` out of range, the resolver's and the cost limit's (cost-estimate.ts); the Python client reads it. */
export const pageSizeRefusal = (field: string, first: number, max: number): string =>
  `\`first\` of ${field} must be a whole number from 1 to ${max}; received ${first}`;

/** An inclusive epoch-millisecond range; `from` after `to` is the caller's mistake. */
export interface TimeRange {
  from?: number | null;
  to?: number | null;
}

export function checkTimeRange(range: TimeRange | null | undefined, field: string, names: { from: string; to: string } = { from: 'from', to: 'to' }): void {
  // A bound in seconds first: beside one in milliseconds it is also "before" it, and swapping would not help.
  for (const end of ['from', 'to'] as const) {
    const value = range?.[end];
    if (value != null && isTimeInSeconds(value)) throw badInput(timeInSecondsRefusal(`\`${names[end]}\` in the filter of ${field}`, value));
  }
  if (range?.from != null && range.to != null && range.from > range.to) {
    throw badInput(`the filter of ${field} has \`${names.from}\` (${range.from}) after \`${names.to}\` (${range.to}); swap them or widen the range`);
  }
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
