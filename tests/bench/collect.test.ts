import { existsSync } from 'node:fs';
import { collect } from '../../bench/collect';
import { type Benchmark, BenchContext, BenchmarkIncomplete } from '../../bench/context';
import type { Figure } from '../../bench/figure';
import { QUICK } from '../../bench/settings';

function figure(name: string): Figure {
  return { benchmark: 'x', title: 'x', figure: name, unit: 'ms', median: 1, min: 1, max: 1, runs: 1, floor: null, ratio: null, target: '', pass: null, criteria: [] };
}

function bench(id: string, run: () => Promise<Figure[]>): Benchmark {
  return { id, title: `benchmark ${id}`, run };
}

describe('running the benchmarks of one run', () => {
  const logs: string[] = [];
  const ctx = new BenchContext(QUICK, '/nonexistent', '/nonexistent', (m) => logs.push(m));
  afterAll(() => ctx.close());

  it('keeps the figures a benchmark measured before it failed, and goes on to the next', async () => {
    const { figures, errors } = await collect(
      [
        bench('1', async () => [figure('a')]),
        bench('2', async () => {
          throw new BenchmarkIncomplete('the peer run failed at 100×: fetch failed\nat line 2', [figure('b')]);
        }),
        bench('3', async () => {
          throw new Error('no lake');
        }),
        bench('4', async () => [figure('c')]),
      ],
      ctx,
    );
    expect(figures.map((f) => f.figure)).toEqual(['a', 'b', 'c']);
    expect(errors).toEqual([
      { benchmark: '2', title: 'benchmark 2', error: 'the peer run failed at 100×: fetch failed' },
      { benchmark: '3', title: 'benchmark 3', error: 'no lake' },
    ]);
  });

  it('runs its clean-ups and removes its scratch folder once, however often it is closed', async () => {
    const own = new BenchContext(QUICK, '/nonexistent', '/nonexistent', () => undefined);
    const folder = await own.scratch('lake');
    let stops = 0;
    own.defer(async () => {
      stops += 1;
    });
    await Promise.all([own.close(), own.close()]);
    await own.close();
    expect({ stops, folderLeft: existsSync(folder) }).toEqual({ stops: 1, folderLeft: false });
  });
});
