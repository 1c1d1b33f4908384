import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerTag, removeDeadProcessFolders } from '../../etl/dead-process-folders';

/**
 * An export's temporary folder is named for the process writing it, by pid and start time (ownerTag): one left by a
 * process that died is removed by the next server process to start, even one given that very pid (a restarted
 * container's), and by the primary once a worker exits (a hung worker is killed after its replacement started).
 */

const EXPORT_DIR_PREFIX = 'stedi-export-';
const DEAD_EXPORT_DIR = new RegExp(`^${EXPORT_DIR_PREFIX}(\\d+)(?:\\.(\\d+))?-`);

/** The prefix of a temporary folder (mkdtemp) for this process's export, under `dir`. */
export const exportFolderPrefix = (dir: string): string => join(dir, `${EXPORT_DIR_PREFIX}${ownerTag()}-`);

/**
 * A new folder for this process's export under `dir`, which is made again if it is gone: a TMPDIR removed while the
 * server runs (a clean-up of old temporary folders, days without an export) failed every export after it (500).
 */
export async function makeExportFolder(dir: string): Promise<string> {
  try {
    return await mkdtemp(exportFolderPrefix(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    return await mkdtemp(exportFolderPrefix(dir));
  }
}

/** Removes the export folders under `dir` (the temporary folder by default) of processes that are gone. */
export function removeDeadExportFolders(dir: string = tmpdir()): void {
  removeDeadProcessFolders(dir, DEAD_EXPORT_DIR);
}
