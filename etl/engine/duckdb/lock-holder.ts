import { readRegularFile } from './regular-file';
import { hostname } from 'node:os';
import { isAlive, processStart } from '../../dead-process-folders';

/**
 * Who holds a build's lock (or names itself in a build record): its host, pid and the process's start time, so
 * whether it still runs is told by that process, not by the pid alone (build-lock.ts, build-records.ts).
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the holder. */
  pidStart: string | null;
  owner: string;
  since: string;
  token: string;
}

/** Whether a holder's process runs: known only on its own host, by its pid and the start time it recorded. */
export type HolderState = 'running' | 'gone' | 'unknown';

/**
 * 'gone' when its pid is dead or now another process. 'unknown' when that cannot be told: another host, no start
 * time recorded or readable, or a pid that is no one process (0 and -1 reach every process: a damaged file's).
 * A lock counts as held unless its holder is gone; a build record counts as a running build's only when it runs.
 */
export function holderState(holder: LockHolder): HolderState {
  if (holder.host !== hostname()) return 'unknown';
  if (!isAlive(holder.pid)) return 'gone';
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0 || holder.pidStart === null || holder.pidStart === undefined) return 'unknown';
  const start = processStart(holder.pid);
  if (start === null) return 'unknown';
  return start === holder.pidStart ? 'running' : 'gone';
}

export async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readRegularFile(path)) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return null;
    // Locks of earlier releases name only a pid (on this host).
    return { pid: parsed.pid, host: parsed.host ?? hostname(), pidStart: parsed.pidStart ?? null, owner: parsed.owner ?? '', since: parsed.since ?? '', token: parsed.token ?? '' };
  } catch {
    return null;
  }
}
