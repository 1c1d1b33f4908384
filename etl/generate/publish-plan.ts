import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerRuns } from '../dead-process-folders';
import { readRegularFile } from '../engine/duckdb/regular-file';
import { SOURCES, type Source } from '../tables';
import { isDataFile } from './out-folder';

/**
 * The one step of a generate that changes landing folders: its staged files move in one by one, so a run killed
 * while moving them (kill -9, a power cut) left customers of the new sample beside readings of the old one, and
 * a build read that mix as a sample. Before the first move the staging folder gets a plan naming every file; the
 * plan goes once the last one is in place. A plan left by a dead run is finished by the next generate (or start)
 * into that folder: a run with --force is rolled forward (its old files are partly gone), one without it is undone
 * (its landing folders held no data files). Until then a build refuses that landing folder.
 */

export const STAGING_PREFIX = '.stedi-generate-';
/** Group 1: the pid of the process that owns the staging folder; group 2 (absent in an earlier release's) its start time. */
export const STAGING_FOLDER = /^\.stedi-generate-(\d+)(?:\.(\d+))?-/;
const PLAN = 'publishing.json';

export interface PublishPlan {
  /** --force: the landing folders' other data files go. */
  replace: boolean;
  /** The base names of the staged files, per source, as they are named in the landing folder. */
  files: Record<Source, string[]>;
}

const landingDir = (out: string, source: Source): string => join(out, source, 'landing');

/** Written whole under another name, then renamed: a plan is complete or absent. */
export async function writePlan(root: string, plan: PublishPlan): Promise<void> {
  const temporary = join(root, `${PLAN}.tmp`);
  await writeFile(temporary, JSON.stringify(plan));
  await rename(temporary, join(root, PLAN));
}

/** The move is complete: from here the staging folder is only litter. */
export const dropPlan = (root: string): Promise<void> => rm(join(root, PLAN), { force: true });

async function readPlan(root: string): Promise<PublishPlan | undefined> {
  try {
    // Only a regular file: a pipe by its name would hold every build of this landing waiting for a writer.
    return JSON.parse(await readRegularFile(join(root, PLAN))) as PublishPlan;
  } catch {
    // No plan (killed before moving anything), or a folder that is not a staging folder after all.
    return undefined;
  }
}

/**
 * Moves the plan's staged files that are still staged into `out`'s landing folders; with `replace`, first removes
 * every other data file there. Every step may run again: a file already moved is not staged any more.
 */
export async function rollForward(root: string, out: string, plan: PublishPlan, move: (from: string, to: string) => Promise<void>): Promise<string[]> {
  const published: string[] = [];
  for (const source of SOURCES) {
    const dir = landingDir(out, source);
    const names = new Set(plan.files[source]);
    if (plan.replace) for (const entry of (await readdir(dir)).filter((e) => isDataFile(e) && !names.has(e))) await rm(join(dir, entry), { force: true });
    const staged = new Set(await readdir(join(root, source)).catch(() => [] as string[]));
    for (const name of plan.files[source]) {
      if (staged.has(name)) await move(join(root, source, name), join(dir, name));
      published.push(join(dir, name));
    }
  }
  return published;
}

/** Removes what a run without --force had moved: its landing folders held no data files before. */
export async function rollBack(root: string, out: string, plan: PublishPlan): Promise<void> {
  for (const source of SOURCES) {
    const staged = new Set(await readdir(join(root, source)).catch(() => [] as string[]));
    for (const name of plan.files[source]) if (!staged.has(name)) await rm(join(landingDir(out, source), name), { force: true });
  }
}

/** The staging folders in `out`, whether their process lives, and their plans (if they had begun moving). */
async function stagingFolders(out: string): Promise<Array<{ root: string; pid: number; alive: boolean; plan?: PublishPlan }>> {
  const names = await readdir(out).catch(() => [] as string[]);
  const found = [];
  for (const name of names) {
    const match = STAGING_FOLDER.exec(name);
    const pid = Number(match?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    const root = join(out, name);
    found.push({ root, pid, alive: ownerRuns(pid, match?.[2]), plan: await readPlan(root) });
  }
  return found;
}

/** Finishes or undoes the moves of dead runs into `out`, then removes their staging folders. */
export async function settleDeadGenerates(out: string, move: (from: string, to: string) => Promise<void>): Promise<void> {
  for (const dead of (await stagingFolders(out)).filter((f) => !f.alive)) {
    if (dead.plan?.replace) await rollForward(dead.root, out, dead.plan, move);
    else if (dead.plan) await rollBack(dead.root, out, dead.plan);
    await dropPlan(dead.root);
    await rm(dead.root, { recursive: true, force: true });
  }
}

/** Why a build must not read the landing folder `landing` now, said after its name: a generate is (or was, when killed) moving a sample in. */
export async function halfMovedSample(landing: string): Promise<string | undefined> {
  const moving = (await stagingFolders(landing)).find((f) => f.plan);
  if (!moving) return undefined;
  return moving.alive
    ? `is receiving a new sample from a stedi generate (pid ${moving.pid}) right now; build once it has finished`
    : `holds part of a sample: a stedi generate (pid ${moving.pid}) was killed while moving it in; run that stedi generate (or stedi start) again, which first finishes or undoes the move, then build`;
}
