import { type FSWatcher, watch } from 'node:fs';
import { basename } from 'node:path';
import { BUILT_TABLES, type BuiltTable } from '../../tables';
import type { LakeLayout } from './lake-layout';

/**
 * Watches the table files of the versions a server has loaded: a file written
 * in place (even with its size and modification time put back) is checked
 * again at once, not when a reader or `lake { versions }` next asks, so no
 * request is answered from it for long. The OS's file events (inotify on
 * Linux) cost nothing while nothing changes.
 */

/** After a file's first event, the others of the same write arrive within this; one check covers them. */
const SETTLE_MS = 20;

export class VersionWatch {
  private readonly watchers = new Map<string, FSWatcher[]>();
  // Private: checks waiting for a write's events to settle, by version and table.
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly layout: LakeLayout,
    private readonly changed: (version: string, table: BuiltTable) => void,
  ) {}

  watch(version: string): void {
    if (this.watchers.has(version)) return;
    const watchers: FSWatcher[] = [];
    for (const table of BUILT_TABLES) {
      const file = basename(this.layout.tableFile(table, version));
      try {
        // Not persistent: a watch never keeps a process alive. Errors (the folder removed as the version expires) end it quietly.
        const watcher = watch(this.layout.versionDir(table, version), { persistent: false }, (_event, name) => {
          if (name === null || name === file) this.settle(version, table);
        });
        watcher.on('error', () => watcher.close());
        watchers.push(watcher);
      } catch {
        // Private: a folder that cannot be watched is still checked when asked, as before.
      }
    }
    this.watchers.set(version, watchers);
  }

  unwatch(version: string): void {
    for (const watcher of this.watchers.get(version) ?? []) watcher.close();
    this.watchers.delete(version);
    for (const table of BUILT_TABLES) {
      const key = `${version}/${table}`;
      clearTimeout(this.pending.get(key));
      this.pending.delete(key);
    }
  }

  close(): void {
    for (const version of [...this.watchers.keys()]) this.unwatch(version);
  }

  private settle(version: string, table: BuiltTable): void {
    const key = `${version}/${table}`;
    if (this.pending.has(key)) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.changed(version, table);
    }, SETTLE_MS);
    timer.unref();
    this.pending.set(key, timer);
  }
}
