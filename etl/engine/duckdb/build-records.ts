import { readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILT_TABLES } from '../../tables';
import { isVersionId } from '../../version';
import { type LockHolder, holderState } from './lock-holder';
import type { LakeLayout } from './lake-layout';
import { replaceFile } from './replace-file';
import { makeFolder } from '../../make-folder';
import { readExpiringMarks } from './expiring-marks';
import { readRegularFile } from './regular-file';

/**
 * What a running build owns, written to `_stedi/builds/<version>.json` before
 * it writes anything: its holder, and before publishing, the versions it is
 * about to expire. The next build removes exactly what a dead build's record
 * names and the manifest does not keep, and nothing else: a folder no record
 * names (say, of a version a broken manifest forgot) is never deleted.
 */
export interface BuildRecord {
  version: string;
  holder: LockHolder;
  /** Versions this build's manifest drops; removed after the manifest is written. */
  expiring: string[];
  /** Written just before the manifest: from here the build may have published its version. */
  publishing?: boolean;
  /** With `publishing`: the manifest it replaces, as manifestIdentity says (absent in records of earlier releases). */
  replacing?: string;
}

/** The manifest file's device, inode and change time ('none' when there is none): any write, rename or restore changes it, whatever the clock says. */
export async function manifestIdentity(layout: LakeLayout): Promise<string> {
  const found = await stat(layout.manifestPath, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  return found ? `${found.dev}:${found.ino}:${found.ctimeNs}` : 'none';
}

/** A dead build whose record says (or, damaged, cannot rule out) that it wrote a manifest listing its version. */
export const mayHavePublished = (record: Pick<BuildRecord, 'expiring' | 'publishing'>): boolean => record.publishing === true || record.expiring.length > 0;

/**
 * A dead build that may have published, whose version a manifest written after its record does not list: an older
 * copy restored over the one it published (or a hand edit), so its version may be the lake's newest data and is kept
 * (named by `stedi status`). One killed before its rename left the manifest it was replacing as it was. A record of this
 * release names that manifest; an earlier one's (or a damaged one) is judged by times: the manifest older than the record
 * (a ctime cannot be set back), which a clock stepped between the two misjudges (a clock ahead lost the published version).
 */
export async function outlivedByManifest(layout: LakeLayout, entry: string, record: Pick<BuildRecord, 'version' | 'expiring' | 'publishing' | 'replacing'>, kept: ReadonlySet<string>): Promise<boolean> {
  if (!mayHavePublished(record) || kept.has(record.version)) return false;
  if (typeof record.replacing === 'string') return (await manifestIdentity(layout).catch(() => record.replacing)) !== record.replacing;
  const times = await Promise.all([stat(layout.manifestPath, { bigint: true }), stat(join(layout.buildsDir, entry), { bigint: true })]).catch(() => null);
  return times !== null && times[0].ctimeNs > times[1].mtimeNs;
}

export async function writeBuildRecord(layout: LakeLayout, record: BuildRecord): Promise<void> {
  await makeFolder(layout.buildsDir);
  const path = layout.buildRecord(record.version);
  const temporary = `${path}.${process.pid}.record.tmp`;
  await replaceFile(path, temporary, JSON.stringify(record));
}

export async function removeBuildRecord(layout: LakeLayout, version: string): Promise<void> {
  await unlink(layout.buildRecord(version)).catch(() => undefined);
}

/** Every folder of `version`: its built tables and its quarantine. One refused (permissions) stops none of the others; the first refusal is thrown. */
export async function removeVersionFolders(layout: LakeLayout, version: string): Promise<void> {
  let refused: unknown;
  for (const folder of [...versionFolders(layout, version), layout.spillDir(version)]) await rm(folder, { recursive: true, force: true }).catch(async (error: unknown) => (refused ??= await removalRefusal(error)));
  if (refused !== undefined) throw refused;
}

/**
 * The refusal itself: a file whose unlink is refused (EPERM: another user's file in a sticky folder, an immutable one)
 * Node's rm then lists as a folder, and reports that ENOTDIR, read as "a file where a folder should be".
 */
async function removalRefusal(error: unknown): Promise<unknown> {
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  // A folder whose path runs through a file (a file put in place of _quarantine/) is not there: nothing to remove.
  if (code === 'ENOTDIR' && syscall === 'lstat') return undefined;
  if (code !== 'ENOTDIR' || syscall !== 'scandir' || typeof path !== 'string') return error;
  return unlink(path).then(() => error, (refusal: unknown) => refusal);
}

/** The folders a published version's files are in: one per built table, and its quarantine. */
export const versionFolders = (layout: LakeLayout, version: string): string[] => [...BUILT_TABLES.map((t) => layout.versionDir(t, version)), layout.quarantineDir(version)];

/** A record file that cannot be read, as far as its name and its expiring marks tell: its version, what it expired, perhaps published. */
export async function unreadableRecord(layout: LakeLayout, entry: string): Promise<Pick<BuildRecord, 'version' | 'expiring' | 'publishing'> | null> {
  const version = entry.slice(0, -'.json'.length);
  return isVersionId(version) ? { version, expiring: await readExpiringMarks(layout, version), publishing: true } : null;
}

export async function readRecord(path: string): Promise<BuildRecord | null> {
  try {
    const record = JSON.parse(await readRegularFile(path)) as BuildRecord;
    // Version ids only: each becomes a folder path to remove, and a damaged or hostile `..` led out of the lake.
    const ids = typeof record.version === 'string' && Array.isArray(record.expiring) && [record.version, ...record.expiring].every((v) => typeof v === 'string' && isVersionId(v));
    return ids && record.holder && (record.replacing === undefined || typeof record.replacing === 'string') ? record : null;
  } catch {
    return null;
  }
}

/**
 * A build of another process on this host that still runs: its record is its own, whatever the lock file says. Known
 * by its start time as /proc gives it, never guessed ('unknown' is not running): a dead build's pid taken by another
 * process, or a damaged record's pid (0 and -1 reach every process), would keep every build out.
 */
export const runsElsewhere = (holder: LockHolder): boolean => holder.pid !== process.pid && holderState(holder) === 'running';

/** The holder of a build on this lake that is still running, by its record; null when none is. */
export async function runningBuild(layout: LakeLayout): Promise<LockHolder | null> {
  for (const entry of await readdir(layout.buildsDir).catch(() => [] as string[])) {
    const record = entry.endsWith('.json') ? await readRecord(join(layout.buildsDir, entry)) : null;
    if (record && runsElsewhere(record.holder)) return record.holder;
  }
  return null;
}

/** Removes the zone folders and build records folder that are empty, deepest first; never a folder with anything in it. */
export async function pruneEmptyFolders(layout: LakeLayout): Promise<void> {
  const folders = [
    layout.buildsDir,
    ...BUILT_TABLES.map((t) => layout.tableRoot(t)),
    layout.quarantineRoot(),
    ...new Set(BUILT_TABLES.map((t) => dirname(layout.tableRoot(t)))),
  ];
  for (const folder of folders) await rmdir(folder).catch(() => undefined);
}

/** After the lock is released: `_stedi/` when empty, and the lake folder when this build made it and it is empty. */
export async function pruneLakeFolders(layout: LakeLayout, includeLake: boolean): Promise<void> {
  await rmdir(layout.metaDir).catch(() => undefined);
  if (includeLake) await rmdir(layout.lake).catch(() => undefined);
}
