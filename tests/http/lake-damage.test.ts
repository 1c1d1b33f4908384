import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { manifestCopyOf } from '../../etl/engine/duckdb/local-manifest';
import { BUILT_TABLES, TABLE_NAMES, TABLES } from '../../etl/tables';
import { manifestOf } from '../helpers/etl-lake';
import { cursorOfVersion } from '../helpers/forged-cursor';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { runBin } from '../helpers/spawn-cli';

/**
 * Damage is contained and visible: a kept version whose file is missing or
 * altered answers STALE_CURSOR while the live one serves; a damaged live
 * version makes /readyz 503 and the API answer LAKE_DAMAGED; `stedi status`
 * shows it and the next `stedi build` repairs it. Servers start after the damage, as after a restart.
 */

const COUNT = '{ customers { totalCount } }';
const PAGE = 'query($after: String) { customers(first: 1, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }';

/** A cursor of `version`: the live cursor with its version replaced (and its consent mark, keyed by that version's). */
const cursorFor = (lake: string, liveCursor: string, version: string): string => cursorOfVersion(liveCursor, lake, version);

// The small lake is built once (and once with two versions, live and older); each test damages a cp -r copy of it.
const smallLake = smallLakeCopies();
const twoVersionCopies = smallLakeCopies(2);

function twoVersionLake(): { lake: string; landing: string; older: string; live: string; layout: LakeLayout } {
  const { lake, landing, versions: [live, older] } = twoVersionCopies();
  return { lake, landing, older, live, layout: new LakeLayout(lake) };
}

describe('a damaged older kept version', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it.each([
    ['deleted', (file: string) => rmSync(file), /accelerometer_trusted\.parquet is missing/],
    ['truncated', (file: string) => truncateSync(file, 10), /accelerometer_trusted\.parquet is 10 bytes; the manifest recorded \d+/],
    ['altered in place', (file: string) => writeFileSync(file, Buffer.alloc(readFileSync(file).length, 7)), /fails its SHA-256 checksum/],
  ])('answers STALE_CURSOR for its cursors when its file is %s, while the live version serves, and the next build expires it', async (_how, damage, why) => {
    const { lake, landing, older, live, layout } = twoVersionLake();
    damage(layout.tableFile('accelerometer_trusted', older));
    t = await buildTestApp({ landing, lake, build: false });

    expect((await request(t.server).get('/readyz')).status).toBe(200);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
    const liveCursor = (await t.graphql(PAGE, ANALYST_KEY)).body.data.customers.pageInfo.endCursor;
    const stale = (await t.graphql(PAGE, ANALYST_KEY, { after: cursorFor(lake, liveCursor, older) })).body;
    expect(stale.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['STALE_CURSOR']);
    expect(stale.errors[0].message).toMatch(new RegExp(`lake version ${older} is damaged \\(.*${why.source}.*\\) and cannot be read; start again from the first page`));
    // What to do, said to the notebook's user and, through them, to the operator: which command shows it, which repairs it.
    expect(stale.errors[0].message).toMatch(/accelerometer\/trusted\/v=\S+\/accelerometer_trusted\.parquet/);
    expect(stale.errors[0].message).toMatch(/tell the server's operator: `stedi status` names every damaged file, and `stedi build` .* writes a new version and expires this one$/);
    expect(stale.errors[0].message).not.toContain(lake);
    const versions = (await t.graphql('{ lake { versions { version live damaged } } }', ANALYST_KEY)).body.data.lake.versions;
    expect(versions).toEqual([
      { version: live, live: true, damaged: null },
      { version: older, live: false, damaged: expect.stringMatching(why) },
    ]);

    const status = await runBin(['status', '--lake', lake, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).keptVersions).toEqual([
      expect.objectContaining({ version: live, damaged: null }),
      expect.objectContaining({ version: older, damaged: expect.stringMatching(why) }),
    ]);
    expect((await runBin(['status', '--lake', lake])).stdout).toMatch(
      new RegExp(`DAMAGED version ${older}: .*accelerometer_trusted\\.parquet.*; its cursors get STALE_CURSOR; the next build expires it; run \`stedi build\` to expire it now, or put the file back from a copy`),
    );

    const rebuilt = await runBin(['build', '--lake', lake, '--json']);
    expect(rebuilt.code).toBe(0);
    const next = JSON.parse(rebuilt.stdout).version;
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([next, live]);
    expect(readdirSync(layout.tableRoot('accelerometer_trusted')).sort()).toEqual([`v=${live}`, `v=${next}`].sort());
  });
});

