import { readFile, readdir } from 'node:fs/promises';
import { descendantsOf, parentMap } from './process-memory';

/**
 * CPU time of whole process trees (a server's primary and workers, Postgres
 * and its backends), every thread counted, from /proc/<pid>/task/<tid>/schedstat
 * (Linux, nanoseconds). A page's CPU does not swing with the machine's load as
 * its wall time does, and it shows work a request sets off beside its own.
 */

/** Nanoseconds run so far by each thread of `pids`, by "pid/tid"; a process or thread that ended is not listed. */
export async function threadCpuNs(pids: readonly number[]): Promise<Map<string, number>> {
  const byThread = new Map<string, number>();
  for (const pid of pids) {
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const tid of tasks) {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => null);
      if (text) byThread.set(`${pid}/${tid}`, Number(text.split(' ')[0]) || 0);
    }
  }
  return byThread;
}

/**
 * Nanoseconds the threads of `pids` ran since `before` (their threadCpuNs then). Thread by thread: one that ended
 * meanwhile drops out of both sides (its CPU unknown) instead of making the sum negative.
 */
export async function cpuNsSince(before: ReadonlyMap<string, number>, pids: readonly number[]): Promise<number> {
  let ns = 0;
  for (const [thread, after] of await threadCpuNs(pids)) ns += after - (before.get(thread) ?? 0);
  return ns;
}

/** `roots` and their descendants now (a tree's processes may come and go: read before each sample). */
export async function treePids(roots: readonly number[]): Promise<number[]> {
  return descendantsOf([...roots], await parentMap());
}
