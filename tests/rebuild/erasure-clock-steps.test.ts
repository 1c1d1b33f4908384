import { customerRecord, emailOf, writeLanding } from '../helpers/landing-fixture';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { type ServedLake, serveLake } from '../helpers/served-lake';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { steppedClock } from '../helpers/stepped-clock';

const ERASURE_MS = 600_000;

const smallLake = smallLakeCopies();

describe('the erasure bound when the server\'s wall clock steps', () => {
  let served: ServedLake;
  let lake: string;
  let step: (ms: number) => void;

  beforeAll(async () => {
    const copy = smallLake();
    lake = copy.lake;
    const clock = steppedClock();
    step = clock.step;
    served = await serveLake(['--lake', lake, '--landing', copy.landing], {
      ...clock.env,
      STEDI_WORKERS: '1',
      STEDI_ERASURE_MS: String(ERASURE_MS),
      STEDI_CONSENT_REFRESH_MS: '300',
      LOG_LEVEL: 'info',
    });
    writeLanding(copy.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await served.process.waitFor(/"msg":"kept versions hold customers whose consent is withdrawn or uncertain; erasure pending"/, 20_000);
  }, 90_000);

  afterAll(async () => {
    await served?.stop();
  });

  const lagSeconds = async (): Promise<number> => {
    const text = await (await fetch(`${served.url}/metrics`)).text();
    return Number(/^stedi_erasure_lag_seconds (\S+)$/m.exec(text)![1]);
  };

  it('keeps counting a revocation\'s age when the clock is stepped back an hour (NTP), never below zero', async () => {
    const before = await lagSeconds();
    step(-3_600_000);
    // Past the helper's 50 ms read of the file and a consent refresh.
    await new Promise((r) => setTimeout(r, 700));
    const after = await lagSeconds();
    expect(after).toBeGreaterThanOrEqual(before);
    expect(after).toBeLessThan(ERASURE_MS / 3 / 1000);
    expect(served.process.stdout()).not.toMatch(/"msg":"erasure rebuild starting"/);
  });

  it('starts the erasure rebuild at its next refresh once the clock says a third of the bound passed (a laptop back from sleep)', async () => {
    // Five minutes on from when the revocation was seen: past the third of the bound (200 s) its timer still waits out.
    step(300_000);
    await served.process.waitFor(/"msg":"erasure rebuild starting"/, 10_000);
    const deadline = Date.now() + 30_000;
    while ((await parquetFilesHolding(lake, 'serial-alice')).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    expect(await parquetFilesHolding(lake, emailOf('alice'))).toEqual([]);
    expect(await lagSeconds()).toBe(0);
  }, 60_000);
});
