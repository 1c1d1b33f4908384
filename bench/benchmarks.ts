import { buildBench } from './build.bench';
import type { Benchmark } from './context';
import { scaleBench } from './scale.bench';

/** Every benchmark of issue 5, in the order they run (later ones reuse what earlier ones made). */
export const BENCHMARKS: readonly Benchmark[] = [buildBench, scaleBench];
