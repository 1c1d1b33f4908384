import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { MAX_IN_MEMORY_CUSTOMERS, heldInMemory } from '../../../../etl/engine/duckdb/version-schema';
import { BUILT_TABLES } from '../../../../etl/tables';
import { buildLake, tableFile } from '../../../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../../../helpers/landing-fixture';
import { rmSync } from 'node:fs';

/** A version's customers, while few, are copied into memory at load; every other table stays a view of its file. */
describe('customers held in memory', () => {
  it('copies a small customers table at load and serves the same rows, even once its file is gone', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const built = await buildLake(landing, lake);
    const engine = await DuckDbEngine.open({ lake, landing, connections: 2 });
    try {
      const ref = await engine.tableRef('customer_curated', built.version);
      const kinds = await engine.query(`SELECT table_name AS "name", table_type AS "kind" FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, [`v_${built.version}`]);
      expect(kinds).toEqual(BUILT_TABLES.map((name) => ({ name, kind: name === 'customer_curated' ? 'BASE TABLE' : 'VIEW' })).sort((a, b) => a.name.localeCompare(b.name)));
      const fromFile = await engine.query(`SELECT * FROM read_parquet(?, hive_partitioning = false) ORDER BY "serialNumber"`, [tableFile(built, 'customer_curated')]);
      expect(fromFile.length).toBeGreaterThan(0);
      rmSync(tableFile(built, 'customer_curated'));
      expect(await engine.query(`SELECT * FROM ${ref} ORDER BY "serialNumber"`)).toEqual(fromFile);
    } finally {
      await engine.close();
    }
  });

  it('leaves a large customers table, and every other table, in its file', () => {
    expect(heldInMemory('customer_curated', MAX_IN_MEMORY_CUSTOMERS)).toBe(true);
    expect(heldInMemory('customer_curated', MAX_IN_MEMORY_CUSTOMERS + 1)).toBe(false);
    for (const table of BUILT_TABLES.filter((t) => t !== 'customer_curated')) expect(heldInMemory(table, 1)).toBe(false);
  });
});
