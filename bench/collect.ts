import { type Benchmark, type BenchContext, BenchmarkIncomplete } from './context';
import type { Figure } from './figure';
import type { BenchError } from './report';

/**
 * Runs the benchmarks one after another. A benchmark that fails is an error
 * of the run, not its end: the next one still runs, and a benchmark that
 * failed part-way keeps the figures it measured before.
 */
export async function collect(benchmarks: readonly Benchmark[], ctx: BenchContext): Promise<{ figures: Figure[]; errors: BenchError[] }> {
  const figures: Figure[] = [];
  const errors: BenchError[] = [];
  for (const bench of benchmarks) {
    ctx.log(`benchmark ${bench.id}: ${bench.title}`);
    try {
      figures.push(...(await bench.run(ctx)));
    } catch (error) {
      if (error instanceof BenchmarkIncomplete) figures.push(...error.figures);
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`benchmark ${bench.id} failed: ${error instanceof Error ? error.stack : message}`);
      errors.push({ benchmark: bench.id, title: bench.title, error: message.split('\n')[0] });
    }
  }
  return { figures, errors };
}
