import { rm } from 'node:fs/promises';
import { BuildWorker } from './build-worker';
import type { Benchmark, BenchContext } from './context';
import { type Figure, type Target, atMost, makeFigure, scaled, single, withinFloorMultiple } from './figure';
import { medianSteps } from './build-steps';
import { readLandingOnce } from './landing-floor';
import { syntheticLanding } from './lakes';
import { elapsedMs, measure } from './measure';

/**
 * Benchmark 2: full builds of synthetic landing data at 10× and 100× the real
 * data, each build alone in a child process so its peak memory is its own.
 * The largest size is judged; time must grow no faster than the data.
 */

const MiB = 2 ** 20;

/** Where the last lake built at each size is left for benchmark 6. */
export const builtLakeKey = (customers: number): string => `built-lake:${customers}`;

export const scaleBench: Benchmark = {
  id: '2',
  title: 'full build at scale',
  async run(ctx: BenchContext) {
    const sizes = ctx.settings.scaleCustomers;
    const largest = Math.max(...sizes);
    const figures: Figure[] = [];
    const medians: Array<{ customers: number; bytes: number; ms: number }> = [];
    // Quick runs: one build child for every size, its start-up (seconds of ts-node) being most of a quick size's time.
    const shared = ctx.settings.quick ? new BuildWorker(false) : undefined;
    if (shared) ctx.defer(() => shared.close());
    for (const customers of sizes) {
      const landing = await syntheticLanding(ctx.cacheDir, customers, ctx.settings.seed, ctx.log);
      let previousLake: string | undefined;
      let rows: Record<string, number> = {};
      let baselineRss = 0;
      const steps: Array<Record<string, number>> = [];
      const worker = shared ?? new BuildWorker(true);
      const results = await measure(
        {
          floor: () => elapsedMs(() => readLandingOnce(landing, 'inferred')),
          build: async () => {
            const lake = await ctx.scratch(`scale-${customers}`);
            const built = await worker.build(landing.dir, lake);
            if (previousLake) await rm(previousLake, { recursive: true, force: true });
            previousLake = lake;
            rows = built.rows;
            baselineRss = built.baselineRssBytes;
            steps.push(built.stepMs);
            return { ms: built.durationMs, rssMiB: built.maxRssBytes / MiB };
          },
        },
        ctx.measureOptions(`scale ${customers}`),
      ).finally(() => (shared ? undefined : worker.close()));
      if (previousLake) ctx.shared.set(builtLakeKey(customers), previousLake);
      const judged = customers === largest;
      const label = `${customers.toLocaleString('en-US')} customers`;
      const base = { benchmark: '2', title: this.title };
      const timeTargets: Target[] = judged ? [atMost(30, 's'), withinFloorMultiple(4)] : [];
      figures.push(
        makeFigure({
          ...base,
          figure: `build time, ${label}`,
          unit: 's',
          summary: scaled(results.build.ms, 1 / 1000),
          floor: { what: 'read_json count(*)', summary: scaled(results.floor.value, 1 / 1000) },
          targets: timeTargets,
          details: { landingBytes: landing.bytes, rows, stepMedianMs: medianSteps(steps.slice(ctx.settings.warmup)) },
        }),
        makeFigure({
          ...base,
          figure: `peak RSS of the build process, ${label}`,
          unit: 'MiB',
          summary: results.build.rssMiB,
          targets: judged ? [atMost(1536, 'MiB')] : [],
          details: { processBaselineMiB: Math.round(baselineRss / MiB) },
          note: ctx.settings.quick
            ? 'maxRSS of one child process running every build of this size and of the smaller sizes before it'
            : 'maxRSS of a child process that runs only this build (its Node + ts-node baseline included)',
        }),
      );
      medians.push({ customers, bytes: landing.bytes, ms: results.build.ms.median });
    }
    await shared?.close();
    if (medians.length >= 2) figures.push(growthFigure(medians[0], medians[medians.length - 1], this.title));
    return figures;
  },
};

/** Time grows no faster than the data: the build-time ratio between two sizes is at most their landing-bytes ratio. */
function growthFigure(small: { customers: number; bytes: number; ms: number }, large: { customers: number; bytes: number; ms: number }, title: string): Figure {
  const dataGrowth = large.bytes / small.bytes;
  const timeGrowth = large.ms / small.ms;
  return makeFigure({
    benchmark: '2',
    title,
    figure: `time growth ${small.customers.toLocaleString('en-US')} → ${large.customers.toLocaleString('en-US')} customers`,
    unit: '×',
    summary: single(timeGrowth),
    targets: [{ label: `≤ data growth (${dataGrowth.toFixed(2)}×)`, met: (m) => m <= dataGrowth }],
    details: { dataGrowth, timeGrowth },
    note: 'ratio of the median build times; the data growth is the ratio of landing bytes',
  });
}
