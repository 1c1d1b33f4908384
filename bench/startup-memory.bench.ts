import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LakeLayout } from '../etl/engine/duckdb/lake-layout';
import type { LakeManifest } from '../etl/manifest';
import { BUILT_TABLES } from '../etl/tables';
import type { Benchmark, BenchContext } from './context';
import { makeFigure, withinFloorMultiple } from './figure';
import { measure } from './measure';
import { buildLake, syntheticLanding } from './lakes';
import { startServer } from './server';

/**
 * Benchmark 9: a server's resident memory once it is ready (/readyz 200), on a
 * lake with 3 kept versions against the same lake with only its live one:
 * only the live version is loaded at start, so the two stay within 10%. On
 * the 100× lake (the real data's on quick runs).
 */

const MiB = 2 ** 20;

async function readyRss(ctx: BenchContext, lake: string, landing: string): Promise<number> {
  const server = await startServer({ lake, landing, log: ctx.log });
  try {
    for (let tries = 0; ; tries += 1) {
      const res = await fetch(`${server.url}/readyz`);
      if (res.status === 200) break;
      if (tries > 1_200) throw new Error(`the server never became ready: ${JSON.stringify(await res.json())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let start-up garbage settle before reading.
    await new Promise((r) => setTimeout(r, 1_000));
    return (await server.residentBytes()) / MiB;
  } finally {
    await server.stop();
  }
}

/** A copy of `lake` whose manifest keeps only the live version (the others' folders are dropped). */
function liveOnlyCopy(lake: string, into: string): void {
  cpSync(lake, into, { recursive: true });
  const layout = new LakeLayout(into);
  const manifest = JSON.parse(readFileSync(layout.manifestPath, 'utf8')) as LakeManifest;
  for (const old of manifest.versions.slice(1)) {
    for (const table of BUILT_TABLES) rmSync(layout.versionDir(table, old.version), { recursive: true, force: true });
  }
  writeFileSync(layout.manifestPath, JSON.stringify({ ...manifest, versions: manifest.versions.slice(0, 1) }));
}

export const startupMemoryBench: Benchmark = {
  id: '9',
  title: 'start-up memory with kept versions',
  async run(ctx: BenchContext) {
    const customers = ctx.settings.depthCustomers;
    const landing = customers === null ? ctx.sampleDir : (await syntheticLanding(ctx.cacheDir, customers, ctx.settings.seed, ctx.log)).dir;
    const three = await ctx.scratch('startup-three');
    ctx.log(`building 3 versions of the ${customers === null ? 'real data' : `${customers.toLocaleString('en-US')}-customer`} lake into ${three}`);
    for (let i = 0; i < 3; i += 1) await buildLake(landing, three);
    const one = join(await ctx.scratch('startup-one'), 'lake');
    liveOnlyCopy(three, one);
    const results = await measure({ one: async () => ({ rss: await readyRss(ctx, one, landing) }), three: async () => ({ rss: await readyRss(ctx, three, landing) }) }, ctx.measureOptions('startup'));
    return [
      makeFigure({
        benchmark: '9',
        title: this.title,
        figure: 'RSS once ready, 3 kept versions',
        unit: 'MiB',
        summary: results.three.rss,
        floor: { what: 'RSS once ready, live version only', summary: results.one.rss },
        targets: [withinFloorMultiple(1.1)],
      }),
    ];
  },
};