describe('a kept version damaged while it is served', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  const PAGES: Record<string, string> = {
    customers: 'query($after: String) { customers(first: 1, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }',
    accelerometerReadings: 'query($after: String) { accelerometerReadings(first: 1, after: $after) { edges { node { x } } pageInfo { endCursor } } }',
    stepTrainerReadings: 'query($after: String) { stepTrainerReadings(first: 1, after: $after) { edges { node { distanceFromObject } } pageInfo { endCursor } } }',
    machineLearningSamples: 'query($after: String) { machineLearningSamples(first: 1, after: $after) { edges { node { x } } pageInfo { endCursor } } }',
  };

  it('answers STALE_CURSOR on every field once the damage is known, not only on the fields that read the damaged file', async () => {
    const { lake, landing, older, layout } = twoVersionLake();
    t = await buildTestApp({ landing, lake, build: false });
    const cursors: Record<string, string> = {};
    for (const [field, page] of Object.entries(PAGES)) {
      const liveCursor = (await t.graphql(page, ANALYST_KEY)).body.data[field].pageInfo.endCursor;
      cursors[field] = cursorFor(lake, liveCursor, older);
      // Served from the older version first: it is loaded, its customers held, before its files change.
      expect((await t.graphql(page, ANALYST_KEY, { after: cursors[field] })).body.errors).toBeUndefined();
    }
    // Bytes appended: every row group before them still reads, but the file is no longer the one the manifest recorded.
    writeFileSync(layout.tableFile('customer_curated', older), 'appended', { flag: 'a' });
    const versions = (await t.graphql('{ lake { versions { version damaged } } }', ANALYST_KEY)).body.data.lake.versions;
    expect(versions.find((v: { version: string }) => v.version === older).damaged).toMatch(/customer_curated\.parquet/);
    for (const [field, page] of Object.entries(PAGES)) {
      const answer = (await t.graphql(page, ANALYST_KEY, { after: cursors[field] })).body;
      expect([field, answer.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)]).toEqual([field, ['STALE_CURSOR']]);
    }
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
  });
});

describe('a damaged live version', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('makes /readyz 503 with the reason and the API answer LAKE_DAMAGED until `stedi build` repairs it', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    truncateSync(new LakeLayout(lake).tableFile('machine_learning_curated', built.version), 100);
    t = await buildTestApp({ landing, lake, build: false });

    const ready = await request(t.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^live version damaged: .*machine_learning_curated\.parquet is 100 bytes; the manifest recorded \d+; run `stedi build`/);
    const answer = (await t.graphql(COUNT, ANALYST_KEY)).body;
    expect(answer.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
    expect(answer.errors[0].message).toMatch(/the live lake version .* is damaged .*; an admin can run `stedi build` .*\(`stedi status` names every damaged file\)$/);
    expect(answer.errors[0].message).not.toContain(lake);
    const status = await runBin(['status', '--lake', lake]);
    expect(status.stdout).toMatch(/DAMAGED live version .*: .*100 bytes.*; run `stedi build`/);
    expect(status.code).toBe(1);

    const rebuilt = await runBin(['build', '--lake', lake, '--json']);
    expect(rebuilt.code).toBe(0);
    const after = await request(t.server).get('/readyz');
    expect(after.body).toEqual({ status: 'ready', version: JSON.parse(rebuilt.stdout).version });
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
  });
});

