import os from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Engine } from '../../etl/engine/engine';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

/**
 * A GraphQL query whose DuckDB spill (what passes STEDI_DUCKDB_MEMORY_LIMIT) the temporary folder's disk cannot take:
 * DuckDB says "Out of Memory Error: failed to offload data block", and the caller was told INTERNAL_SERVER_ERROR.
 */

// A sort of far more than the 32 MB limit: DuckDB must spill it, into the 256 KiB tmpfs.
const SPILLING_SQL = 'SELECT count(*) FROM (SELECT i, md5(i::varchar) AS m FROM range(3000000) t(i) ORDER BY m)';
const QUERY = '{ accelerometerReadings(first: 5, filter: { from: 1 }) { edges { node { timestamp } } } }';

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

(canMountTmpfs ? describe : describe.skip)('a GraphQL query whose spill the temporary folder\'s disk cannot take', () => {
  jest.setTimeout(60_000);
  let t: TestApp | undefined;
  const logs: string[] = [];
  const state = { spilling: false };
  // Before the unmount (hooks run in the order given): DuckDB holds its folder there.
  afterAll(async () => {
    await t?.close();
    jest.restoreAllMocks();
  });
  const temporary = tmpfsForSuite('stedi-query-spill-', 'size=256k');

  it('answers INSUFFICIENT_STORAGE saying to free space in the temporary folder, without the path, and logs the folder for the operator', async () => {
    // The serving engine's spill folder is made under os.tmpdir() (TMPDIR) when it opens; Jest's process.env is not the one Node reads.
    jest.spyOn(os, 'tmpdir').mockReturnValue(temporary);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    t = await buildTestApp({ landing: writeSmallLanding(), logger: pino({ level: 'info' }, sink), config: { duckdbMemoryLimit: '32MB', duckdbThreads: 1 }, wrapEngine: spillingReads(state) });
    state.spilling = true;
    const res = await t.graphql(QUERY, ADMIN_KEY).set('x-request-id', 'spill-full-1');
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: "the server has no disk space left for this query's working files; retry later or ask for fewer rows, and tell the server's operator to free space in its temporary folder (its log names it)",
        extensions: { code: 'INSUFFICIENT_STORAGE' },
      }),
    ]);
    expect(res.text).not.toContain(temporary);
    const logged = logs.filter((l) => l.includes('"requestId":"spill-full-1"') && l.includes('"level":50'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0])).toMatchObject({ spillDir: expect.stringContaining(temporary), msg: expect.stringMatching(/^no space left on the device holding .*where DuckDB spills/) });
    // Once the disk has room again (the spill is gone with the failed query), the same request is answered.
    state.spilling = false;
    const again = await t.graphql(QUERY, ADMIN_KEY);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.accelerometerReadings.edges.length).toBeGreaterThan(0);
  });
});
