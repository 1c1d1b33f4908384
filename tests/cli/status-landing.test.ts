import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/spawn-cli';

/**
 * `stedi status` on a lake whose landing folder broke after the build: the server's consent registry and every
 * rebuild read it, yet status showed the lake as fine and exited 0.
 */
describe('stedi status on a broken landing folder', () => {
  jest.setTimeout(60_000);

  it('names each broken landing source in one line with its fix, and exits 1', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-status-landing-');
    await buildLake(landing, lake);
    rmSync(join(landing, 'customer', 'landing'), { recursive: true });
    writeFileSync(join(landing, 'step_trainer', 'landing', 'more.json.gz'), '');

    const status = await runBin(['status', '--lake', lake]);
    expect(status.code).toBe(1);
    expect(status.stderr).toBe('');
    expect(status.stdout.split('\n').filter((line) => line.startsWith('LANDING '))).toEqual([
      `LANDING landing folder ${join(landing, 'customer', 'landing')} does not exist; point --landing at the folder holding customer/landing/, accelerometer/landing/ and step_trainer/landing/ (the server answers no data without it: CONSENT_UNAVAILABLE, /readyz 503)`,
      expect.stringMatching(new RegExp(`^LANDING landing folder ${join(landing, 'step_trainer', 'landing')} holds more\\.json\\.gz, which a build would not read`)),
    ]);

    const json = await runBin(['status', '--lake', lake, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).landingProblems).toHaveLength(2);
  });

  it('says nothing of the landing folder and exits 0 when every source is readable', async () => {
    const lake = makeTempDir('stedi-status-landing-');
    await buildLake(writeSmallLanding(), lake);
    const status = await runBin(['status', '--lake', lake]);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('LANDING');
    expect(JSON.parse((await runBin(['status', '--lake', lake, '--json'])).stdout).landingProblems).toEqual([]);
  });
});
