import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Column } from '../tables';
import { type ColumnBatch, batchingSink } from './column-batches';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';
import type { WorkerMessage } from './landing-worker';

/** Where accepted records arrive in column batches (see landing-worker.ts for the layout). */
export interface ColumnSink {
  acceptColumns(columns: ColumnBatch, rows: number): void;
  quarantine(line: QuarantinedLine): void;
}

// Private: from the TypeScript sources (tests, ts-node) the worker needs ts-node too; from dist it is plain JS.
const WORKER = join(__dirname, `landing-worker${extname(__filename)}`);
const EXEC_ARGV = extname(__filename) === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [];

/** Below this many bytes a worker's start costs more than it saves: the reader runs on the calling thread. */
export const WORKER_MIN_BYTES = 32 * 1024 * 1024;

/**
 * The one landing reader (readLanding) over `files`, in a worker thread when
 * they are large enough to be worth one; resolves with its tally.
 */
export async function readLandingColumns(files: readonly string[], columns: readonly Column[], sink: ColumnSink, options: ReadOptions = {}, workerMinBytes = WORKER_MIN_BYTES): Promise<LandingTally> {
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  if (bytes < workerMinBytes) {
    const batches = batchingSink(columns, (batch, rows) => sink.acceptColumns(batch, rows), (line) => sink.quarantine(line));
    const tally = await readLanding(files, columns, batches, options);
    batches.flush();
    return tally;
  }
  return inWorker(files, columns, sink, options);
}

function inWorker(files: readonly string[], columns: readonly Column[], sink: ColumnSink, options: ReadOptions): Promise<LandingTally> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { files, columns, options }, execArgv: EXEC_ARGV });
    let settled = false;
    const finish = (error: Error | undefined, tally?: LandingTally): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(tally!);
    };
    worker.on('message', (message: WorkerMessage) => {
      try {
        if (message.kind === 'rows') sink.acceptColumns(message.columns, message.rows);
        else if (message.kind === 'quarantine') sink.quarantine(message.line);
        else if (message.kind === 'done') finish(undefined, message.tally);
        else finish(Object.assign(new Error(message.message), { name: message.name }));
      } catch (error) {
        finish(error as Error);
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the landing reader's worker thread exited (code ${code}) before it finished`)));
  });
}
