import { join } from 'node:path';
import { acquireBuildLock } from '../../etl/engine/duckdb/build-lock';
import { buildLake } from '../helpers/etl-lake';
import { erasedWithin } from '../helpers/erased-within';
import { buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { parquetFilesHolding } from '../helpers/parquet-scan';

/**
 * The server's erasure rebuild while another build holds the lake (a `stedi build` by hand, started before the
 * revocation was written, so it does not leave the customer out): its refusal is no failure to back off from.
 */
describe('the erasure rebuild while another build holds the lake', () => {
  jest.setTimeout(60_000);
  let test: TestApp | undefined;
  afterEach(() => test?.close());

  it('waits for it without a job refused at each try, then runs at the next consent refresh: the customer leaves the disk within STEDI_ERASURE_MS', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-lake-busy-');
    await buildLake(landing, lake);
    const erasureMs = 15_000;
    const log = loggedLines('info');
    test = await buildTestApp({ landing, lake, build: false, logger: log.logger, config: { consentRefreshMs: 300, erasureMs } });
    const byHand = await acquireBuildLock(join(lake, '_stedi', 'build.lock'), 'build by hand');
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const seenAt = Date.now();
    await test.lake.services.consent.refresh();
    // Held past the first try (a third into the bound) and past a second one a third later, as a long build would be.
    await new Promise((resolve) => setTimeout(resolve, 11_500));
    await byHand.release();

    await erasedWithin(test, seenAt, erasureMs);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    expect(test.lake.services.rebuilds.list().map((job) => job.state)).toEqual(['SUCCEEDED']);
    const said = log.lines.map((line) => JSON.parse(line).msg as string);
    expect(said.filter((msg) => msg.startsWith('erasure rebuild waits: another build holds the lake'))).toHaveLength(1);
    expect(said.filter((msg) => msg.startsWith('erasure bound exceeded'))).toEqual([]);
  });
});
