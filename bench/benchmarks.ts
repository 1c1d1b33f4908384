import { buildBench } from './build.bench';
import type { Benchmark } from './context';
import { exportBench } from './export.bench';
import { graphqlPullBench } from './graphql-pull.bench';
import { hostileLoadBench } from './hostile-load.bench';
import { keysetDepthBench } from './keyset-depth.bench';
import { memoryBench } from './memory.bench';
import { rebuildUnderLoadBench } from './rebuild-under-load.bench';
import { scaleBench } from './scale.bench';
import { smallQueriesBench } from './small-queries.bench';
import { startupMemoryBench } from './startup-memory.bench';

/**
 * Every benchmark of issue 5, in the order they run: 6 reuses the 100× lake
 * that 2 built, and 7 compares with 5's baseline; 9 (issue 9) is start-up memory,
 * 10 (issue 10) small queries next to a hostile client.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  buildBench,
  scaleBench,
  graphqlPullBench,
  exportBench,
  smallQueriesBench,
  keysetDepthBench,
  rebuildUnderLoadBench,
  memoryBench,
  startupMemoryBench,
  hostileLoadBench,
];