describe('a live version whose row counts were edited in the manifest (still valid JSON)', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('is damaged by the count its file\'s footer contradicts, in status, /readyz and the API, and serves again once the count is put back', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    const { manifestPath } = new LakeLayout(lake);
    const original = readFileSync(manifestPath, 'utf8');
    const edited = JSON.parse(original);
    edited.versions[0].tables.customer_curated.rows = 999;
    writeFileSync(manifestPath, JSON.stringify(edited));
    const why = `the manifest records 999 rows for customer_curated, but customer/curated/v=${built.version}/customer_curated.parquet holds 2: the manifest was changed after the build`;

    const status = await runBin(['status', '--lake', lake]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`DAMAGED live version ${built.version}: ${why}; run \`stedi build\` to build a new live version\n`);
    expect(status.stdout).toMatch(/^customer_curated +curated +2  /m);
    const statusJson = JSON.parse((await runBin(['status', '--lake', lake, '--json'])).stdout);
    expect([statusJson.tables.customer_curated.rows, statusJson.tables.customer_landing.rows]).toEqual([2, null]);
    t = await buildTestApp({ landing, lake, build: false });
    expect((await request(t.server).get('/readyz')).body.reason).toBe(`live version damaged: ${why}; run \`stedi build\` to build a new one`);
    const answer = (await t.graphql(COUNT, ANALYST_KEY)).body;
    expect(answer.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
    expect((await t.graphql('{ lake { versions { damaged } } }', ANALYST_KEY)).body.data.lake.versions).toEqual([{ damaged: why }]);
    // The edited count is not shown: built tables say what their footers hold, landing tables (no file to tell) null.
    const damagedRows = (await t.graphql('{ lake { tables { name rows } versions { tables { name rows } } } }', ANALYST_KEY)).body.data.lake;
    const footers = Object.fromEntries(BUILT_TABLES.map((table) => [table, built.tables[table].rows]));
    const expected = TABLE_NAMES.map((name) => ({ name, rows: TABLES[name].zone === 'landing' ? null : footers[name] }));
    expect(damagedRows.tables).toEqual(expected);
    expect(damagedRows.versions[0].tables).toEqual(expected);
    expect(damagedRows.tables.find((table: { name: string }) => table.name === 'customer_curated').rows).toBe(2);

    writeFileSync(manifestPath, original);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
    expect((await t.graphql('{ lake { tables { name rows } versions { damaged } } }', ANALYST_KEY)).body.data.lake).toEqual({
      tables: TABLE_NAMES.map((name) => ({ name, rows: built.tables[name].rows })),
      versions: [{ damaged: null }],
    });
    expect((await runBin(['status', '--lake', lake])).code).toBe(0);
  });
});

describe('a live version damaged while it is served', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('makes /readyz 503 as soon as a read has found the damage, as the API answers LAKE_DAMAGED', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    t = await buildTestApp({ landing, lake, build: false });
    const READINGS = '{ accelerometerReadings(first: 10) { edges { node { x } } } }';
    expect((await t.graphql(READINGS, ANALYST_KEY)).body.errors).toBeUndefined();
    expect((await request(t.server).get('/readyz')).status).toBe(200);

    truncateSync(new LakeLayout(lake).tableFile('accelerometer_trusted', built.version), 100);
    // A new read (another page size: no kept answer) finds the file cut short.
    const answer = (await t.graphql(READINGS.replace('10', '11'), ANALYST_KEY)).body;
    expect(answer.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
    const ready = await request(t.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^live version damaged: .*accelerometer_trusted\.parquet is 100 bytes/);
  });
});

