import type { Logger } from '../logger';
import { RepeatedLines } from '../http/repeated-lines';
import { MISSES_BEFORE_CLOSE, type MissedHandOff } from './unaccepted-connections';

/** How long repeats of the warning are counted before their count is written: a worker at its limit misses many. */
const WINDOW_MS = 60_000;

export const MISSED_CONNECTION_LINE =
  `a connection handed to a worker never reached it: that worker was at its open-file limit (ulimit -n); it went to another worker, or was closed after ${MISSES_BEFORE_CLOSE} tries; raise the limit (ulimit -n 4096) before starting stedi`;

/**
 * The primary's warning for connections a worker could not receive (unaccepted-connections.ts): the first one a
 * minute, then the count of the rest.
 */
export function missedConnectionWarnings(logger: Logger): (workerId: number, missed: MissedHandOff) => void {
  const lines = new RepeatedLines(WINDOW_MS);
  return (workerId, { closed }) =>
    lines.seen(
      'missed',
      () => logger.warn({ workerId, closed }, MISSED_CONNECTION_LINE),
      (count) => logger.warn({ connections: count }, `${count} more connections never reached their worker (its open-file limit, ulimit -n), not logged one by one`),
    );
}
