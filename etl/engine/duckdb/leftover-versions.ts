import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILT_TABLES } from '../../tables';
import { type BuildRecord, mayHavePublished, outlivedByManifest, readRecord, runsElsewhere, unreadableRecord, versionFolders } from './build-records';
import type { LakeLayout } from './lake-layout';
import { type LockHolder, holderState, readHolder } from './lock-holder';
import { onlyColumnText } from './stray-column-text';

/*
 * Versions left on disk that nothing serves and no build is about to remove
 * without help, as `stedi status` names them: those a dead build expired, and
 * those no manifest and no build record names.
 */

/**
 * Versions a dead build expired but did not remove (killed between writing the manifest and removing them,
 * or its removal failed): no manifest names them, so nothing reads them, but their files may hold a customer
 * who withdrew consent until the next build removes them (removeDeadBuilds).
 */
export async function abandonedVersions(layout: LakeLayout, kept: ReadonlySet<string>): Promise<string[]> {
  const left = new Set<string>();
  const records: Array<Pick<BuildRecord, 'version' | 'expiring'> & { holder?: LockHolder }> = [];
  for (const entry of await readdir(layout.buildsDir).catch(() => [] as string[])) {
    if (!entry.endsWith('.json')) continue;
    // One that cannot be read still names what it expired by its marks: the next build removes those too.
    const record = (await readRecord(join(layout.buildsDir, entry))) ?? (await unreadableRecord(layout, entry));
    if (record) records.push(record);
  }
  // Read after the records: a build keeps its record only while it holds the lock, so one whose build no longer holds
  // it is dead, from any host (a lock from another host is removed by hand once that build is known dead).
  const lock = await readHolder(layout.lockPath);
  for (const record of records) {
    // A damaged record's holder is unknown: its build runs while the lock it holds names its version.
    const running = record.holder
      ? (lock?.token === record.holder.token && holderState(record.holder) !== 'gone') || runsElsewhere(record.holder)
      : lock !== null && lock.owner === `build ${record.version}` && holderState(lock) !== 'gone';
    if (running) continue;
    for (const version of record.expiring) {
      if (kept.has(version) || left.has(version)) continue;
      for (const folder of versionFolders(layout, version)) {
        if (await access(folder).then(() => true, () => false)) {
          left.add(version);
          break;
        }
      }
    }
  }
  return [...left].sort();
}

/**
 * Versions whose folders are on disk though the manifest does not keep them and no build record names them: a
 * build over a broken manifest deletes nothing it listed (those folders may be the only copy of the lake), so
 * no build removes them and no erasure reaches them, whatever customers they hold. `stedi status` names them.
 * `kept` is null when there is no manifest: then a dead build that may have published owns nothing, as a
 * manifest restored from a copy may list its version (or those it was expiring).
 */
export async function unlistedVersions(layout: LakeLayout, kept: ReadonlySet<string> | null): Promise<string[]> {
  const owned = new Set<string>(kept ?? []);
  for (const entry of await readdir(layout.buildsDir).catch(() => [] as string[])) {
    if (!entry.endsWith('.json')) continue;
    // A record appears whole (renamed into place): one that cannot be read was damaged; the next build still removes the
    // version its file name gives (removeDeadBuilds), so that one is a dead build's, not unlisted.
    const record = (await readRecord(join(layout.buildsDir, entry))) ?? (await unreadableRecord(layout, entry));
    const disowned = record && (kept === null ? mayHavePublished(record) : await outlivedByManifest(layout, entry, record, kept));
    if (record && !disowned) [record.version, ...record.expiring].forEach((version) => owned.add(version));
  }
  const found = new Set<string>();
  for (const [root, table] of [...BUILT_TABLES.map((t) => [layout.tableRoot(t), t]), [layout.quarantineRoot(), '']]) {
    for (const entry of await readdir(root).catch(() => [] as string[])) {
      const version = /^v=(.+)$/.exec(entry)?.[1];
      // Column text alone is no version (the next build removes it).
      if (version !== undefined && !owned.has(version) && !(table && (await onlyColumnText(join(root, entry), table)))) found.add(version);
    }
  }
  return [...found].sort();
}