describe('a live version file changed in place while it is served, its size and modification time put back', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('answers LAKE_DAMAGED and makes /readyz 503 without being asked, instead of serving the changed rows', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    t = await buildTestApp({ landing, lake, build: false });
    const SAMPLES = '{ machineLearningSamples(first: 10) { edges { node { x } } } }';
    expect((await t.graphql(SAMPLES, ANALYST_KEY)).body.errors).toBeUndefined();

    // Bit rot as a disk shows it: one byte flipped, the length and mtime as they were.
    const file = new LakeLayout(lake).tableFile('machine_learning_curated', built.version);
    const { atime, mtime } = statSync(file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    writeFileSync(file, bytes);
    utimesSync(file, atime, mtime);
    let ready = await request(t.server).get('/readyz');
    for (let waited = 0; ready.status === 200 && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await request(t.server).get('/readyz');
    }
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/machine_learning_curated\.parquet fails its SHA-256 checksum/);
    const answer = (await t.graphql(SAMPLES.replace('10', '11'), ANALYST_KEY)).body;
    expect(answer.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
  });
});

/** /readyz until it answers `status`, for up to 5 s (a served file's change is noticed by its watch). */
async function readyzOnce(t: TestApp, status: number): Promise<request.Response> {
  let ready = await request(t.server).get('/readyz');
  for (let waited = 0; ready.status !== status && waited < 5_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    ready = await request(t.server).get('/readyz');
  }
  return ready;
}

describe('a damaged live version file put back', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('serves again, without a build, once the file found damaged at start is the one the manifest recorded', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    const file = new LakeLayout(lake).tableFile('customer_curated', built.version);
    const original = readFileSync(file);
    rmSync(file);
    t = await buildTestApp({ landing, lake, build: false });
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.errors[0].extensions.code).toBe('LAKE_DAMAGED');
    expect((await request(t.server).get('/readyz')).status).toBe(503);

    // Put back wrong first: still damaged, now for its checksum.
    writeFileSync(file, Buffer.alloc(original.length, 1));
    expect((await request(t.server).get('/readyz')).body.reason).toMatch(/customer_curated\.parquet fails its SHA-256 checksum/);
    writeFileSync(file, original);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
    expect((await request(t.server).get('/readyz')).body).toEqual({ status: 'ready', version: built.version });
  });

  it('answers again, without being asked first, once a file changed while served is put back as it was', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    t = await buildTestApp({ landing, lake, build: false });
    const SAMPLES = '{ machineLearningSamples(first: 10) { edges { node { x } } } }';
    const before = (await t.graphql(SAMPLES, ANALYST_KEY)).body;
    expect(before.errors).toBeUndefined();

    const file = new LakeLayout(lake).tableFile('machine_learning_curated', built.version);
    const original = readFileSync(file);
    const bytes = Buffer.from(original);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    writeFileSync(file, bytes);
    expect((await readyzOnce(t, 503)).body.reason).toMatch(/machine_learning_curated\.parquet fails its SHA-256 checksum/);

    writeFileSync(file, original);
    expect((await readyzOnce(t, 200)).body).toEqual({ status: 'ready', version: built.version });
    // Another page size: not a kept answer, so read from the file put back.
    const after = (await t.graphql(SAMPLES.replace('10', '11'), ANALYST_KEY)).body;
    expect(after.errors).toBeUndefined();
    expect(after.data.machineLearningSamples.edges.slice(0, 10)).toEqual(before.data.machineLearningSamples.edges);
  });
});

describe('a count asked before the live version was damaged', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('is not answered from the count cache once the damage is known: the count answers LAKE_DAMAGED like every other field', async () => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    t = await buildTestApp({ landing, lake, build: false });
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);

    // Another table's file is changed: the customers' count would read nothing of it, but the version is damaged.
    const file = new LakeLayout(lake).tableFile('machine_learning_curated', built.version);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    writeFileSync(file, bytes);
    expect((await readyzOnce(t, 503)).status).toBe(503);
    const answer = (await t.graphql(COUNT, ANALYST_KEY)).body;
    expect(answer.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
    expect(answer.data.customers.totalCount).toBeNull();
  });
});

