import { access, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../dead-process-folders';
import { ManifestError } from '../../manifest';
import type { LockHolder } from './lock-holder';
import type { DeadBuildsCleared } from '../../build-options';
import { bytesOnDisk } from './build-footprint';
import { type BuildRecord, outlivedByManifest, readRecord, removeVersionFolders, runsElsewhere, unreadableRecord, versionFolders } from './build-records';
import { unlistedVersions } from './leftover-versions';
import { describeRemovalRefusal } from './fs-errors';
import type { LakeLayout } from './lake-layout';
import { readLocalManifest } from './local-manifest';
import { removeStrayColumnText } from './stray-column-text';
import { removeExpiringMarks } from './expiring-marks';

/**
 * What builds that died left on the lake, removed by the next build once it holds the lock and has written its own
 * record (`record`): only what a dead build's record names and the manifest does not keep (build-records.ts).
 */

/** Removes what dead builds left (not the versions the manifest keeps, nor this build's); says how many builds' and the bytes freed. */
export async function clearDeadBuilds(layout: LakeLayout, record: BuildRecord): Promise<DeadBuildsCleared> {
  const { lake } = layout;
  const manifest = await readLocalManifest(layout.manifestPath, lake).catch((error: unknown) => {
    if (error instanceof ManifestError) return undefined;
    throw error;
  });
  // Private: an unreadable manifest cannot say what is kept, so nothing is cleaned up. Nor can a lost one, where versions
  // no build record names, or a dead build that may have published (even a first), are on disk: a restored manifest may list them.
  const lost = manifest === null && (await unlistedVersions(layout, null)).length > 0;
  const kept = manifest === undefined || lost ? null : new Set(manifest?.versions.map((v) => v.version) ?? []);
  // A refusal is said of the folder refusing it, with its fix (another user's: chown), as the build that left it said.
  return removeDeadBuilds(layout, kept, record).catch((error: unknown) => {
    throw describeRemovalRefusal(error, lake);
  });
}

/**
 * Cleans up after builds that died: their unpublished version and the
 * versions they expired but had not removed yet. `kept` is the manifest's
 * versions, or null when the manifest cannot be trusted (then no version goes; the records do).
 */
async function removeDeadBuilds(layout: LakeLayout, kept: ReadonlySet<string> | null, self: BuildRecord): Promise<DeadBuildsCleared> {
  const cleared = { builds: 0, bytes: 0 };
  // Measured before it goes (the records and marks are a few bytes; the scratch copy of landing and the versions are
  // not); a build counts when what it left freed disk (one whose version the manifest keeps left only its record).
  let counted = 0;
  const removing = async (folders: string[]): Promise<void> => void (cleared.bytes += await bytesOnDisk(folders, true));
  const countBuild = (): void => {
    if (cleared.bytes > counted) cleared.builds += 1;
    counted = cleared.bytes;
  };
  const entries = await readdir(layout.buildsDir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.endsWith('.json')) continue;
    // A record that cannot be read (cut, zeroed, overwritten) still names its version by its file name, and what it
    // expired by its marks (expiring-marks.ts): those, its own unkept version and its scratch go.
    const record = (await readRecord(join(layout.buildsDir, entry))) ?? (await unreadableRecord(layout, entry));
    // This build holds the lake's lock, and a build keeps its record only while it holds the lock: every other record
    // is a dead build's, an earlier one of this very process (a server's rebuild) or one from another host alike (a
    // lock from another host is removed by hand once that build is known dead; its record had stayed for ever).
    // A running build's record is never a dead build's, even if its lock was lost (acquireBuildLock refuses then).
    if (!record || record.version === self.version || ('holder' in record && runsElsewhere(record.holder as LockHolder))) continue;
    // Over a broken manifest its record goes and its versions stay (named by `stedi status`): the manifest this build
    // writes would not keep them, and the next build would take them for a dead build's though the broken one listed them.
    // So does one over a manifest restored from an older copy: that one may have been live.
    const keepAll = kept === null || (await outlivedByManifest(layout, entry, record, kept));
    for (const version of [record.version, ...record.expiring]) {
      if (keepAll || kept.has(version)) continue;
      await removing([...versionFolders(layout, version), layout.spillDir(version)]);
      await removeVersionFolders(layout, version);
    }
    // Its scratch folder (a copy of landing) goes even when its version was published.
    await removing([layout.spillDir(record.version)]);
    await rm(layout.spillDir(record.version), { recursive: true, force: true });
    countBuild();
    await removeExpiringMarks(layout, record.version);
    // rm, not unlink: a folder in a record's place goes too.
    await rm(layout.buildRecord(record.version), { recursive: true, force: true });
  }
  // A scratch folder whose record is gone (killed after removing it, before its own scratch went) is a dead build's too.
  for (const entry of await readdir(layout.buildsDir).catch(() => [] as string[])) {
    if (entry.endsWith('.spill') && entry !== `${self.version}.spill`) {
      await removing([join(layout.buildsDir, entry)]);
      await rm(join(layout.buildsDir, entry), { recursive: true, force: true });
      countBuild();
    }
    // So are expiring marks whose record is gone (marks go before their record): nothing reads them.
    const marked = /^(.+)\.expiring$/.exec(entry)?.[1];
    if (marked !== undefined && marked !== self.version && !(await access(layout.buildRecord(marked)).then(() => true, () => false))) await rm(join(layout.buildsDir, entry), { recursive: true, force: true });
  }
  await removeDeadTemporaries(layout.metaDir);
  await removeDeadTemporaries(layout.buildsDir);
  if (kept !== null) await removeStrayColumnText(layout, kept, self.version);
  return cleared;
}

/** `<name>.<pid>.<suffix>.tmp` files whose writer is gone (killed between write and rename). */
async function removeDeadTemporaries(folder: string): Promise<void> {
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    const pid = /\.(\d+)\.[0-9a-z]+\.tmp$/.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await unlink(join(folder, entry)).catch(() => undefined);
  }
}
