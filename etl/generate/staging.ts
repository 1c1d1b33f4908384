import { copyFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ownerTag } from '../dead-process-folders';
import { makeFolder } from '../make-folder';
import { SOURCES, type Source } from '../tables';
import { STAGING_PREFIX, dropPlan, rollBack, rollForward, settleDeadGenerates, writePlan } from './publish-plan';

/**
 * Generated files are written in a hidden folder of `--out` and moved into the
 * landing folders only once every source is complete, so a generate that is
 * stopped (Ctrl+C, kill -9, a full disk) never leaves a partial sample where a
 * build reads landing. With --force the old files go only then, too. The move
 * itself is made whole by a plan (publish-plan.ts).
 */

/** Private: tells apart two generates of one process (tests run several). */
let opened = 0;

export class GenerateStaging {
  private constructor(
    readonly root: string,
    readonly dirs: Record<Source, string>,
  ) {}

  /** Finishes or undoes the moves of generates killed outright in `out`, and removes what they left. */
  static settleDead(out: string): Promise<void> {
    return settleDeadGenerates(out, move);
  }

  /** Opens a staging folder for this run (call settleDead first). */
  static async open(out: string): Promise<GenerateStaging> {
    opened += 1;
    // By pid and start time: a container's next run often has the very pid of a run killed in it.
    const root = join(out, `${STAGING_PREFIX}${ownerTag()}-${opened}`);
    const dirs = Object.fromEntries(SOURCES.map((s) => [s, join(root, s)])) as Record<Source, string>;
    for (const dir of Object.values(dirs)) await makeFolder(dir);
    return new GenerateStaging(root, dirs);
  }

  /**
   * Moves every staged file into its landing folder (removing the data files
   * there first when `replace`) and returns their new paths.
   */
  async publish(landing: Record<Source, string>, staged: Record<Source, string[]>, replace: boolean): Promise<Record<Source, string[]>> {
    const out = dirname(this.root);
    // The landing folders are always <out>/<source>/landing: a dead run's plan is finished from `out` alone.
    for (const source of SOURCES) if (landing[source] !== join(out, source, 'landing')) throw new Error(`landing folder ${landing[source]} is not under ${out}`);
    const plan = { replace, files: Object.fromEntries(SOURCES.map((s) => [s, staged[s].map((f) => basename(f))])) as Record<Source, string[]> };
    await writePlan(this.root, plan);
    try {
      await rollForward(this.root, out, plan, move);
    } catch (error) {
      // Part of a sample is worse than none.
      await rollBack(this.root, out, plan);
      await dropPlan(this.root);
      throw error;
    }
    await dropPlan(this.root);
    await this.discard();
    return Object.fromEntries(SOURCES.map((s) => [s, plan.files[s].map((name) => join(landing[s], name))])) as Record<Source, string[]>;
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
