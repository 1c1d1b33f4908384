import { truncateSync } from 'node:fs';
import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { LakeLayout } from '../../../../etl/engine/duckdb/lake-layout';
import { LakeDamagedError, QueryTimeoutError, StaleVersionError } from '../../../../etl/engine/engine-errors';
import { buildLake } from '../../../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp } from '../../../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../../../helpers/landing-fixture';
import { STEDI_SAMPLE_DIR, describeWithStediSample } from '../../../helpers/stedi-sample';
import { buildTestLake } from '../../../helpers/test-lake';

/** Kept versions load when first asked for, once, under a time limit of their own. */

async function untilLoaded(engine: DuckDbEngine, version: string): Promise<void> {
  for (let i = 0; i < 200 && engine.versionState(version).state !== 'loaded'; i += 1) await new Promise((r) => setTimeout(r, 25));
}

describe('kept versions', () => {
  it('load only the live one at start; the consent registry lists the others’ customers without loading them', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-lazy-');
    const versions = [];
    for (let i = 0; i < 3; i += 1) versions.push((await buildLake(landing, lake)).version);
    const [older, old, live] = versions;
    const t = await buildTestLake({ landing, lake, build: false });
    try {
      const engine = t.engine as DuckDbEngine;
      await untilLoaded(engine, live);
      expect([live, old, older].map((v) => engine.versionState(v).state)).toEqual(['loaded', 'not loaded', 'not loaded']);
      // carol refuses consent and no version holds her: each version's own list is empty, where the fallback would list her.
      const snapshot = await t.services.consent.snapshot();
      expect(snapshot.hiddenSerials.has('serial-carol')).toBe(true);
      expect([older, old, live].map((v) => snapshot.exclusionsFor(v))).toEqual([[], [], []]);
      expect(snapshot.exclusionsFor('20200101t000000000z_none')).toEqual(['serial-carol']);
      expect([old, older].map((v) => engine.versionState(v).state)).toEqual(['not loaded', 'not loaded']);
    } finally {
      await t.close();
    }
  });

  it('load once however many readers ask at the same time', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-once-');
    const older = (await buildLake(landing, lake)).version;
    await buildLake(landing, lake);
    const engine = await DuckDbEngine.open({ lake, connections: 4 });
    try {
      const loader = (engine as unknown as { versions: { loadVersion: () => Promise<void> } }).versions;
      const loads = jest.spyOn(loader, 'loadVersion');
      const refs = await Promise.all(Array.from({ length: 6 }, () => engine.tableRef('customer_curated', older)));
      expect(new Set(refs).size).toBe(1);
      expect(loads).toHaveBeenCalledTimes(1);
      expect(engine.versionState(older).state).toBe('loaded');
    } finally {
      await engine.close();
    }
  });
});

describe('a version served from its files', () => {
  it('whose file is damaged after it was attached answers LAKE_DAMAGED (live) or STALE_CURSOR (older), naming the file', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-damaged-later-');
    const older = (await buildLake(landing, lake)).version;
    const live = (await buildLake(landing, lake)).version;
    const engine = await DuckDbEngine.open({ lake, connections: 2 });
    try {
      // Step trainer readings: a view of its file (a small customers table is copied into memory at load, see customers-in-memory.test.ts).
      const refs = { live: await engine.tableRef('step_trainer_trusted', live), older: await engine.tableRef('step_trainer_trusted', older) };
      const layout = new LakeLayout(lake);
      for (const version of [live, older]) truncateSync(layout.tableFile('step_trainer_trusted', version), 100);
      await expect(engine.query(`SELECT count(*) FROM ${refs.live}`)).rejects.toBeInstanceOf(LakeDamagedError);
      await expect(engine.query(`SELECT count(*) FROM ${refs.older}`)).rejects.toThrow(StaleVersionError);
      await expect(engine.query(`SELECT count(*) FROM ${refs.older}`)).rejects.toMatchObject({ damage: expect.stringContaining('step_trainer_trusted') });
    } finally {
      await engine.close();
    }
  });
});

describe('a version dropped between lookup and query', () => {
  it('answers StaleVersionError, not an internal error', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-dropped-');
    const first = (await buildLake(landing, lake)).version;
    const engine = await DuckDbEngine.open({ lake, connections: 2 });
    try {
      const ref = await engine.tableRef('customer_curated', first);
      await buildLake(landing, lake, { keepVersions: 1 });
      await engine.manifest();
      const failure = engine.query(`SELECT count(*) AS n FROM ${ref}`);
      await expect(failure).rejects.toBeInstanceOf(StaleVersionError);
      await expect(failure).rejects.toThrow(`lake version ${first} is no longer kept`);
    } finally {
      await engine.close();
    }
  });
});

describeWithStediSample('loading a version on the real data', () => {
  jest.setTimeout(60_000);

  it('has a time limit apart from the per-query one, and a load cut off is not damage', async () => {
    const lake = makeTempDir('stedi-load-limit-');
    const { version } = await buildLake(STEDI_SAMPLE_DIR, lake);
    const strictQueries = await DuckDbEngine.open({ lake, connections: 2, queryTimeoutMs: 1 });
    try {
      await expect(strictQueries.tableRef('machine_learning_curated', version)).resolves.toContain('machine_learning_curated');
    } finally {
      await strictQueries.close();
    }
    const limited = await DuckDbEngine.open({ lake, connections: 2, queryTimeoutMs: 30_000, loadTimeoutMs: 45_000 });
    try {
      type WithConnection = (o: { timeoutMs?: number }, ...rest: unknown[]) => Promise<unknown>;
      const engine = limited as unknown as { withConnection: WithConnection };
      const original = engine.withConnection.bind(limited);
      // A load cut off by its limit: the engine's own timeout error, as withConnection raises it. Only the call given
      // the load's limit is cut (the version's footers are read first, under the per-query limit).
      let cut = 0;
      jest.spyOn(engine, 'withConnection').mockImplementation((options, ...rest) => {
        if (options.timeoutMs !== 45_000 || cut > 0) return original(options, ...rest);
        cut += 1;
        return Promise.reject(new QueryTimeoutError(45_000));
      });
      await expect(limited.tableRef('machine_learning_curated', version)).rejects.toBeInstanceOf(QueryTimeoutError);
      expect(cut).toBe(1);
      expect(limited.versionState(version)).toEqual({ state: 'not loaded' });
      // Asked again, it loads.
      await expect(limited.tableRef('machine_learning_curated', version)).resolves.toContain('machine_learning_curated');
      expect(limited.versionState(version)).toEqual({ state: 'loaded' });
    } finally {
      await limited.close();
    }
  });

  it('serves with STEDI_QUERY_TIMEOUT_MS=150 once the live version is loaded', async () => {
    const t = await buildTestApp({ landing: STEDI_SAMPLE_DIR, config: { queryTimeoutMs: 150 } });
    try {
      const res = await t.graphql('{ customers(first: 3) { edges { node { serialNumber } } } }', ANALYST_KEY);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.customers.edges).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});
