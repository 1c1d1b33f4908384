import { parentPort } from 'node:worker_threads';
import type { Column } from '../tables';
import { batchingSink } from './column-batches';
import { LandingParquetFile } from './landing-parquet';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

/**
 * A worker thread of the landing pool: runs the one landing reader over one
 * job's files at a time, so the sources parse on every core, and writes the
 * accepted rows into the job's Parquet file itself: no row crosses threads,
 * only quarantined lines and the tally.
 */

export interface Job {
  id: number;
  files: string[];
  columns: Column[];
  options: ReadOptions;
  parquet: string;
}

export type ToWorker = { kind: 'job'; job: Job };

export type FromWorker =
  | { kind: 'quarantine'; id: number; line: QuarantinedLine }
  | { kind: 'done'; id: number; tally: LandingTally }
  | { kind: 'error'; id: number; name: string; message: string; code?: string; syscall?: string; path?: string };

async function read({ id, files, columns, options, parquet }: Job, send: (message: FromWorker) => void): Promise<LandingTally> {
  const file = new LandingParquetFile(parquet, columns);
  try {
    const sink = batchingSink(columns, (batch, rows) => file.append(batch, rows), (line) => send({ kind: 'quarantine', id, line }));
    const tally = await readLanding(files, columns, sink, options);
    sink.flush();
    file.close();
    return tally;
  } finally {
    file.discard();
  }
}

parentPort?.on('message', ({ job }: ToWorker) => {
  const send = (message: FromWorker): void => parentPort!.postMessage(message);
  read(job, send).then(
    (tally) => send({ kind: 'done', id: job.id, tally }),
    // A filesystem error keeps its code and path across the thread, so the build can say which disk refused what.
    (error: NodeJS.ErrnoException) => send({ kind: 'error', id: job.id, name: error.name, message: error.message, code: error.code, syscall: error.syscall, path: error.path }),
  );
});
