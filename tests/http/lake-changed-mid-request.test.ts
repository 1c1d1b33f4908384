import { runBuild } from '../../etl/build';
import type { Engine } from '../../etl/engine/engine';
import { accelerometerRecord, customerRecord, writeLanding } from '../helpers/landing-fixture';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { download, exportedRows } from '../helpers/export-download';
import { cursorText } from '../helpers/page-through';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';

const PAGE = 'query($after: String) { lake { liveVersion } accelerometerReadings(first: 5, after: $after) { totalCount edges { node { serialNumber timestamp } } pageInfo { endCursor } } }';
const NEW_READING = 1_654_000_000_000;

type Reading = { node: { serialNumber: string; timestamp: string } };

/**
 * An engine that, on the next `times` reads of a built version, first lets a rebuild keeping one version publish:
 * the version the request was reading expires under it, as when the server's own erasure rebuild runs.
 */
function rebuildOnNextReads(test: () => TestApp, fixture: ManyCustomers) {
  let left = 0;
  let on: 'read' | 'write' = 'read';
  let builds = 0;
  const versions: string[] = [];
  const expired = new Set<string>();
  const rebuild = async (): Promise<void> => {
    builds += 1;
    writeLanding(fixture.landing, 'accelerometer', [accelerometerRecord(nameOf(1), NEW_READING + builds, 9, 9, 9)], `accelerometer-${builds + 1}.json`);
    const options = { keepVersions: 1, consentPolicy: 'any' as const };
    versions.push((await runBuild(await test().lake.engine.buildTarget(options), options)).version);
  };
  return {
    versions,
    /** Rebuilds before the next `times` reads of a version (a page, an export's query) or writes of an export. */
    arm: (times: number, before: 'read' | 'write' = 'read') => {
      left = times;
      on = before;
    },
    wrap: (inner: Engine): Engine => {
      const engine = Object.create(inner) as Engine;
      // An export's query is made first (its table references resolved), then written: the rebuild comes before the write.
      engine.exportToFile = async (sql, params, format, path, options) => {
        if (left > 0 && on === 'write') {
          left -= 1;
          await rebuild();
        }
        return inner.exportToFile(sql, params, format, path, options);
      };
      engine.tableRef = async (table, version) => {
        // Once per version read: the other reads of a request that already found its version expired do not rebuild again.
        if (left > 0 && on === 'read' && !table.endsWith('_landing') && !expired.has(version)) {
          left -= 1;
          expired.add(version);
          await rebuild();
        }
        return inner.tableRef(table, version);
      };
      return engine;
    },
  };
}

describe('a request while a rebuild publishes and expires the version it reads', () => {
  let test: TestApp | undefined;
  afterEach(() => test?.close());

  async function serve(fixture: ManyCustomers) {
    const reads = rebuildOnNextReads(() => test!, fixture);
    test = await buildTestApp({ landing: fixture.landing, keepVersions: 1, wrapEngine: reads.wrap });
    return reads;
  }

  it('is answered from the new live version when it sent no cursor, not refused STALE_CURSOR', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    reads.arm(1);
    const res = await test!.graphql(PAGE, ANALYST_KEY);
    expect(res.body.errors).toBeUndefined();
    expect(reads.versions).toHaveLength(1);
    expect(res.body.data.lake.liveVersion).toBe(reads.versions[0]);
    const page = res.body.data.accelerometerReadings;
    expect(page.totalCount).toBe(8 * 3 + 1);
    // Its cursor pins the new version: the next page reads on from the answer given.
    expect(JSON.parse(cursorText(page.pageInfo.endCursor)).v).toBe(reads.versions[0]);
  });

  it('is answered from the new live version when the query runs compiled (asked before)', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    // Asked twice, the document is compiled (jit-executor.ts); other variables keep the kept answer from serving it.
    for (const n of [1, 2]) expect((await test!.graphql(PAGE, ANALYST_KEY, { n })).body.errors).toBeUndefined();
    reads.arm(1);
    const res = await test!.graphql(PAGE, ANALYST_KEY, { n: 3 });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.lake.liveVersion).toBe(reads.versions[0]);
    expect(res.body.data.accelerometerReadings.totalCount).toBe(8 * 3 + 1);
  });

  it('never answers, run again, a customer whose consent the rebuild withdrew', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(0), serial: serialOf(0), consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    reads.arm(1);
    const res = await test!.graphql(PAGE.replace('first: 5', 'first: 100'), ANALYST_KEY);
    expect(res.body.errors).toBeUndefined();
    const serials = new Set(res.body.data.accelerometerReadings.edges.map((e: Reading) => e.node.serialNumber));
    expect(serials.has(serialOf(1))).toBe(true);
    expect(serials.has(serialOf(0))).toBe(false);
    expect(res.body.data.accelerometerReadings.totalCount).toBe(7 * 3 + 1);
  });

  it('says the lake changed during the request and to send it again when it changed again while run again', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    reads.arm(2);
    const res = await test!.graphql(PAGE, ANALYST_KEY);
    expect(reads.versions).toHaveLength(2);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toEqual({ code: 'STALE_CURSOR', reason: 'LAKE_CHANGED' });
    expect(res.body.errors[0].path).toEqual(['accelerometerReadings']);
    expect(res.body.errors[0].message).toMatch(/the lake changed while this request ran.*send the request again/);
    expect(res.body.errors[0].message).not.toMatch(/first page/);
  });

  it('keeps answering a cursor whose version expired STALE_CURSOR, saying to start again from the first page', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    const first = await test!.graphql(PAGE, ANALYST_KEY);
    reads.arm(1);
    const res = await test!.graphql(PAGE, ANALYST_KEY, { after: first.body.data.accelerometerReadings.pageInfo.endCursor });
    expect(reads.versions).toHaveLength(1);
    expect(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['STALE_CURSOR']);
    expect(res.body.errors[0].message).toMatch(/no longer kept: newer builds replaced it.*start again from the first page/);
  });

  it('writes an export from the new live version, and says the lake changed when it changed twice, never to start from a first page', async () => {
    const fixture = writeManyCustomersLanding(10, 3);
    const reads = await serve(fixture);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(0), serial: serialOf(0), consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    // Expired while its query was made, then while its file was written.
    for (const before of ['read', 'write'] as const) {
      reads.arm(1, before);
      const res = await download(test!.server, '?format=csv', ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(res.headers['x-lake-version']).toBe(reads.versions.at(-1));
      const rows = await exportedRows(res.body as Buffer, 'csv');
      expect(rows.some((r) => r.serialNumber === serialOf(1))).toBe(true);
      expect(rows.some((r) => r.serialNumber === serialOf(0))).toBe(false);
    }
    for (const before of ['read', 'write'] as const) {
      reads.arm(2, before);
      const changed = await download(test!.server, '?format=csv', ANALYST_KEY);
      expect(changed.status).toBe(410);
      const body = JSON.parse((changed.body as Buffer).toString());
      // The reason a GraphQL answer gives (README → Pagination): the export's answer is the same error.
      expect(body.errors[0].extensions).toEqual({ code: 'STALE_CURSOR', reason: 'LAKE_CHANGED' });
      expect(body.errors[0].message).toMatch(/the lake changed while this request ran.*send the request again/);
    }
    expect(reads.versions).toHaveLength(6);
  });
});
