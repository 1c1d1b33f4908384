import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figure';
import { buildLake } from './lakes';
import type { MeasureOptions } from './measure';
import { type BenchServer, startServer } from './server';
import type { BenchSettings } from './settings';

/**
 * What every benchmark gets: the settings, where the data is, a scratch
 * folder removed at the end of the run, and the few things benchmarks share
 * (the real data's lake, a server on it) made once, on first use.
 */

export interface Benchmark {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** A benchmark that failed part-way: the figures it measured before the failure are still results. */
export class BenchmarkIncomplete extends Error {
  constructor(
    message: string,
    readonly figures: Figure[],
  ) {
    super(message);
    this.name = 'BenchmarkIncomplete';
  }
}

export class BenchContext {
  /** Values one benchmark leaves for another (benchmark 7 reuses benchmark 5's baseline). */
  readonly shared = new Map<string, unknown>();
  private readonly cleanups: Array<() => Promise<void>> = [];
  private scratchRoot?: string;
  private realLakeDir?: Promise<string>;
  private realServer?: Promise<BenchServer>;
  private closing?: Promise<void>;

  constructor(
    readonly settings: BenchSettings,
    readonly sampleDir: string,
    readonly cacheDir: string,
    readonly log: (message: string) => void,
  ) {}

  /** Options for `measure`: this run's warm-up and run counts, with a progress line per run. */
  measureOptions(label: string, overrides: Partial<MeasureOptions> = {}): MeasureOptions {
    return {
      warmup: this.settings.warmup,
      runs: this.settings.runs,
      onRun: (task, run, sample, warmup) =>
        this.log(`  ${label} ${task} ${warmup ? 'warm-up' : `run ${run}`}: ${Object.entries(sample).map(([k, v]) => `${k}=${Math.round(v * 100) / 100}`).join(' ')}`),
      ...overrides,
    };
  }

  /** A new empty folder under this run's scratch folder. */
  async scratch(prefix: string): Promise<string> {
    this.scratchRoot ??= await mkdtemp(join(tmpdir(), 'stedi-bench-'));
    return mkdtemp(join(this.scratchRoot, `${prefix}-`));
  }

  /** Runs `cleanup` when the whole run ends (last registered, first run). */
  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** A lake built once per run from the real landing data. */
  realLake(): Promise<string> {
    this.realLakeDir ??= (async () => {
      const lake = await this.scratch('real-lake');
      this.log(`building the real data into ${lake}`);
      await buildLake(this.sampleDir, lake);
      return lake;
    })();
    return this.realLakeDir;
  }

  /** A server on the real data's lake, started once per run on a loopback port. */
  realDataServer(): Promise<BenchServer> {
    this.realServer ??= (async () => {
      const server = await startServer({ lake: await this.realLake(), landing: this.sampleDir, log: this.log });
      this.defer(() => server.stop());
      return server;
    })();
    return this.realServer;
  }

  /** Runs the deferred clean-ups and removes the scratch folder, once however often it is called. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const cleanup of this.cleanups.reverse()) {
        await cleanup().catch((error: unknown) => this.log(`cleanup failed: ${(error as Error).message}`));
      }
      if (this.scratchRoot) await rm(this.scratchRoot, { recursive: true, force: true });
    })();
    return this.closing;
  }
}
