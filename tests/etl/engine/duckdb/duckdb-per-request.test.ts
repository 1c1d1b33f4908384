import * as fs from 'node:fs';
import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { buildLake } from '../../../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../../../helpers/landing-fixture';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the engine does per request besides the query: reading the manifest's mtime. */
describe('the DuckDB engine per request', () => {
  let engine: DuckDbEngine;
  let lake: string;
  let landing: string;
  beforeEach(async () => {
    landing = writeSmallLanding();
    lake = makeTempDir();
    engine = await DuckDbEngine.open({ lake, landing, connections: 2 });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await engine.close();
  });

  it('stats the manifest once per event-loop turn, however often a request asks for it and its tables', async () => {
    const first = await buildLake(landing, lake);
    const older = fs.readFileSync(engine.layout.manifestPath);
    const second = await buildLake(landing, lake);
    const newer = fs.readFileSync(engine.layout.manifestPath);
    fs.writeFileSync(engine.layout.manifestPath, older);
    fs.utimesSync(engine.layout.manifestPath, new Date(1_000_000), new Date(1_000_000));
    await engine.tableRef('customer_curated', first.version);
    await nextTurn();
    // One turn: the first call stats; the manifest then changes on disk; later calls in the same turn do not stat again.
    expect((await engine.manifest())?.versions[0].version).toBe(first.version);
    fs.writeFileSync(engine.layout.manifestPath, newer);
    fs.utimesSync(engine.layout.manifestPath, new Date(2_000_000), new Date(2_000_000));
    await engine.tableRef('customer_curated', first.version);
    expect((await engine.manifest())?.versions[0].version).toBe(first.version);
    await nextTurn();
    expect((await engine.manifest())?.versions[0].version).toBe(second.version);
  });

  it('sees a new build on the next turn', async () => {
    const first = await buildLake(landing, lake);
    expect((await engine.manifest())?.versions[0].version).toBe(first.version);
    const second = await buildLake(landing, lake);
    await nextTurn();
    expect((await engine.manifest())?.versions[0].version).toBe(second.version);
  });
});
