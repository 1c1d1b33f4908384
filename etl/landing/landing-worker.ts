import { parentPort, workerData } from 'node:worker_threads';
import type { Column } from '../tables';
import { type ColumnBatch, batchingSink } from './column-batches';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

/**
 * A worker thread running the one landing reader over one source's files, so
 * sources parse on every core while the main thread appends. Column batches
 * go back with their number arrays transferred.
 */

export type WorkerMessage =
  | { kind: 'rows'; rows: number; columns: ColumnBatch }
  | { kind: 'quarantine'; line: QuarantinedLine }
  | { kind: 'done'; tally: LandingTally }
  | { kind: 'error'; name: string; message: string };

interface Job {
  files: string[];
  columns: Column[];
  options: ReadOptions;
}

function run({ files, columns, options }: Job): void {
  const port = parentPort!;
  const sink = batchingSink(
    columns,
    (batch, rows) => {
      const transfer = batch.filter((c): c is Float64Array => c instanceof Float64Array).map((c) => c.buffer as ArrayBuffer);
      port.postMessage({ kind: 'rows', rows, columns: batch } satisfies WorkerMessage, transfer);
    },
    (line) => port.postMessage({ kind: 'quarantine', line } satisfies WorkerMessage),
  );
  readLanding(files, columns, sink, options).then(
    (tally) => {
      sink.flush();
      port.postMessage({ kind: 'done', tally } satisfies WorkerMessage);
    },
    (error: Error) => port.postMessage({ kind: 'error', name: error.name, message: error.message } satisfies WorkerMessage),
  );
}

if (parentPort && workerData) run(workerData as Job);
