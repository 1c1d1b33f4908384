import type { ColumnTextReader } from '../derived-column-text';

/**
 * The column text readers an engine has opened, by version: an expired
 * version's folder is deleted, and a file still open keeps its bytes on disk
 * (customers' rows among them) until closed, so they close when it expires.
 */
export class OpenColumnTexts {
  private readonly byVersion = new Map<string, Set<ColumnTextReader>>();

  track(version: string, reader: ColumnTextReader | undefined): ColumnTextReader | undefined {
    if (!reader) return undefined;
    let readers = this.byVersion.get(version);
    if (!readers) this.byVersion.set(version, (readers = new Set()));
    readers.add(reader);
    return reader;
  }

  /** Closes every reader of a version not in `kept`. */
  closeExpired(kept: ReadonlySet<string>): void {
    for (const [version, readers] of this.byVersion) {
      if (kept.has(version)) continue;
      for (const reader of readers) reader.close();
      this.byVersion.delete(version);
    }
  }
}
