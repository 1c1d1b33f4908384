import { rm } from 'node:fs/promises';
import type { Benchmark, BenchContext } from './context';
import { atMost, makeFigure, scaled, withinFloorMultiple } from './figure';
import { readLandingOnce } from './landing-floor';
import { buildLake, describeLanding } from './lakes';
import { BuildStepTimer, medianSteps } from './build-steps';
import { elapsedMs, measure } from './measure';

/** Benchmark 1: a full build of all eight tables from the real landing data. */

export const buildBench: Benchmark = {
  id: '1',
  title: 'full build, real data',
  async run(ctx: BenchContext) {
    const landing = await describeLanding(ctx.sampleDir);
    const steps: Array<Record<string, number>> = [];
    const build = async (): Promise<number> => {
      const lake = await ctx.scratch('build');
      const timer = new BuildStepTimer();
      const ms = await elapsedMs(() => buildLake(landing.dir, lake, timer.onProgress));
      steps.push(timer.ms);
      await rm(lake, { recursive: true, force: true });
      return ms;
    };
    const results = await measure(
      {
        floor: () => elapsedMs(() => readLandingOnce(landing, 'inferred')),
        declaredFloor: () => elapsedMs(() => readLandingOnce(landing, 'declared')),
        build,
      },
      ctx.measureOptions('build'),
    );
    // The warm-up builds come first; the medians are of the measured runs.
    const stepMedians = medianSteps(steps.slice(ctx.settings.warmup));
    const toS = (ms: typeof results.build.value) => scaled(ms, 1 / 1000);
    const base = { benchmark: '1', title: this.title, unit: 's' as const };
    return [
      makeFigure({
        ...base,
        figure: 'build time, 8 tables',
        summary: toS(results.build.value),
        floor: { what: 'read_json count(*)', summary: toS(results.floor.value) },
        targets: [atMost(1.0, 's'), withinFloorMultiple(2.5)],
        details: { landingBytes: landing.bytes, stepMedianMs: stepMedians },
      }),
      makeFigure({
        ...base,
        figure: 'build time vs a read with the declared columns',
        summary: toS(results.build.value),
        floor: { what: 'read_json count(*), declared columns', summary: toS(results.declaredFloor.value) },
        note: 'the same builds against a floor that skips schema inference, for comparison',
      }),
    ];
  },
};
