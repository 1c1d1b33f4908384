import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { spawnBin } from '../helpers/spawn-cli';

// The named file is swapped for a pipe nothing writes to just before the build opens it, after its listing saw a file.
const LANDING_TO_FIFO = resolve(__dirname, '..', 'helpers', 'landing-to-fifo.cjs');

describe('a landing file replaced by a pipe after the build listed it', () => {
  it('stops the build in one line naming it, rather than waiting for a writer for ever with the lock held', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-fifo-');
    const { version } = await buildLake(landing, lake);
    const file = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    const build = spawnBin(['build', '--landing', landing, '--lake', lake], { NODE_OPTIONS: `--require ${JSON.stringify(LANDING_TO_FIFO)}`, STEDI_TEST_FIFO_AT: file });
    const stuck = setTimeout(() => build.child.kill('SIGKILL'), 30_000);
    try {
      expect(await build.exited).toBe(1);
    } finally {
      clearTimeout(stuck);
    }
    expect(build.stderr().trim().split('\n').pop()).toBe(
      `stedi: landing folder ${join(landing, 'accelerometer', 'landing')} holds accelerometer-1.json, which is a special file (a pipe, socket or device), not a file of JSON lines; replace it with the file, or move it out of the landing folder`,
    );
    const layout = new LakeLayout(lake);
    expect(existsSync(layout.lockPath)).toBe(false);
    expect(JSON.parse(readFileSync(layout.manifestPath, 'utf8')).versions[0].version).toBe(version);
  }, 60_000);
});
