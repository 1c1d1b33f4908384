import type { QuarantineReasonCount } from '../../etl/manifest';

/** Reasons as a reason → count record, to compare what a build counted with the reasons a test expects. */
export const tallyOfReasons = (reasons: readonly string[]): Record<string, number> => {
  const tally: Record<string, number> = {};
  for (const reason of reasons) tally[reason] = (tally[reason] ?? 0) + 1;
  return tally;
};

export const tallyOfCounts = (counts: readonly QuarantineReasonCount[] | undefined): Record<string, number> =>
  Object.fromEntries((counts ?? []).map((c) => [c.reason, c.count]));
