import { copyFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { removeDeadProcessFolders } from '../dead-process-folders';
import { makeFolder } from '../make-folder';
import { SOURCES, type Source } from '../tables';
import { isDataFile } from './out-folder';

/**
 * Generated files are written in a hidden folder of `--out` and moved into the
 * landing folders only once every source is complete, so a generate that is
 * stopped (Ctrl+C, kill -9, a full disk) never leaves a partial sample where a
 * build reads landing. With --force the old files go only then, too.
 */

const PREFIX = '.stedi-generate-';
const DEAD_STAGING = new RegExp(`^${PREFIX.replace('.', '\\.')}(\\d+)-`);
/** Private: tells apart two generates of one process (tests run several). */
let opened = 0;

export class GenerateStaging {
  private constructor(
    readonly root: string,
    readonly dirs: Record<Source, string>,
  ) {}

  /** Removes what generates killed outright left in `out`, then opens a staging folder for this one. */
  static async open(out: string): Promise<GenerateStaging> {
    removeDeadProcessFolders(out, DEAD_STAGING);
    opened += 1;
    const root = join(out, `${PREFIX}${process.pid}-${opened}`);
    const dirs = Object.fromEntries(SOURCES.map((s) => [s, join(root, s)])) as Record<Source, string>;
    for (const dir of Object.values(dirs)) await makeFolder(dir);
    return new GenerateStaging(root, dirs);
  }

  /**
   * Moves every staged file into its landing folder (removing the data files
   * there first when `replace`) and returns their new paths.
   */
  async publish(landing: Record<Source, string>, staged: Record<Source, string[]>, replace: boolean): Promise<Record<Source, string[]>> {
    const published = Object.fromEntries(SOURCES.map((s) => [s, [] as string[]])) as Record<Source, string[]>;
    try {
      for (const source of SOURCES) {
        if (replace) await removeDataFiles(landing[source]);
        for (const file of staged[source]) {
          const target = join(landing[source], basename(file));
          await move(file, target);
          published[source].push(target);
        }
      }
    } catch (error) {
      // Part of a sample is worse than none.
      for (const file of Object.values(published).flat()) await rm(file, { force: true });
      throw error;
    }
    await this.discard();
    return published;
  }

  /** Removes the staging folder and whatever it holds. */
  discard(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}

/** A rename, or a copy when the landing folder is on another filesystem (a link to another disk). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // A copy cut short (a full disk) must not stay behind as a landing file.
    await copyFile(from, to).catch(async (failed: unknown) => {
      await rm(to, { force: true });
      throw failed;
    });
    await rm(from, { force: true });
  }
}

async function removeDataFiles(dir: string): Promise<void> {
  for (const entry of (await readdir(dir)).filter(isDataFile)) await rm(join(dir, entry), { force: true });
}
