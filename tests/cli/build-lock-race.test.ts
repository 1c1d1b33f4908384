import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processStart } from '../../etl/dead-process-folders';
import { fileDamage } from '../../etl/engine/duckdb/file-checks';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES } from '../../etl/tables';
import { manifestOf } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { runBin } from '../helpers/spawn-cli';

/**
 * Builds started together on one lake, as separate `bin/stedi.js build`
 * processes: each either builds or says another build is running; no two
 * ever hold the lock at once; every kept version keeps all its files.
 */

// Every round is the same race, four builds started together (in a run of twenty, each round had one build and three
// refused): ten rounds are forty chances for two builds to overlap, in half the time twenty took.
const ROUNDS = 10;
const BUILDERS = 4;

describe('the build lock under simultaneous builds', () => {
  // The lake a running build's lock is damaged on: built once, a cp -r copy for each case.
  const smallLake = smallLakeCopies();
  jest.setTimeout(600_000);

  it(`lets exactly one of ${BUILDERS} simultaneous builds run at a time, ${ROUNDS} rounds over`, async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-race-');
    const layout = new LakeLayout(lake);
    const held: Array<{ start: number; end: number; version: string }> = [];
    let refused = 0;

    for (let round = 0; round < ROUNDS; round += 1) {
      const runs = await Promise.all(Array.from({ length: BUILDERS }, () => runBin(['build', '--landing', landing, '--lake', lake, '--keep', '2', '--json'])));
      let built = 0;
      for (const run of runs) {
        if (run.code === 0) {
          const report = JSON.parse(run.stdout) as { version: string; startedAt: string; builtAt: string };
          held.push({ start: Date.parse(report.startedAt), end: Date.parse(report.builtAt), version: report.version });
          built += 1;
        } else {
          expect(run.stderr.trim()).toMatch(/^stedi: another build is running \(pid \d+ on \S+, since [^)]+\) on this lake; wait for it to finish/);
          refused += 1;
        }
      }
      expect(built).toBeGreaterThanOrEqual(1);

      // Every listed version has all its files, whole; nothing is left of the others, the lock or the builds' records.
      const manifest = (await manifestOf(lake))!;
      for (const v of manifest.versions) {
        for (const table of BUILT_TABLES) expect(await fileDamage(layout.tableFile(table, v.version), table, v.tables[table])).toBeNull();
      }
      const kept = manifest.versions.map((v) => `v=${v.version}`).sort();
      for (const table of BUILT_TABLES) expect(readdirSync(layout.tableRoot(table)).sort()).toEqual(kept);
      expect(existsSync(layout.lockPath)).toBe(false);
      expect(readdirSync(join(lake, '_stedi')).filter((f) => f !== 'manifest.json' && f !== 'manifest.copy.json' && f !== 'builds')).toEqual([]);
    }

    // The times each build held the lock never overlap.
    held.sort((a, b) => a.start - b.start);
    for (let i = 1; i < held.length; i += 1) expect(held[i].start).toBeGreaterThanOrEqual(held[i - 1].end);
    expect(held.length + refused).toBe(ROUNDS * BUILDERS);
    // The race is real: some starts found the lock taken.
    expect(refused).toBeGreaterThan(0);
  });

  it.each([
    ['zeroed', (lock: string) => writeFileSync(lock, Buffer.alloc(64))],
    ['removed by hand', (lock: string) => rmSync(lock, { force: true })],
  ])("takes a lock file %s for a running build's when that build's record says so, and deletes none of its files", async (_how, damage) => {
    const { landing, lake } = smallLake();
    const layout = new LakeLayout(lake);
    // A build at work (a live process of this host, named by its record) whose lock file was then zeroed.
    const running = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 600000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => running.once('exit', resolve));
    try {
      const pid = running.pid!;
      const version = '20260101t000000000z_a1b2';
      const holder = { pid, host: hostname(), pidStart: processStart(pid), owner: `build ${version}`, since: new Date().toISOString(), token: '0123456789abcdef' };
      mkdirSync(layout.buildsDir, { recursive: true });
      writeFileSync(layout.buildRecord(version), JSON.stringify({ version, holder, expiring: [] }));
      mkdirSync(layout.versionDir('customer_trusted', version), { recursive: true });
      writeFileSync(layout.tableFile('customer_trusted', version), 'being written');
      damage(layout.lockPath);

      const refused = await runBin(['build', '--landing', landing, '--lake', lake]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim()).toMatch(new RegExp(`^stedi: another build is running \\(pid ${pid} on `));
      expect(existsSync(layout.tableFile('customer_trusted', version))).toBe(true);
      expect((await runBin(['status', '--lake', lake])).stdout).toContain(`A build is running (pid ${pid} on `);
    } finally {
      running.kill('SIGKILL');
      await exited;
    }
    // Once that build is gone, its lock is stale and its unpublished files a dead build's; a damaged record's pid of -1
    // (which reaches every process) names no running build.
    writeFileSync(layout.buildRecord('20260101t000000000z_0bad'), JSON.stringify({ version: '20260101t000000000z_0bad', holder: { pid: -1, host: hostname(), pidStart: '1' }, expiring: [] }));
    expect((await runBin(['build', '--landing', landing, '--lake', lake])).code).toBe(0);
    expect(existsSync(layout.versionDir('customer_trusted', '20260101t000000000z_a1b2'))).toBe(false);
    expect(existsSync(layout.lockPath)).toBe(false);
  });
});
