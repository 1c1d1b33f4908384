import type { Worker } from 'node:cluster';
import type { Logger } from '../logger';

/**
 * What the primary does with a worker that stopped answering (worker-watchdog.ts finds it; primary.ts's sets, read as
 * they are at each use): kills it, and its exit replaces it, unless it is the only one listening.
 */
export function replaceHungWorker(
  pool: { ready: ReadonlySet<Worker>; spares: ReadonlySet<Worker>; retiring: Set<Worker> },
  fork: (spare: boolean) => Promise<number>,
  onReplaced: () => void,
  logger: Logger,
): (worker: Worker, silentMs: number) => void {
  const { ready, spares, retiring } = pool;
  return (worker, silentMs) => {
    logger.error({ workerId: worker.id, pid: worker.process.pid, silentMs }, 'a worker stopped answering; killing it');
    if ([...ready].some((w) => w !== worker && !retiring.has(w))) return void worker.process.kill('SIGKILL');
    // The only one listening: its replacement listens first, so the connections the cluster queued for it go there instead of being reset with the last worker.
    retiring.add(worker);
    fork(spares.has(worker)).then(
      () => onReplaced(),
      (error: unknown) => {
        logger.error({ err: error }, 'a replacement worker failed to start');
        // Replaced the usual way once it exits.
        retiring.delete(worker);
      },
    ).finally(() => worker.process.kill('SIGKILL'));
  };
}
