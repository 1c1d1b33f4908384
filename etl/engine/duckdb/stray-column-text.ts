import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILT_TABLES } from '../../tables';
import type { LakeLayout } from './lake-layout';

/**
 * A version folder holding nothing but column text (`<table>.batch.*`, column-text-file-names.ts): a server of an
 * earlier release made an expired version's folder again as it wrote the text, after the build had removed it. It
 * holds no data, only serial numbers (maybe a withdrawn customer's), so it is no version to restore: builds remove it.
 */
export async function onlyColumnText(folder: string, table: string): Promise<boolean> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  return entries.length > 0 && entries.every((entry) => entry.startsWith(`${table}.batch.`));
}

/** Removes such folders of versions not in `kept` nor `self` (the build running); a folder holding anything else stays. */
export async function removeStrayColumnText(layout: LakeLayout, kept: ReadonlySet<string>, self: string): Promise<void> {
  for (const table of BUILT_TABLES) {
    for (const entry of await readdir(layout.tableRoot(table)).catch(() => [] as string[])) {
      const version = /^v=(.+)$/.exec(entry)?.[1];
      const folder = join(layout.tableRoot(table), entry);
      if (version === undefined || kept.has(version) || version === self || !(await onlyColumnText(folder, table))) continue;
      for (const file of await readdir(folder)) await rm(join(folder, file), { force: true });
      await rmdir(folder).catch(() => undefined);
    }
  }
}
