/**
 * Warm-up, then N measured runs, summarised by median, min and max. Several
 * tasks measured together run interleaved (one round = each task once), so a
 * figure and its floor see the same machine load.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
  samples: number[];
}

/** One run's readings; a bare number is the reading `value`. */
export type Sample = Record<string, number>;
export type Task = () => Promise<Sample | number>;

export interface MeasureOptions {
  warmup: number;
  runs: number;
  /** Called after every run, warm-up included, for a progress line. */
  onRun?: (task: string, run: number, sample: Sample, warmup: boolean) => void;
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new RangeError('cannot summarise zero samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: samples.length, samples };
}

const asSample = (reading: Sample | number): Sample => (typeof reading === 'number' ? { value: reading } : reading);

/** Runs every task `warmup` times unrecorded, then `runs` recorded rounds; returns task → reading → summary. */
export async function measure<K extends string>(tasks: Record<K, Task>, options: MeasureOptions): Promise<Record<K, Record<string, Summary>>> {
  const names = Object.keys(tasks) as K[];
  const recorded = Object.fromEntries(names.map((n) => [n, {} as Record<string, number[]>])) as Record<K, Record<string, number[]>>;
  for (let round = 0; round < options.warmup + options.runs; round += 1) {
    const warmup = round < options.warmup;
    for (const name of names) {
      const sample = asSample(await tasks[name]());
      options.onRun?.(name, round - options.warmup + 1, sample, warmup);
      if (warmup) continue;
      const bucket: Record<string, number[]> = recorded[name];
      for (const [reading, value] of Object.entries(sample)) (bucket[reading] ??= []).push(value);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, Object.fromEntries(Object.entries(recorded[n]).map(([reading, values]) => [reading, summarize(values)]))]),
  ) as Record<K, Record<string, Summary>>;
}

/** Milliseconds `work` took, from a monotonic clock. */
export async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
