import type { QuarantineReasonCount } from '../manifest';

/**
 * Quarantined lines counted per reason, for the manifest and the lake page.
 * Only the reason text is kept (reasons name declared fields, never landing content).
 */
export class ReasonCounts {
  private readonly counts = new Map<string, number>();

  add(reason: string, lines = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + lines);
  }

  /** Most frequent first, then by reason, so equal builds write equal manifests. */
  list(): QuarantineReasonCount[] {
    return [...this.counts]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }
}
