import { stat } from 'node:fs/promises';
import type { Column } from '../tables';
import { batchingSink } from './column-batches';
import { LandingPool } from './landing-pool';
import { LandingParquetFile } from './landing-parquet';
import { LandingReadError } from './landing-read-error';
import { type LandingTally, type QuarantinedLine, type ReadOptions, readLanding } from './landing-reader';

export { LandingPool } from './landing-pool';

/**
 * Where accepted records go: into Parquet files (landing-parquet.ts) written
 * by whichever thread parses them, one per job, named by `parquet(job)`.
 */
export interface ColumnSink {
  parquet(job: number): string;
  quarantine(line: QuarantinedLine): void;
}

/** The reader's tally, and the Parquet files written, in job order. */
export type ColumnsTally = LandingTally & { parquetFiles: string[] };

/** Below this many bytes a source is read on the calling thread: starting the pool's threads costs more than it saves. */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Where a source is parsed: `pool` (from `minBytes`), else the calling thread, once `turn` resolves (sources read there
 * one by one); `done` is called as soon as the calling thread has read it, so the next source's turn need not wait for
 * what follows the parse.
 */
export interface ReadThreads {
  pool?: LandingPool;
  minBytes?: number;
  turn?: () => Promise<unknown>;
  done?: () => void;
}

/**
 * The one landing reader (readLanding) over `files`. With a pool and enough
 * bytes, each file is a job for the pool's worker threads (the customer
 * source, whose consent doubt spans files, is one job); rows arrive in any
 * order, quarantined lines in file order, the tally once every job is done.
 */
export async function readLandingColumns(files: readonly string[], columns: readonly Column[], sink: ColumnSink, options: ReadOptions = {}, threads: ReadThreads = {}): Promise<ColumnsTally> {
  const { pool, minBytes = WORKER_MIN_BYTES } = threads;
  let bytes = 0;
  // A file gone since the folder was listed (moved away mid-build) is named with its fix, as a failed read is.
  for (const file of files) bytes += (await stat(file).catch((error: unknown) => Promise.reject(new LandingReadError(file, 0, error)))).size;
  if (!pool || bytes < minBytes || files.length === 0) {
    await threads.turn?.();
    try {
      return await readHere(files, columns, sink, options);
    } finally {
      threads.done?.();
    }
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
  const parquetFiles = groups.map((_, k) => sink.parquet(k));
  const settled = await Promise.allSettled(
    groups.map((group, k) =>
      pool
        .run(group, columns, options, {
          quarantine: (line) => (k === head ? sink.quarantine(line) : held[k].push(line)),
          parquet: parquetFiles[k],
        })
        .finally(() => {
          finished[k] = true;
          release();
        }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const tally: ColumnsTally = { lines: 0, accepted: 0, quarantined: 0, blank: 0, uncertain: [], parquetFiles };
  for (const s of settled as Array<PromiseFulfilledResult<LandingTally>>) {
    tally.lines += s.value.lines;
    tally.accepted += s.value.accepted;
    tally.quarantined += s.value.quarantined;
    tally.blank += s.value.blank;
    tally.uncertain.push(...s.value.uncertain);
  }
  return tally;
}

/** The reader on this thread, its rows into one Parquet file. */
async function readHere(files: readonly string[], columns: readonly Column[], sink: ColumnSink, options: ReadOptions): Promise<ColumnsTally> {
  const file = new LandingParquetFile(sink.parquet(0), columns);
  try {
    const batches = batchingSink(columns, (batch, rows) => file.append(batch, rows), (line) => sink.quarantine(line));
    const tally = await readLanding(files, columns, batches, options);
    batches.flush();
    file.close();
    return { ...tally, parquetFiles: [file.path] };
  } finally {
    file.discard();
  }
}
