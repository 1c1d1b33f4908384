import { stat } from 'node:fs/promises';
import type { Column } from '../tables';
import { type ColumnBatch, batchingSink } from './column-batches';
import { LandingPool } from './landing-pool';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

export { LandingPool } from './landing-pool';

/** Where accepted records arrive in column batches (see column-batches.ts for the layout). */
export interface ColumnSink {
  acceptColumns(columns: ColumnBatch, rows: number): void;
  quarantine(line: QuarantinedLine): void;
}

/** Below this many bytes a source is read on the calling thread: starting the pool's threads costs more than it saves. */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

/** Where a source is parsed: `pool` (from `minBytes`), else the calling thread, once `turn` resolves (sources read there one by one). */
export interface ReadThreads {
  pool?: LandingPool;
  minBytes?: number;
  turn?: () => Promise<unknown>;
}

/**
 * The one landing reader (readLanding) over `files`. With a pool and enough
 * bytes, each file is a job for the pool's worker threads (the customer
 * source, whose consent doubt spans files, is one job); rows arrive in any
 * order, quarantined lines in file order, the tally once every job is done.
 */
export async function readLandingColumns(files: readonly string[], columns: readonly Column[], sink: ColumnSink, options: ReadOptions = {}, threads: ReadThreads = {}): Promise<LandingTally> {
  const { pool, minBytes = WORKER_MIN_BYTES } = threads;
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  if (!pool || bytes < minBytes) {
    await threads.turn?.();
    const batches = batchingSink(columns, (batch, rows) => sink.acceptColumns(batch, rows), (line) => sink.quarantine(line));
    const tally = await readLanding(files, columns, batches, options);
    batches.flush();
    return tally;
  }
  const groups = options.consentDoubt ? [[...files]] : files.map((f) => [f]);
  // Quarantined lines of a later job wait for the earlier jobs, so the quarantine file keeps landing order.
  const held: QuarantinedLine[][] = groups.map(() => []);
  const finished = groups.map(() => false);
  let head = 0;
  const release = (): void => {
    while (head < groups.length && finished[head]) {
      head += 1;
      if (head < groups.length) for (const line of held[head].splice(0)) sink.quarantine(line);
    }
  };
  const settled = await Promise.allSettled(
    groups.map((group, k) =>
      pool
        .run(group, columns, options, {
          rows: (batch, rows) => sink.acceptColumns(batch, rows),
          quarantine: (line) => (k === head ? sink.quarantine(line) : held[k].push(line)),
        })
        .finally(() => {
          finished[k] = true;
          release();
        }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const tally: LandingTally = { lines: 0, accepted: 0, quarantined: 0, blank: 0, uncertain: [] };
  for (const s of settled as Array<PromiseFulfilledResult<LandingTally>>) {
    tally.lines += s.value.lines;
    tally.accepted += s.value.accepted;
    tally.quarantined += s.value.quarantined;
    tally.blank += s.value.blank;
    tally.uncertain.push(...s.value.uncertain);
  }
  return tally;
}
