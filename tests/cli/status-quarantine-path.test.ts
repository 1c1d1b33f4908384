import { existsSync } from 'node:fs';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/spawn-cli';

/** `stedi status` named the quarantine folder relative to the lake (`_quarantine/v=…`): run from elsewhere, no such folder. */
describe('stedi status on a lake with quarantined lines', () => {
  jest.setTimeout(60_000);

  it('names the quarantine folder under the lake, as the build summary does, wherever it runs', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', ['{not json'], 'customer-2.json');
    const lake = makeTempDir('stedi-status-quarantine-');
    await buildLake(landing, lake);
    const cwd = makeTempDir('stedi-status-elsewhere-');

    const status = await runBin(['status', '--lake', lake], {}, { cwd });
    const [line] = status.stdout.split('\n').filter((l) => l.startsWith('Quarantined lines'));
    const folder = line.replace('Quarantined lines (file, line number, reason): ', '');
    expect(folder.startsWith(`${lake}/_quarantine/v=`)).toBe(true);
    expect(existsSync(folder)).toBe(true);
  });
});
