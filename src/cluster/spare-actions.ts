import type { Worker } from 'node:cluster';
import type { Logger } from '../logger';
import type { ToWorker } from './messages';
import type { SpareActions } from './spare-workers';

/**
 * What starting and stopping the spare workers does (spare-workers.ts decides when; primary.ts's sets, read as they
 * are at each use): forks spares up to `count` workers, and asks the spares to drain, as `retiring` (not replaced).
 */
export function spareActions(
  count: number,
  pool: { workers: ReadonlySet<Worker>; spares: ReadonlySet<Worker>; retiring: Set<Worker> },
  fork: (spare: boolean) => Promise<number>,
  onStarted: () => void,
  logger: Logger,
): SpareActions {
  const { workers, spares, retiring } = pool;
  return {
    start: async () => {
      const busy = [...workers].filter((w) => !retiring.has(w));
      await Promise.all(Array.from({ length: count - busy.length }, () => fork(true)));
      onStarted();
      // Connections kept alive by the busy workers would stay theirs: each closes after its next answer and reconnects round the cluster.
      for (const worker of busy) if (worker.isConnected()) worker.send({ stedi: 'rebalance' } satisfies ToWorker);
      logger.info({ workers: workers.size }, 'spare workers started');
    },
    stop: () => {
      logger.info({ spares: spares.size }, 'no requests: spare workers stopping');
      for (const worker of spares) {
        retiring.add(worker);
        if (worker.isConnected()) worker.send({ stedi: 'shutdown' } satisfies ToWorker);
      }
    },
  };
}