/** The manifest's copy gone too (a lake built before copies, or both damaged): nothing good is left to serve. */
const withoutCopy = (layout: LakeLayout): void => rmSync(manifestCopyOf(layout.manifestPath), { force: true });

describe('a corrupt manifest with no good copy beside it', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  const corruptions: Array<[string, (m: Record<string, any>) => string, RegExp]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an empty file', () => '', /is empty/],
    ['an empty object', () => '{}', /is not valid: manifest\.formatVersion must be 1 or 2 \(found undefined\)/],
    ['an empty version list', (m) => JSON.stringify({ ...m, versions: [] }), /manifest\.versions must name at least 1 entry/],
    ['an empty version entry', (m) => JSON.stringify({ ...m, versions: [{}, ...m.versions] }), /manifest\.versions\[0\]\.version must be a version id/],
    ['an unknown field', (m) => JSON.stringify({ ...m, versions: [{ ...m.versions[0], owner: 'x' }] }), /manifest\.versions\[0\] has an unknown field "owner"/],
    ['a wrong type', (m) => JSON.stringify({ ...m, versions: [{ ...m.versions[0], tables: { ...m.versions[0].tables, customer_trusted: { ...m.versions[0].tables.customer_trusted, rows: '2' } } }] }), /manifest\.versions\[0\]\.tables\.customer_trusted\.rows must be a whole number of at least 0 \(found "2"\)/],
  ];

  it.each(corruptions)('with %s is one clear line, never a crash and never a reason to delete data; the next build writes a good one', async (_what, corrupt, why) => {
    const { landing, lake } = smallLake();
    const built = (await manifestOf(lake))!.versions[0];
    const layout = new LakeLayout(lake);
    const broken = corrupt(JSON.parse(readFileSync(layout.manifestPath, 'utf8')));
    writeFileSync(layout.manifestPath, broken);
    withoutCopy(layout);
    t = await buildTestApp({ landing, lake, build: false });

    const status = await runBin(['status', '--lake', lake]);
    expect(status.code).toBe(1);
    expect(status.stderr.trim().split('\n')).toHaveLength(1);
    expect(status.stderr.startsWith(`stedi: the lake manifest ${layout.manifestPath} `)).toBe(true);
    expect(status.stderr).toMatch(why);
    expect(status.stderr).toMatch(/; restore it from a copy, or run `stedi build` \(it keeps the broken file beside it and deletes no data\)\n$/);
    expect(status.stderr).not.toMatch(/TypeError/);
    const ready = await request(t.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^lake manifest invalid/);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.errors[0].extensions.code).toBe('LAKE_DAMAGED');

    const rebuilt = await runBin(['build', '--lake', lake, '--landing', landing, '--json']);
    expect(rebuilt.stderr).toBe('');
    const next = JSON.parse(rebuilt.stdout).version;
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([next]);
    // The version the broken manifest hid is still on disk, and the broken manifest is kept beside the new one.
    expect(readdirSync(layout.tableRoot('machine_learning_curated')).sort()).toEqual([`v=${built.version}`, `v=${next}`].sort());
    const aside = readdirSync(join(lake, '_stedi')).filter((f) => f.startsWith('manifest.json.broken-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(lake, '_stedi', aside[0]), 'utf8')).toBe(broken);
    expect((await request(t.server).get('/readyz')).status).toBe(200);
  });

  it('is repaired by the rebuildZones mutation its error message suggests, as by `stedi build`', async () => {
    const { landing, lake } = smallLake();
    const layout = new LakeLayout(lake);
    writeFileSync(layout.manifestPath, '{"formatVersion":2,');
    withoutCopy(layout);
    t = await buildTestApp({ landing, lake, build: false });
    const refused = (await t.graphql(COUNT, ANALYST_KEY)).body.errors[0];
    expect(refused.extensions.code).toBe('LAKE_DAMAGED');
    expect(refused.message).toMatch(/rebuildZones mutation.*\(`stedi status` says what is wrong with the manifest\)$/);
    expect(refused.message).not.toContain(lake);

    const started = (await t.graphql('mutation { rebuildZones { id state } }', ADMIN_KEY)).body;
    expect(started.errors).toBeUndefined();
    let state = started.data.rebuildZones.state;
    for (let i = 0; i < 300 && (state === 'QUEUED' || state === 'RUNNING'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await t.graphql(`{ rebuildJob(id: "${started.data.rebuildZones.id}") { state } }`, ADMIN_KEY)).body.data.rebuildJob.state;
    }
    expect(state).toBe('SUCCEEDED');
    expect((await request(t.server).get('/readyz')).status).toBe(200);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
    expect(readdirSync(join(lake, '_stedi')).filter((f) => f.startsWith('manifest.json.broken-'))).toHaveLength(1);
  });
});

