import type { QuarantineReasonCount } from '../manifest';
import { isFileReason } from './file-starts';

/**
 * Quarantined lines counted per reason, for the manifest and the lake page.
 * Only the reason text is kept (reasons name declared fields, never landing content).
 * A reason a file's start gives (a compressed file's, UTF-16's: file-starts.ts) also counts its files: every bad line
 * of such a file carries it, and the operator fixes files, not lines.
 */
export class ReasonCounts {
  private readonly counts = new Map<string, number>();
  private readonly files = new Map<string, Set<string> | number>();

  /** `sourceFile`: the file the lines are in, counted for a file's reason only. */
  add(reason: string, lines = 1, sourceFile?: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + lines);
    if (sourceFile === undefined || !isFileReason(reason)) return;
    const files = this.files.get(reason);
    if (files instanceof Set) files.add(sourceFile);
    else this.files.set(reason, new Set([sourceFile]));
  }

  /** How many files hold a file's reason, when counted elsewhere (Athena). */
  addFiles(reason: string, files: number): void {
    if (isFileReason(reason)) this.files.set(reason, files);
  }

  /** Most frequent first, then by reason, so equal builds write equal manifests. */
  list(): QuarantineReasonCount[] {
    return [...this.counts]
      .map(([reason, count]) => {
        const files = this.files.get(reason);
        return files === undefined ? { reason, count } : { reason, count, files: files instanceof Set ? files.size : files };
      })
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }
}
