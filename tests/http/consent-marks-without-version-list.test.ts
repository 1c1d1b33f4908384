import type { Engine } from '../../etl/engine/engine';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';

/**
 * Two server processes on one lake (two cluster workers): the first page of a pull is read on one, its next
 * pages on another whose consent registry cannot read the customers of the cursor's version (its exclusion
 * list). That worker filters the version by every hidden serial, but cannot compare the cursor's consent mark
 * with the version's own list: it skipped the check, so a pull went on past a customer its pages read who
 * had withdrawn meanwhile, and the notebook kept their rows, never told.
 */

const PAGE = 'query($after: String) { machineLearningSamples(first: 2, after: $after) { edges { node { serialNumber } } pageInfo { hasNextPage endCursor } } }';
const names = ['bob', 'carol', 'dave'];
const BOB_FIRST = [{ node: { serialNumber: 'serial-bob' } }, { node: { serialNumber: 'serial-bob' } }];

interface Page {
  edges: Array<{ node: { serialNumber: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('a pull whose next page reaches a worker with no exclusion list of its version, through the HTTP app', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  async function firstWorker(landing: string): Promise<TestApp> {
    const app = await buildTestApp({ landing });
    apps.push(app);
    return app;
  }

  function newLanding(): string {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', names.map((name) => customerRecord({ name, serial: `serial-${name}` })));
    writeLanding(landing, 'accelerometer', names.flatMap((name) => [1, 2, 3].map((s) => accelerometerRecord(name, 1_655_000_000_000 + s * 1000))));
    writeLanding(landing, 'step_trainer', names.flatMap((name) => [1, 2, 3].map((s) => stepTrainerRecord(`serial-${name}`, 1_655_000_000_000 + s * 1000))));
    return landing;
  }

  /** Another worker on `first`'s lake whose registry cannot read the customers of `versions` (every one when omitted) while `refusing.on`. */
  async function workerWithoutLists(first: TestApp, options: { versions?: string[]; asOf?: boolean } = {}) {
    const refusing = { on: true };
    const refused = (table: string, version: string) => refusing.on && table === 'customer_trusted' && (options.versions?.includes(version) ?? true);
    const app = await buildTestApp({
      landing: first.lake.landing,
      lake: first.lake.lake,
      build: false,
      config: options.asOf ? { consentPolicy: 'as-of', consentPolicyGiven: true } : {},
      wrapEngine: (engine: Engine) => {
        const wrapped = Object.create(engine) as Engine;
        // As a read of customer_trusted failing for a while (descriptors exhausted, a stalled mount).
        wrapped.tableRef = (table, version) => (refused(table, version) ? Promise.reject(new Error('customer_trusted unreadable')) : engine.tableRef(table, version));
        if (engine.scanRef) wrapped.scanRef = (table, version) => (refused(table, version) ? Promise.reject(new Error('customer_trusted unreadable')) : engine.scanRef!(table, version));
        return wrapped;
      },
    });
    apps.push(app);
    return { app, refusing };
  }

  const liveVersion = async (app: TestApp): Promise<string> => (await app.lake.services.engine.manifest())!.versions[0].version;
  const page = async (app: TestApp, after: string | null) => (await app.graphql(PAGE, ANALYST_KEY, { after })).body as { data?: { machineLearningSamples: Page | null }; errors?: unknown[] };

  it('asks for the page again instead of going on past a customer the pages read who withdrew meanwhile, and refuses it as stale once it can check', async () => {
    const first = await firstWorker(newLanding());
    const opening = await page(first, null);
    expect(opening.data!.machineLearningSamples!.edges).toEqual(BOB_FIRST);
    writeLanding(first.lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_800_000_000_000 })], 'customer-revoke.json');

    const { app: other, refusing } = await workerWithoutLists(first);
    const snapshot = await other.lake.services.consent.snapshot();
    expect(snapshot.covers(await liveVersion(first))).toBe(false);
    expect(snapshot.hiddenSerials.has('serial-bob')).toBe(true);

    const after = opening.data!.machineLearningSamples!.pageInfo.endCursor;
    const refused = await page(other, after);
    expect(refused.data?.machineLearningSamples ?? null).toBeNull();
    expect(refused.errors).toEqual([expect.objectContaining({ extensions: { code: 'CONSENT_UNAVAILABLE' }, message: expect.stringMatching(/^this server cannot check yet whether consent changed for the customers the earlier pages of machineLearningSamples read/) })]);
    expect(JSON.stringify(refused.errors)).not.toMatch(/bob/);

    refusing.on = false;
    expect((await other.lake.services.consent.refresh()).covers(await liveVersion(first))).toBe(true);
    const stale = await page(other, after);
    expect(stale.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' }, message: expect.stringMatching(/^consent changed since this pull of machineLearningSamples began/) })]);
  });

  it('goes on, every row once, when the cursor bears the mark it would give itself or nobody it read is hidden', async () => {
    const first = await firstWorker(newLanding());
    const { app: other } = await workerWithoutLists(first);
    expect((await other.lake.services.consent.snapshot()).covers(await liveVersion(first))).toBe(false);
    // The first page on the worker with the list, then every other page on the one without: nobody is hidden anywhere.
    for (const opener of [first, other]) {
      const serials: string[] = [];
      let after: string | null = null;
      for (let app = opener; ; app = other) {
        const body = await page(app, after);
        expect(body.errors).toBeUndefined();
        serials.push(...body.data!.machineLearningSamples!.edges.map((e) => e.node.serialNumber));
        if (!body.data!.machineLearningSamples!.pageInfo.hasNextPage) break;
        after = body.data!.machineLearningSamples!.pageInfo.endCursor;
      }
      expect(serials).toEqual(names.flatMap((name) => Array(3).fill(`serial-${name}`)));
    }
  });

  it('never answers a cursor of a version built under any, with the lake served as-of, without that version own list', async () => {
    const first = await firstWorker(newLanding());
    const older = await liveVersion(first);
    const opening = await page(first, null);
    expect(opening.data!.machineLearningSamples!.edges).toEqual(BOB_FIRST);
    // A newer version, live; the older one stays kept. The other worker serves as-of and cannot read the older one's customers.
    await buildLake(first.lake.landing, first.lake.lake);
    const { app: other } = await workerWithoutLists(first, { versions: [older], asOf: true });
    const snapshot = await other.lake.services.consent.snapshot();
    expect(snapshot.covers(older)).toBe(false);

    const refused = await page(other, opening.data!.machineLearningSamples!.pageInfo.endCursor);
    expect(refused.data?.machineLearningSamples ?? null).toBeNull();
    expect(refused.errors).toEqual([expect.objectContaining({ extensions: { code: 'CONSENT_UNAVAILABLE' } })]);
  });
});
