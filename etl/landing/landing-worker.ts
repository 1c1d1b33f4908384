import { parentPort } from 'node:worker_threads';
import type { Column } from '../tables';
import { type ColumnBatch, batchingSink, transferables } from './column-batches';
import { LandingParquetFile } from './landing-parquet';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

/**
 * A worker thread of the landing pool: runs the one landing reader over one
 * job's files at a time, so the sources parse on every core. Accepted rows go
 * into the job's Parquet file when it names one (nothing per row then crosses
 * threads), else back as column batches by transfer; the main thread
 * acknowledges each, and the reader waits while too many are unacknowledged,
 * so batches never pile up in the main thread's queue.
 */

export interface Job {
  id: number;
  files: string[];
  columns: Column[];
  options: ReadOptions;
  parquet?: string;
}

export type ToWorker = { kind: 'job'; job: Job } | { kind: 'ack'; id: number };

export type FromWorker =
  | { kind: 'rows'; id: number; rows: number; columns: ColumnBatch }
  | { kind: 'quarantine'; id: number; line: QuarantinedLine }
  | { kind: 'done'; id: number; tally: LandingTally }
  | { kind: 'error'; id: number; name: string; message: string };

/** Batches a job may have in flight (about 2,048 rows each) before its reader waits. */
export const MAX_UNACKNOWLEDGED = 16;

let unacknowledged = 0;
let resume: (() => void) | undefined;

function run({ id, files, columns, options, parquet }: Job): void {
  const port = parentPort!;
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  let file: LandingParquetFile | undefined;
  const sent = (batch: ColumnBatch, rows: number): void => {
    unacknowledged += 1;
    send({ kind: 'rows', id, rows, columns: batch }, transferables(batch));
  };
  const reading = (async () => {
    file = parquet === undefined ? undefined : new LandingParquetFile(parquet, columns);
    const written = file;
    const sink = batchingSink(columns, written ? (batch, rows) => written.append(batch, rows) : sent, (line) => send({ kind: 'quarantine', id, line }));
    const pace = (): Promise<void> | undefined => (unacknowledged < MAX_UNACKNOWLEDGED ? undefined : new Promise((r) => (resume = r)));
    const tally = await readLanding(files, columns, sink, { ...options, pace });
    sink.flush();
    written?.close();
    return tally;
  })();
  reading.then(
    (tally) => send({ kind: 'done', id, tally }),
    (error: Error) => {
      file?.discard();
      send({ kind: 'error', id, name: error.name, message: error.message });
    },
  );
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.kind === 'job') run(message.job);
  else {
    unacknowledged -= 1;
    if (unacknowledged < MAX_UNACKNOWLEDGED / 2 && resume) {
      const go = resume;
      resume = undefined;
      go();
    }
  }
});
