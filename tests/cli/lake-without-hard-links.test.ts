import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES } from '../../etl/tables';
import { devKeysFile } from '../../src/auth/dev-keys';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin, spawnBin } from '../helpers/spawn-cli';

// Each build runs with link() refused (EPERM), as a lake folder on an exFAT or FAT drive refuses it.
const NO_HARD_LINKS = { NODE_OPTIONS: `--require ${JSON.stringify(resolve(__dirname, '..', 'helpers', 'no-hard-links.cjs'))}` };
const ROUNDS = 3;
const BUILDERS = 3;

describe('a lake folder on a filesystem without hard links (exFAT, FAT: a USB drive)', () => {
  it(`builds there, one build at a time of ${BUILDERS} started together, ${ROUNDS} rounds over, and leaves no lock behind`, async () => {
    const landing = writeSmallLanding();
    const lake = join(makeTempDir('stedi-no-links-'), 'lake');
    const layout = new LakeLayout(lake);
    const held: Array<{ start: number; end: number }> = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const runs = await Promise.all(Array.from({ length: BUILDERS }, () => runBin(['build', '--landing', landing, '--lake', lake, '--keep', '2', '--json'], NO_HARD_LINKS)));
      for (const run of runs) {
        if (run.code === 0) {
          const report = JSON.parse(run.stdout) as { startedAt: string; builtAt: string };
          held.push({ start: Date.parse(report.startedAt), end: Date.parse(report.builtAt) });
        } else expect(run.stderr.trim()).toMatch(/^stedi: another build is running \(pid \d+ on \S+, since [^)]+\) on this lake; wait for it to finish/);
      }
    }
    expect(held.length).toBeGreaterThanOrEqual(ROUNDS);
    held.sort((a, b) => a.start - b.start);
    for (let i = 1; i < held.length; i += 1) expect(held[i].start).toBeGreaterThanOrEqual(held[i - 1].end);
    const kept = (await manifestOf(lake))!.versions.map((v) => `v=${v.version}`).sort();
    for (const table of BUILT_TABLES) expect(readdirSync(layout.tableRoot(table)).sort()).toEqual(kept);
    expect(readdirSync(join(lake, '_stedi')).sort()).toEqual(['manifest.copy.json', 'manifest.json']);
    expect(existsSync(layout.lockPath)).toBe(false);
  }, 120_000);

  it('keeps the development keys `stedi start` makes there, so the next start serves with the same ones', async () => {
    const lake = makeTempDir('stedi-no-links-start-');
    await buildLake(writeSmallLanding(), lake);
    const keysOf = async (): Promise<string> => {
      const start = spawnBin(['start', '--lake', lake], { ...NO_HARD_LINKS, STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      try {
        const [, analyst] = await start.waitFor(/analyst (\S+)/, 55_000);
        await start.waitFor(/└─+┘/);
        expect(start.stdout()).toContain(`Kept in ${devKeysFile(lake)}`);
        start.child.kill('SIGTERM');
        expect(await start.exited).toBe(0);
        return analyst;
      } finally {
        start.child.kill('SIGKILL');
      }
    };
    const first = await keysOf();
    expect(await keysOf()).toBe(first);
    expect(readdirSync(join(lake, '_stedi')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
