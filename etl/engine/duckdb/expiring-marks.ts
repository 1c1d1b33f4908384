import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../../make-folder';
import { isVersionId } from '../../version';
import type { LakeLayout } from './lake-layout';

/**
 * What a publishing build expires, written beside its record as empty files named by version in
 * `_stedi/builds/<version>.expiring/`. Names alone carry it, so a record whose content is lost (zeroed by a crash, cut)
 * still tells the next build which versions its dead build had expired but not removed: they stayed on disk for ever,
 * holding customers who may have withdrawn consent.
 */
export async function writeExpiringMarks(layout: LakeLayout, version: string, expiring: readonly string[]): Promise<void> {
  if (expiring.length === 0) return;
  const folder = layout.expiringDir(version);
  await makeFolder(folder);
  for (const old of expiring) await writeFile(join(folder, old), '');
}

/** The versions `version`'s build marked as expiring (none when it marked none, or the folder cannot be read). */
export async function readExpiringMarks(layout: LakeLayout, version: string): Promise<string[]> {
  const names = await readdir(layout.expiringDir(version)).catch(() => [] as string[]);
  // Version ids only: each becomes a folder path to remove.
  return names.filter(isVersionId).sort();
}

export async function removeExpiringMarks(layout: LakeLayout, version: string): Promise<void> {
  await rm(layout.expiringDir(version), { recursive: true, force: true });
}
