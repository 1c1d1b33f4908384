import os from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Engine } from '../../etl/engine/engine';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

/**
 * A GraphQL query whose DuckDB spill (what passes STEDI_DUCKDB_MEMORY_LIMIT) the temporary folder's disk cannot take:
 * DuckDB says "Out of Memory Error: failed to offload data block", and the caller was told INTERNAL_SERVER_ERROR;
 * so was it when the folder refused the spill (a read-only TMPDIR).
 */

// A sort of far more than the 32 MB limit: DuckDB must spill it, into the 256 KiB tmpfs.
const SPILLING_SQL = 'SELECT count(*) FROM (SELECT i, md5(i::varchar) AS m FROM range(3000000) t(i) ORDER BY m)';
const QUERY = '{ accelerometerReadings(first: 5, filter: { from: 100000000000 }) { edges { node { timestamp } } } }';

/** The engine, each page read first running a sort that spills (once `spilling` is set): DuckDB's real failure. */
const spillingReads = (state: { spilling: boolean }) => (engine: Engine): Engine =>
  new Proxy(engine, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property !== 'query' && property !== 'queryColumns' && property !== 'heldPage') return value.bind(target);
      return async (...args: unknown[]) => {
        if (state.spilling) await target.query(SPILLING_SQL);
        return value.apply(target, args);
      };
    },
  });

/** The app over a small lake whose engine spills into `temporary`, its log lines in `logs`; its reads spill once `state.spilling`. */
async function spillingApp(temporary: string, logs: string[], state: { spilling: boolean }): Promise<TestApp> {
  const landing = writeSmallLanding();
  const lake = makeTempDir('stedi-spill-lake-');
  // The serving engine's spill folder is made under os.tmpdir() (TMPDIR) when it opens; Jest's process.env is not the one Node reads.
  jest.spyOn(os, 'tmpdir').mockReturnValue(temporary);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return buildTestApp({ landing, lake, logger: pino({ level: 'info' }, sink), config: { duckdbMemoryLimit: '32MB', duckdbThreads: 1 }, wrapEngine: spillingReads(state) });
}

/** Asks QUERY as `requestId` while reads spill: the answer says `message` with no path, and one error line logs the folder. */
async function expectRefusedSpill(t: TestApp, logs: string[], state: { spilling: boolean }, requestId: string, message: string, logged: RegExp): Promise<void> {
  state.spilling = true;
  const res = await t.graphql(QUERY, ADMIN_KEY).set('x-request-id', requestId);
  state.spilling = false;
  expect(res.body.errors).toEqual([expect.objectContaining({ message, extensions: { code: 'INSUFFICIENT_STORAGE' } })]);
  expect(res.text).not.toContain(os.tmpdir());
  const lines = logs.filter((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"level":50'));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ spillDir: expect.stringContaining(os.tmpdir()), msg: expect.stringMatching(logged) });
  // Once nothing spills (the spill went with the failed query), the same request is answered.
  const again = await t.graphql(QUERY, ADMIN_KEY);
  expect(again.body.errors).toBeUndefined();
  expect(again.body.data.accelerometerReadings.edges.length).toBeGreaterThan(0);
}

(canMountTmpfs ? describe : describe.skip)('a GraphQL query whose spill the temporary folder cannot take', () => {
  jest.setTimeout(60_000);
  let t: TestApp | undefined;
  const state = { spilling: false };
  // Before each unmount (hooks run in the order given): DuckDB holds its folder there.
  afterEach(async () => {
    await t?.close();
    t = undefined;
    jest.restoreAllMocks();
  });
  const full = tmpfsForSuite('stedi-query-spill-', 'size=256k');
  const readOnly = tmpfsForSuite('stedi-query-spill-ro-', 'ro,size=64k');

  it('answers INSUFFICIENT_STORAGE saying to free space in the temporary folder when its disk is full, without the path, and logs the folder', async () => {
    const logs: string[] = [];
    t = await spillingApp(full, logs, state);
    await expectRefusedSpill(
      t,
      logs,
      state,
      'spill-full-1',
      "the server has no disk space left for this query's working files; retry later or ask for fewer rows, and tell the server's operator to free space in its temporary folder (its log names it)",
      /^no space left on the device holding .*where DuckDB spills/,
    );
  });

  it('answers INSUFFICIENT_STORAGE saying the operator must give it a writable TMPDIR when the folder is read-only, and logs the folder', async () => {
    const logs: string[] = [];
    t = await spillingApp(readOnly, logs, state);
    await expectRefusedSpill(
      t,
      logs,
      state,
      'spill-ro-1',
      "the server cannot write this query's working files: its temporary folder is read-only or not writable by it; ask for fewer rows, and tell the server's operator (its log names the folder: set TMPDIR to a writable one)",
      /^cannot write .*where DuckDB spills .*set TMPDIR to a writable folder$/,
    );
  });
});