describe('a corrupt manifest beside its good copy', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it.each([
    ['cut short', (path: string) => writeFileSync(path, readFileSync(path, 'utf8').slice(0, 40))],
    ['emptied', (path: string) => writeFileSync(path, '')],
    ['replaced by a folder', (path: string) => (rmSync(path), execFileSync('mkdir', [path]))],
  ])('%s under a server, and at a later start, serves the versions the copy names; status still says the manifest is damaged and a build writes both again', async (_what, damage) => {
    const { landing, lake, version } = smallLake();
    const layout = new LakeLayout(lake);
    t = await buildTestApp({ landing, lake, build: false });
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
    damage(layout.manifestPath);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body).toEqual({ data: { customers: { totalCount: 2 } } });
    expect((await request(t.server).get('/readyz')).status).toBe(200);
    await t.close();
    // A server (or a cluster's worker) started after the damage has only the disk to go by.
    t = await buildTestApp({ landing, lake, build: false });
    const page = (await t.graphql('{ lake { liveVersion } customers { totalCount } }', ANALYST_KEY)).body;
    expect(page).toEqual({ data: { lake: { liveVersion: version }, customers: { totalCount: 2 } } });

    const status = await runBin(['status', '--lake', lake]);
    expect({ code: status.code, start: status.stderr.startsWith(`stedi: the lake manifest ${layout.manifestPath} `), lines: status.stderr.trim().split('\n').length }).toEqual({ code: 1, start: true, lines: 1 });
    // The build goes on from the copy: the version it names expires as usual (--keep 1), not left unlisted on disk.
    const rebuilt = await runBin(['build', '--lake', lake, '--landing', landing, '--json', '--keep', '1']);
    expect(rebuilt.stderr).toBe('');
    const next = JSON.parse(rebuilt.stdout).version;
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([next]);
    expect(readdirSync(layout.tableRoot('machine_learning_curated'))).toEqual([`v=${next}`]);
    expect(readdirSync(join(lake, '_stedi')).filter((f) => f.startsWith('manifest.json.broken-'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(manifestCopyOf(layout.manifestPath), 'utf8'))).toEqual(JSON.parse(readFileSync(layout.manifestPath, 'utf8')));
    expect((await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body.data.lake.liveVersion).toBe(next);
    expect((await runBin(['status', '--lake', lake])).code).toBe(0);
  });
});

