import { DuckDBInstance } from '@duckdb/node-api';
import { fileChecksum } from '../../etl/engine/duckdb/file-checks';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { readLocalManifest, writeLocalManifest } from '../../etl/engine/duckdb/local-manifest';
import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { buildLake, tableFile } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * accelerometer_trusted stores each reading's serialNumber, sorted by the API's
 * keyset, so pages need no join with customer_trusted. The answers must be the
 * rows that join gave, in the same order, for top-level and nested pages,
 * with serials two emails claim left out and customers hidden since the build.
 */

type Reading = { serialNumber: string; timestamp: number; x: number; y: number; z: number };
type Page = { page: { edges: { node: Reading }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
const SELECTION = 'serialNumber timestamp x y z';
const REVOKED = serialOf(6);
const UUID_SERIAL = '0003408c-cc9c-4e64-9506-cb8857523c40';

/** Uneven readings; serials whose order differs from the emails' order; shared and re-claimed serials. */
function writeFixture(): string {
  const { landing } = writeManyCustomersLanding(30, (i) => ((i * 7) % 9) + 1);
  const t0 = 1_655_000_000_000;
  writeLanding(landing, 'customer', [
    // Two emails claim one serial: both are left out.
    customerRecord({ name: 'dup-a', serial: 'serial-shared' }),
    customerRecord({ name: 'dup-b', serial: 'serial-shared' }),
    // A second email claims customer 3's serial: customer 3 is left out too.
    customerRecord({ name: 'claims-three', serial: serialOf(3) }),
    // Emails sorting first, serials sorting last (and between): the stored order is the serial's, not the email's.
    customerRecord({ name: 'aaa-first', serial: 'serial-9999' }),
    customerRecord({ name: 'aab-second', serial: `${serialOf(12)}-b` }),
    // An older record's serial is no claim: only the freshest record counts.
    customerRecord({ name: 'moved', serial: serialOf(20), updatedAt: 1_600_000_000_000 }),
    customerRecord({ name: 'moved', serial: 'serial-moved', updatedAt: 1_656_000_000_000 }),
    // Serials that are UUIDs (as in the real data), in DuckDB's own text and in another form: a bulk page reads the first kind as UUIDs.
    customerRecord({ name: 'uuid-lower', serial: UUID_SERIAL }),
    customerRecord({ name: 'uuid-upper', serial: UUID_SERIAL.replace(/^0/, 'f').toUpperCase() }),
  ], 'customer-extra.json');
  const extra = ['dup-a', 'dup-b', 'claims-three', 'aaa-first', 'aab-second', 'moved', 'uuid-lower', 'uuid-upper'].flatMap((name, n) =>
    [0, 1, 2, 3].map((r) => accelerometerRecord(name, t0 + r * 1000, n, -r, r % 2)),
  );
  writeLanding(landing, 'accelerometer', [...extra, accelerometerRecord('aaa-first', t0, 9, 9, 9), accelerometerRecord('aaa-first', t0, 9, 9, 8)], 'accelerometer-extra.json');
  return landing;
}

/** The answer of the join this change removed, read straight from a version's files, hidden serials left out. */
async function joinedAnswer(version: VersionManifest, hidden: readonly string[]): Promise<Reading[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const sql = `SELECT c."serialNumber", a."timestamp", a."x", a."y", a."z"
      FROM read_parquet(?) AS a INNER JOIN read_parquet(?) AS c ON a."user" = c."email"
      ORDER BY 1, 2, 3, 4, 5`;
    const rows = (await connection.runAndReadAll(sql, [tableFile(version, 'accelerometer_trusted'), tableFile(version, 'customer_trusted')])).getRowObjectsJS();
    return rows.map((r) => ({ ...r, timestamp: Number(r.timestamp) }) as Reading).filter((r) => !hidden.includes(r.serialNumber));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rewrites a version's accelerometer_trusted as an older release wrote it (no serialNumber, sorted by its key). */
async function asOlderRelease(lake: string, version: VersionManifest): Promise<void> {
  const file = tableFile(version, 'accelerometer_trusted');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE old AS SELECT * EXCLUDE ("serialNumber") FROM read_parquet('${file}') ORDER BY "user", "timestamp", "x", "y", "z"`);
    await connection.run(`COPY old TO '${file}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const path = new LakeLayout(lake).manifestPath;
  const manifest = (await readLocalManifest(path))!;
  const kept = manifest.versions.find((v) => v.version === version.version)!;
  kept.tables.accelerometer_trusted = { ...kept.tables.accelerometer_trusted, ...(await fileChecksum(file)) };
  await writeLocalManifest(path, manifest);
}

describe.each([
  ['a version that stores serialNumber', false],
  ['a version built by an older release (no serialNumber stored)', true],
])('accelerometerReadings of %s', (_name, older) => {
  let t: TestApp;
  let expected: Reading[];
  let version: VersionManifest;
  let counting: CountingEngine;
  const columnQueries: string[] = [];
  beforeAll(async () => {
    const landing = writeFixture();
    const lake = makeTempDir('stedi-accel-serial-');
    // Rewritten before the server starts, so the version it loads is the older release's.
    version = await buildLake(landing, lake);
    if (older) await asOlderRelease(lake, version);
    t = await buildTestApp({
      landing,
      lake,
      build: false,
      config: { queryCacheRows: 0 },
      wrapEngine: (engine: Engine) => {
        counting = countingEngine(engine);
        const columns = engine.queryColumns!.bind(engine);
        counting.engine.queryColumns = (sql, values, options) => {
          columnQueries.push(sql);
          return columns(sql, values, options);
        };
        return counting.engine;
      },
    });
    // A revocation after the build: the consent registry hides the serial, the zones still hold it.
    writeLanding(landing, 'customer', [customerRecord({ name: nameOf(6), serial: REVOKED, consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke.json');
    await t.lake.services.consent.refresh();
    expected = await joinedAnswer(version, [REVOKED]);
  });
  afterAll(() => t.close());

  async function query<T>(text: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await t.graphql(text, ANALYST_KEY, variables);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data as T;
  }

  async function pageAll(first: number): Promise<Reading[]> {
    const rows: Reading[] = [];
    let after: string | null = null;
    for (;;) {
      const { page }: Page = await query<Page>(
        `query P($first: Int!, $after: String) { page: accelerometerReadings(first: $first, after: $after) { edges { node { ${SELECTION} } } pageInfo { hasNextPage endCursor } } }`,
        { first, after },
      );
      rows.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return rows;
      after = page.pageInfo.endCursor;
    }
  }

  it('is built from a fixture that exercises shared serials and a hidden customer', async () => {
    const serials = new Set(expected.map((r) => r.serialNumber));
    expect(serials).toContain('serial-9999');
    expect(serials).toContain('serial-moved');
    expect(serials).toContain(UUID_SERIAL);
    expect(serials).toContain('F003408C-CC9C-4E64-9506-CB8857523C40');
    for (const absent of ['serial-shared', serialOf(3), serialOf(4), REVOKED]) expect(serials).not.toContain(absent);
    // The revoked customer's rows are in the version: only the registry hides them.
    expect((await joinedAnswer(version, [])).some((r) => r.serialNumber === REVOKED)).toBe(true);
    expect(expected.length).toBeGreaterThan(100);
  });

  it(older ? 'reads the older version through the join with customer_trusted' : 'reads the stored serialNumber, with no join', async () => {
    const mark = counting.queries.length;
    await pageAll(5);
    const pages = counting.queries.slice(mark).filter((sql) => sql.includes('LIMIT 6'));
    expect(pages.length).toBeGreaterThan(0);
    for (const sql of pages) expect(/ JOIN /.test(sql)).toBe(older);
  });

  it(older ? 'holds the older version\'s emails in memory, which its join needs' : 'holds no email of a reading in memory', async () => {
    const { engine } = t.lake.services;
    const described = await engine.query(`DESCRIBE SELECT * FROM ${await engine.tableRef('accelerometer_trusted', version.version)}`);
    const columns = described.map((c) => c.column_name);
    expect(columns).toEqual(older ? ['user', 'timestamp', 'x', 'y', 'z'] : ['timestamp', 'x', 'y', 'z', 'serialNumber']);
  });

  it.each([3, 50, 1000])('pages through exactly the joined rows in their order, %i at a time', async (first) => {
    expect(await pageAll(first)).toEqual(expected);
  });

  it('reads a bulk page as columns with its serials as UUIDs, the same rows in the same order', async () => {
    const mark = columnQueries.length;
    // 2,001 rows is past what the read cache keeps per entry: the bulk, columnar read.
    expect(await pageAll(2_000)).toEqual(expected);
    const bulk = columnQueries.slice(mark).filter((sql) => sql.includes('LIMIT 2001'));
    expect(bulk.length).toBeGreaterThan(0);
    for (const sql of bulk) expect(sql).toContain('AS UUID');
  });

  it('counts the joined rows, with and without a serialNumber filter', async () => {
    const { all, one } = await query<{ all: { totalCount: number }; one: { totalCount: number } }>(
      `{ all: accelerometerReadings(first: 1) { totalCount } one: accelerometerReadings(first: 1, filter: { serialNumber: "${serialOf(12)}" }) { totalCount } }`,
    );
    expect(all.totalCount).toBe(expected.length);
    expect(one.totalCount).toBe(expected.filter((r) => r.serialNumber === serialOf(12)).length);
  });

  it('answers each customer\'s nested readings with that customer\'s joined rows, page after page', async () => {
    type Nested = { serialNumber: string; accelerometerReadings: { edges: { node: Reading }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const { customers } = await query<{ customers: { edges: { node: Nested }[] } }>(
      `{ customers(first: 100) { edges { node { serialNumber accelerometerReadings(first: 3) { edges { node { ${SELECTION} } } pageInfo { hasNextPage endCursor } } } } } }`,
    );
    const seen = new Set<string>();
    for (const { node } of customers.edges) {
      const rows = node.accelerometerReadings.edges.map((e) => e.node);
      let info = node.accelerometerReadings.pageInfo;
      while (info.hasNextPage) {
        const data = await query<{ customers: { edges: { node: Nested }[] } }>(
          `query N($s: String!, $after: String) { customers(first: 1, filter: { serialNumber: $s }) { edges { node { serialNumber accelerometerReadings(first: 3, after: $after) { edges { node { ${SELECTION} } } pageInfo { hasNextPage endCursor } } } } } }`,
          { s: node.serialNumber, after: info.endCursor },
        );
        const next = data.customers.edges[0].node.accelerometerReadings;
        rows.push(...next.edges.map((e) => e.node));
        info = next.pageInfo;
      }
      expect([node.serialNumber, rows]).toEqual([node.serialNumber, expected.filter((r) => r.serialNumber === node.serialNumber)]);
      seen.add(node.serialNumber);
    }
    expect(seen).toEqual(new Set(expected.map((r) => r.serialNumber)));
  });
});
