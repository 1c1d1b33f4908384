import { readdirSync } from 'node:fs';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { makeTempDir } from '../helpers/landing-fixture';
import { waitForLakeState } from '../helpers/lake-state-wait';
import { runBin, spawnBin } from '../helpers/spawn-cli';
import { STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';
import { steppedClock } from '../helpers/stepped-clock';

describeWithStediSample('a build while the wall clock is stepped back (NTP)', () => {
  it('publishes a manifest every later read accepts, its duration measured on the monotonic clock', async () => {
    const lake = makeTempDir('stedi-clock-build-');
    const first = await buildLake(STEDI_SAMPLE_DIR, lake);
    const clock = steppedClock();
    const layout = new LakeLayout(lake);
    const build = spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake], clock.env);
    // Ten minutes back once the build has written its first zone, the others still to come.
    const zoneWritten = (): boolean => readdirSync(layout.tableRoot('customer_trusted')).some((v) => v !== `v=${first.version}`);
    if (await waitForLakeState(lake, zoneWritten, build.exited)) clock.step(-600_000);
    expect({ code: await build.exited, stderr: build.stderr() }).toEqual({ code: 0, stderr: '' });
    const status = await runBin(['status', '--lake', lake]);
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    const live = (await manifestOf(lake))!.versions[0];
    expect(live.version).not.toBe(first.version);
    expect(live.durationMs).toBeGreaterThanOrEqual(0);
  }, 60_000);
});
