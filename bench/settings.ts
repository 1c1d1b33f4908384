import type { PeerFigure, PeerSize } from './peer/peer-sizes';

/**
 * How big and how long each benchmark runs. The full run is what the README
 * reports; `--quick` is a small version that only proves every benchmark
 * still works (CI runs it and does not judge speed).
 */
export interface BenchSettings {
  quick: boolean;
  warmup: number;
  runs: number;
  seed: number;
  /** Customers of the synthetic lakes of benchmark 2 (the real data has 956). */
  scaleCustomers: number[];
  /** Customers of the lake that benchmark 6 pages through; null: the real data's lake. */
  depthCustomers: number | null;
  /** Length of one load run (benchmarks 5 and 7) and of its warm-up. */
  loadSeconds: number;
  loadWarmupSeconds: number;
  connections: number;
  /** Benchmark 6: rows per page measured, the deep page's number (the last full page when fewer), and rows per page of the timed walk from the start. */
  depthPageSize: number;
  depthPage: number;
  depthWalkPageSize: number;
  /** Benchmark 6: full pages timed from the start, for the paging rate. */
  depthWalkPages: number;
  /** Benchmark 8: concurrent pages and rows per page. */
  memoryPages: number;
  memoryPageSize: number;
  /** Benchmark 3: rows per GraphQL page of machineLearningSamples, and of machineLearningBatch. */
  pullPageSize: number;
  batchPageSize: number;
  /** Benchmark 3: the lakes pulled (null: the real data's; a number: the synthetic lake of that many customers). */
  pullCustomers: Array<number | null>;
  /** The peer run (`--peer`): lake sizes as multiples of the real data (`--peer-sizes`). */
  peerSizes: PeerSize[];
  /** The peer run's figure groups (`--peer-figures`); unset: all. */
  peerFigures?: PeerFigure[];
}

export const REAL_CUSTOMERS = 956;

export const FULL: BenchSettings = {
  quick: false,
  warmup: 1,
  runs: 5,
  seed: 42,
  scaleCustomers: [REAL_CUSTOMERS * 10, REAL_CUSTOMERS * 100],
  depthCustomers: REAL_CUSTOMERS * 100,
  loadSeconds: 20,
  loadWarmupSeconds: 3,
  connections: 32,
  depthPageSize: 10_000,
  depthPage: 400,
  depthWalkPageSize: 10_000,
  depthWalkPages: 10,
  memoryPages: 20,
  memoryPageSize: 10_000,
  pullPageSize: 5_000,
  batchPageSize: 10_000,
  pullCustomers: [null, REAL_CUSTOMERS * 10],
  peerSizes: [1, 10, 100],
};

export const QUICK: BenchSettings = {
  ...FULL,
  quick: true,
  // One unwarmed run: quick runs prove every benchmark runs to the end (CI runs them), and each extra round repeated
  // every benchmark's servers and builds (six server starts for benchmark 9 alone).
  warmup: 0,
  runs: 1,
  scaleCustomers: [100, 400],
  depthCustomers: null,
  loadSeconds: 1,
  loadWarmupSeconds: 0.5,
  depthPageSize: 100,
  depthWalkPageSize: 5_000,
  depthWalkPages: 3,
  memoryPageSize: 2_000,
  pullCustomers: [null],
  peerSizes: [1],
};
