import { readdirSync } from 'node:fs';
import { buildLake } from '../helpers/etl-lake';
import { ADMIN_KEY } from '../helpers/http-app';
import { makeTempDir } from '../helpers/landing-fixture';
import { type ServedLake, serveLake } from '../helpers/served-lake';
import { describeWithStediSample, hasStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

// Low enough that the real data's export sorts past it and DuckDB spills; high enough that it still answers.
const MEMORY_LIMIT = '16MB';
const SPILL = /^stedi-duckdb-\d+/;

describeWithStediSample('where `stedi serve` spills what exceeds STEDI_DUCKDB_MEMORY_LIMIT', () => {
  let lake: string;
  let served: ServedLake | undefined;

  beforeAll(async () => {
    lake = makeTempDir('stedi-spill-lake-');
    await buildLake(STEDI_SAMPLE_DIR, lake);
  }, 60_000);

  afterEach(async () => {
    await served?.stop();
  });

  it('spills into a folder of the temporary one, never the working directory, and the next start removes the folder a killed server left', async () => {
    const cwd = makeTempDir('stedi-spill-cwd-');
    const temporary = makeTempDir('stedi-spill-tmp-');
    const serve = (): Promise<ServedLake> => serveLake(['--lake', lake, '--landing', STEDI_SAMPLE_DIR], { STEDI_WORKERS: '1', STEDI_DUCKDB_MEMORY_LIMIT: MEMORY_LIMIT, TMPDIR: temporary }, { cwd });
    served = await serve();
    const res = await fetch(`${served.url}/export/machine_learning_curated?format=parquet`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    // DuckDB's default for an in-memory database was `.tmp` here, in the user's folder.
    expect(readdirSync(cwd)).toEqual([]);
    const spilled = readdirSync(temporary).filter((name) => SPILL.test(name));
    expect(spilled).toHaveLength(1);
    served.process.child.kill('SIGKILL');
    await served.process.exited;
    served = await serve();
    expect(readdirSync(temporary)).not.toContain(spilled[0]);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});

// A real full disk: a 256 KiB tmpfs as the server's temporary folder, where root may mount one.
(canMountTmpfs && hasStediSample ? describe : describe.skip)('an export whose spill the temporary folder\'s disk cannot take', () => {
  let served: ServedLake | undefined;

  // Before the unmount (hooks run in the order given): the server holds files there.
  afterAll(async () => {
    await served?.stop();
  });
  const temporary = tmpfsForSuite('stedi-spill-full-', 'size=256k');

  it('answers 507 saying to free space in the temporary folder, as for an export file the disk cannot take, not an internal error', async () => {
    const lake = makeTempDir('stedi-spill-lake-');
    await buildLake(STEDI_SAMPLE_DIR, lake);
    served = await serveLake(['--lake', lake, '--landing', STEDI_SAMPLE_DIR], { STEDI_WORKERS: '1', STEDI_DUCKDB_MEMORY_LIMIT: MEMORY_LIMIT, TMPDIR: temporary });
    const res = await fetch(`${served.url}/export/machine_learning_curated?format=parquet`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect({ status: res.status, code: body.errors[0].extensions.code }).toEqual({ status: 507, code: 'INSUFFICIENT_STORAGE' });
    expect(body.errors[0].message).toMatch(/free space in its temporary folder/);
    // The server log says what ran out, for the operator.
    expect(served.process.stdout()).toMatch(/"msg":"export failed: no disk space left for its file"/);
  }, 60_000);
});