describe('a corrupt manifest whose copy changes while the server serves from it', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('answers LAKE_DAMAGED once the copy is damaged too, as a server started then would, and serves again once the copy is put back', async () => {
    const { landing, lake, version } = smallLake();
    const layout = new LakeLayout(lake);
    const copy = manifestCopyOf(layout.manifestPath);
    const good = readFileSync(copy, 'utf8');
    t = await buildTestApp({ landing, lake, build: false });
    writeFileSync(layout.manifestPath, '');
    expect((await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body).toEqual({ data: { lake: { liveVersion: version } } });

    // The manifest stays as it was: only its copy, the file the server now serves from, changes.
    writeFileSync(copy, '');
    const refused = (await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body;
    expect(refused.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['LAKE_DAMAGED']);
    const ready = await request(t.server).get('/readyz');
    expect({ status: ready.status, reason: ready.body.reason }).toEqual({ status: 503, reason: expect.stringMatching(/^lake manifest invalid/) });

    writeFileSync(copy, good);
    expect((await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body).toEqual({ data: { lake: { liveVersion: version } } });
    expect((await request(t.server).get('/readyz')).status).toBe(200);
  });
});

describe('a manifest that is not a file stedi can read', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  // Node's own words were "EACCES: permission denied, open …", "ELOOP: …, stat …", "ENOTDIR: …, stat …"; a pipe hung every read.
  it.each([
    ['a pipe', (path: string) => execFileSync('mkfifo', [path]), 'is not a regular file (a pipe, socket or device); restore it from a copy, or run `stedi build`'],
    ['a link to itself', (path: string) => symlinkSync(path, path), 'is a link that leads back to itself; restore it from a copy, or run `stedi build`'],
  ])('as %s is one line from status, LAKE_DAMAGED from the API, and set aside by the next build', async (_what, replace, said) => {
    const { landing, lake } = smallLake();
    const { manifestPath } = new LakeLayout(lake);
    rmSync(manifestPath);
    replace(manifestPath);
    withoutCopy(new LakeLayout(lake));
    t = await buildTestApp({ landing, lake, build: false });

    const status = await runBin(['status', '--lake', lake]);
    expect({ code: status.code, stderr: status.stderr.split(said)[0] }).toEqual({ code: 1, stderr: `stedi: the lake manifest ${manifestPath} ` });
    expect((await request(t.server).get('/readyz')).body.reason).toMatch(/^lake manifest invalid/);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.errors[0].extensions.code).toBe('LAKE_DAMAGED');

    const rebuilt = await runBin(['build', '--lake', lake, '--landing', landing, '--json']);
    expect(rebuilt.stderr).toBe('');
    expect(readdirSync(join(lake, '_stedi')).filter((f) => f.startsWith('manifest.json.broken-'))).toHaveLength(1);
    expect((await t.graphql(COUNT, ANALYST_KEY)).body.data.customers.totalCount).toBe(2);
  });

  it('under a file where its folder should be is one line naming that file, and LAKE_DAMAGED without a path from the API', async () => {
    const { landing, lake } = smallLake();
    const layout = new LakeLayout(lake);
    rmSync(join(lake, '_stedi'), { recursive: true });
    writeFileSync(join(lake, '_stedi'), '');
    t = await buildTestApp({ landing, lake, build: false });

    for (const args of [['status', '--lake', lake], ['build', '--lake', lake, '--landing', landing]]) {
      const run = await runBin(args);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: `stedi: cannot read the lake manifest ${layout.manifestPath}: ${join(lake, '_stedi')} is a file, not a folder; move it away (a build makes the folder)\n` });
    }
    expect((await request(t.server).get('/readyz')).status).toBe(503);
    const refused = (await t.graphql(COUNT, ANALYST_KEY)).body.errors[0];
    expect(refused.extensions.code).toBe('LAKE_DAMAGED');
    expect(refused.message).toBe("the server cannot read the lake manifest (a permission, a file where its folder should be, or a link to a disk not mounted); tell the server's operator (its /readyz and log name the path)");
  });

  (process.getuid?.() === 0 ? it : it.skip)('that the user running stedi may not read is one line naming the permission fix', async () => {
    const { lake } = smallLake();
    execFileSync('chmod', ['-R', 'a+rX', lake]);
    const { manifestPath } = new LakeLayout(lake);
    chmodSync(manifestPath, 0o600);
    const run = await runBin(['status', '--lake', lake], {}, { uid: 65534, gid: 65534 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `stedi: cannot read the lake manifest ${manifestPath} (EACCES): the user running stedi (uid 65534) may not read it; give that user read access (chmod, chown) or run stedi as the lake's owner\n`,
    });
  });
});
