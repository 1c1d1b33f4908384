import { appendFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { erasureStateOf } from '../../src/rebuild/erasure';
import { buildLake } from '../helpers/etl-lake';
import { erasedWithin } from '../helpers/erased-within';
import { buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { parquetFilesHolding } from '../helpers/parquet-scan';

/**
 * The server's erasure rebuild while a writer is still at work on a customer landing file (a slow copy or upload):
 * every build reads the file changing and the rebuild fails, which is no broken lake. It is tried again as soon as
 * a consent refresh reads the landing whole, not after a failed build's back-off (a third of the bound, then two thirds).
 */

/** A run of NUL bytes (sparse: no disk), one overlong line, so each build is still reading `file` when the writer appends. */
const padded = (file: string): void => {
  truncateSync(file, statSync(file).size + 1024 * 1024);
  appendFileSync(file, '\n');
};

/** The `k`th customer line the writer appends: a new consenting customer each time. */
const customerLine = (k: number): string => `${JSON.stringify(customerRecord({ name: `writer${k}`, serial: `serial-writer${k}` }))}\n`;

describe('the erasure rebuild while a customer landing file is being written', () => {
  jest.setTimeout(90_000);
  let test: TestApp | undefined;
  afterEach(() => test?.close());

  it('is tried again at the first consent refresh after the file settles, not backed off from: the customer leaves the disk within STEDI_ERASURE_MS', async () => {
    const landing = writeSmallLanding();
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    padded(customers);
    const lake = makeTempDir('stedi-landing-changing-');
    await buildLake(landing, lake);
    // Room for a third of it, two failed rebuilds and one more; backing off after each failure (a third, then two thirds) overruns it.
    const erasureMs = 45_000;
    // The writer is at work through the first two rebuilds (each three builds reading the file changing), then done.
    let written = 0;
    const writing = { rebuilds: 2 };
    const log = loggedLines('info');
    test = await buildTestApp({
      landing,
      lake,
      build: false,
      logger: log.logger,
      config: { consentRefreshMs: 300, erasureMs, landingSettle: { settleMs: 100, maxWaitMs: 300 } },
      wrapBuildRunner: (build) => async (...args) => {
        if (writing.rebuilds === 0) return build(...args);
        writing.rebuilds -= 1;
        const writer = setInterval(() => appendFileSync(customers, customerLine((written += 1))), 5);
        return build(...args).finally(() => clearInterval(writer));
      },
    });
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const seenAt = Date.now();
    await test.lake.services.consent.refresh();

    await erasedWithin(test, seenAt, erasureMs);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    const jobs = test.lake.services.rebuilds.list().reverse();
    expect(jobs.map((job) => job.state)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    // No failure counted, as when the lake is busy: each tried again well before a failed build's back-off (a third of the bound, then two thirds).
    expect(jobs.slice(0, 2).map(erasureStateOf)).toEqual(['REFUSED', 'REFUSED']);
    for (const k of [1, 2]) expect(jobs[k].createdAt.getTime() - jobs[k - 1].finishedAt!.getTime()).toBeLessThan(erasureMs / 3);
    const said = log.lines.map((line) => JSON.parse(line).msg as string);
    expect(said.filter((msg) => msg.startsWith('erasure bound exceeded'))).toEqual([]);
  });
});
