import fsPromises from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import { DuckDbBuildTarget } from '../../../../etl/engine/duckdb/duckdb-build-target';
import { LakeLayout } from '../../../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES } from '../../../../etl/tables';
import { makeTempDir, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';

/**
 * What a power loss keeps: DuckDB writes a version's Parquet without fsync, so a manifest renamed before their data
 * reached the disk named empty or cut files after the machine came back (the live version LAKE_DAMAGED).
 */
describe('publishing a version', () => {
  afterEach(() => jest.restoreAllMocks());

  it('flushes its files and their folders to the disk before the manifest names them, and the manifest folder after its rename', async () => {
    const landing = writeSmallLanding();
    // A bad line, so the version has a quarantine file too.
    writeLanding(landing, 'customer', ['{"customerName": '], 'customer-bad.json');
    const lake = makeTempDir('stedi-durable-');
    const layout = new LakeLayout(lake, landing);
    const events: string[] = [];
    const open = fsPromises.open;
    jest.spyOn(fsPromises, 'open').mockImplementation(async (...args: Parameters<typeof open>) => {
      const handle = await open(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        await sync();
        events.push(`sync ${String(args[0])}`);
      };
      return handle;
    });
    const rename = fsPromises.rename;
    jest.spyOn(fsPromises, 'rename').mockImplementation(async (from, to) => {
      await rename(from, to);
      events.push(`rename ${String(to)}`);
    });
    const version = (await runBuild(new DuckDbBuildTarget(layout))).version;
    const published = events.indexOf(`rename ${layout.manifestPath}`);
    expect(published).toBeGreaterThan(0);
    const before = new Set(events.slice(0, published));
    const quarantine = await fsPromises.readdir(layout.quarantineDir(version), { recursive: true });
    expect(quarantine.length).toBeGreaterThan(0);
    const files = [...BUILT_TABLES.map((table) => layout.tableFile(table, version)), ...quarantine.map((name) => join(layout.quarantineDir(version), name))];
    for (const file of files) {
      expect(before).toContain(`sync ${file}`);
      // Its folder (v=<version>, new), the zone's and the table's (new on a first build), up to the lake folder.
      for (let folder = dirname(file); folder.startsWith(lake); folder = dirname(folder)) expect(before).toContain(`sync ${folder}`);
    }
    expect(events.slice(published + 1)).toContain(`sync ${layout.metaDir}`);
  });
});
