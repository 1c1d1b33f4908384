import { parentPort } from 'node:worker_threads';
import type { Column } from '../tables';
import { type ColumnBatch, batchingSink, transferables } from './column-batches';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

/**
 * A worker thread of the landing pool: runs the one landing reader over one
 * job's files at a time, so the sources parse on every core while the main
 * thread appends. Column batches go back by transfer; the main thread
 * acknowledges each, and the reader waits while too many are unacknowledged,
 * so batches never pile up in the main thread's queue.
 */

export interface Job {
  id: number;
  files: string[];
  columns: Column[];
  options: ReadOptions;
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

function run({ id, files, columns, options }: Job): void {
  const port = parentPort!;
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const sink = batchingSink(
    columns,
    (batch, rows) => {
      unacknowledged += 1;
      send({ kind: 'rows', id, rows, columns: batch }, transferables(batch));
    },
    (line) => send({ kind: 'quarantine', id, line }),
  );
  const pace = (): Promise<void> | undefined => (unacknowledged < MAX_UNACKNOWLEDGED ? undefined : new Promise((r) => (resume = r)));
  readLanding(files, columns, sink, { ...options, pace }).then(
    (tally) => {
      sink.flush();
      send({ kind: 'done', id, tally });
    },
    (error: Error) => send({ kind: 'error', id, name: error.name, message: error.message }),
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
