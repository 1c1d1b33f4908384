import { existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES } from '../../etl/tables';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir } from '../helpers/landing-fixture';
import { waitForLakeState } from '../helpers/lake-state-wait';
import { spawnBin } from '../helpers/spawn-cli';
import { STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';

const manifestText = (lake: string): string => readFileSync(join(lake, '_stedi', 'manifest.json'), 'utf8');

describeWithStediSample('a lake folder moved away while `stedi build` runs', () => {
  it('stops the build in one line saying so, makes nothing at the old path, and the lake where it went keeps its live version and builds again', async () => {
    const lake = join(makeTempDir('stedi-moved-'), 'lake');
    const first = await buildLake(STEDI_SAMPLE_DIR, lake, { keepVersions: 2 });
    const before = manifestText(lake);
    const moved = `${lake}-moved`;
    const layout = new LakeLayout(lake);
    let result: { code: number | null; stderr: string } | undefined;
    // Moved once the build has written its first zone, with the others still to come; a build that finished first is run again.
    for (let attempt = 0; attempt < 4 && result === undefined; attempt += 1) {
      const build = spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake]);
      const zoneWritten = (): boolean => readdirSync(layout.tableRoot('customer_trusted')).some((v) => v !== `v=${first.version}`);
      if (await waitForLakeState(lake, zoneWritten, build.exited)) {
        renameSync(lake, moved);
        result = { code: await build.exited, stderr: build.stderr() };
      } else await build.exited;
    }
    expect(result).toEqual({
      code: 1,
      stderr: `stedi: the lake folder ${lake} was removed or moved while the build ran, so nothing was published; build again with --lake naming where it is now (at ${lake}, a build starts a new lake)\n`,
    });
    expect(existsSync(lake)).toBe(false);
    expect(manifestText(moved)).toBe(before);
    // The next build there takes the stopped build's lock over and removes what it left.
    const next = await buildLake(STEDI_SAMPLE_DIR, moved, { keepVersions: 2 });
    const movedLayout = new LakeLayout(moved);
    for (const table of BUILT_TABLES) expect(readdirSync(movedLayout.tableRoot(table)).sort()).toEqual([`v=${first.version}`, `v=${next.version}`].sort());
    expect(existsSync(movedLayout.buildsDir) ? readdirSync(movedLayout.buildsDir) : []).toEqual([]);
  }, 120_000);
});
