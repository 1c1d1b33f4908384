import { join } from 'node:path';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { type BuildOptions, runBuild } from '../../../../etl/build';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { AthenaQueryError } from '../../../../etl/engine/athena/athena-errors';
import { EngineUnavailableError, QueryTimeoutError } from '../../../../etl/engine/engine-errors';
import { LIVE_VIEWS } from '../../../../etl/engine/athena/object-names';
import { parseManifest } from '../../../../etl/manifest';
import { BUILT_TABLES, SOURCES, TABLES } from '../../../../etl/tables';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { rowCounts } from '../../../helpers/etl-lake';
import { type FakeAws, fakeAws } from '../../../helpers/fake-aws';
import { writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';

const LAKE = 's3://example-bucket/stedi';
const MANIFEST = `${LAKE}/_stedi/manifest.json`;

interface Harness {
  aws: FakeAws;
  duck: AthenaOnDuckDb;
  engine: AthenaEngine;
  warnings: string[];
  build(options?: BuildOptions): ReturnType<typeof runBuild>;
  manifest(): ReturnType<typeof parseManifest> | null;
  count(relation: string): Promise<number>;
}

/** `at`: the prefix the landing folders are found under (the lake's own by default), given to the first engine as its landing. */
async function harness(landing: string, at?: string): Promise<Harness> {
  const aws = fakeAws();
  const folders = Object.fromEntries(SOURCES.map((s) => [`${at ?? LAKE}/${s}/landing/`, join(landing, s, 'landing')]));
  const duck = await AthenaOnDuckDb.create(aws.s3, folders);
  aws.athena.handler = duck.handler;
  const warnings: string[] = [];
  const engine = new AthenaEngine({ lake: LAKE, landing: at, warn: (m) => warnings.push(m) }, aws.clients);
  return {
    aws,
    duck,
    engine,
    warnings,
    build: async (options = {}) => runBuild(await engine.buildTarget(options), options),
    manifest: () => {
      const text = aws.s3.text(`${LAKE}/_stedi/manifest.json`);
      return text === undefined ? null : parseManifest(text, 'manifest');
    },
    count: async (relation) => Number((await duck.connection.runAndReadAll(`SELECT count(*) FROM ${relation}`)).getRows()[0][0]),
  };
}

/** An S3 call given up at its time limit (its request may still be carried out). */
const timedOut = (): Error => Object.assign(new Error('AWS did not answer within 30000 ms (STEDI_AWS_TIMEOUT_MS)'), { name: 'TimeoutError' });

/** The versions the live views were last pointed at by `statements`, one entry per distinct version. */
const liveViewVersions = (statements: string[]): string[] => [
  ...new Set(
    statements
      .filter((s) => s.startsWith('CREATE OR REPLACE VIEW'))
      .slice(-LIVE_VIEWS.length)
      .map((s) => s.match(/__(\d{8}t\d{9}z_[0-9a-f]+)"/)![1]),
  ),
];

describe('building the lake on Athena', () => {
  let h: Harness;
  afterEach(() => h?.duck.close());

  it('builds every table by CTAS into a new version, then switches the live views', async () => {
    h = await harness(writeSmallLanding());
    const version = await h.build({ consentPolicy: 'any' });

    // The small landing's counts, as the DuckDB engine builds them (tests/etl/zones.test.ts).
    expect(rowCounts(version)).toEqual({
      customer_landing: 3,
      accelerometer_landing: 5,
      step_trainer_landing: 4,
      customer_trusted: 2,
      accelerometer_trusted: 4,
      step_trainer_trusted: 3,
      customer_curated: 2,
      machine_learning_curated: 4,
    });
    expect(version.landingCounts.accelerometer).toEqual({ lines: 5, accepted: 5, quarantined: 0, blank: 0, quarantineReasons: [] });
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([version.version]);
    for (const table of BUILT_TABLES) {
      expect(version.tables[table].location).toMatch(new RegExp(`^${LAKE}/[a-z_]+/(trusted|curated)/v=${version.version}/$`));
      expect(h.aws.s3.keysUnder(version.tables[table].location)).toHaveLength(1);
      expect(await h.count(`stedi.${table}`)).toBe(version.tables[table].rows);
    }
    expect(await h.count('stedi.customer_landing')).toBe(3);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
    expect(h.aws.s3.keysUnder(`${LAKE}/_stedi/builds/`)).toEqual([]);
    expect(h.aws.athena.queries.every((q) => q.database === 'stedi' && q.workgroup === 'primary')).toBe(true);
  });

  it('counts the quarantine per reason, with the embedded engine\'s wording, adding up to the quarantine count', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'step_trainer', ['not json', '{"sensorReadingTime":1655000005000,"distanceFromObject":1}', '{"sensorReadingTime":1655000006000,"distanceFromObject":2}'], 'step_trainer-2.json');
    h = await harness(landing);
    const counts = (await h.build({ consentPolicy: 'any' })).landingCounts.step_trainer;
    expect(counts.quarantined).toBe(3);
    expect(counts.quarantineReasons).toEqual([
      { reason: 'missing required field "serialNumber"', count: 2 },
      { reason: 'malformed JSON', count: 1 },
    ]);
  });

  it('cleans up a failed CTAS and switches nothing', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    const failing = 'CREATE TABLE "stedi"."step_trainer_trusted__';
    h.duck.failWhen = (sql) => {
      if (!sql.startsWith(failing)) return undefined;
      // Athena may have written part of the result before failing.
      const location = /external_location = '([^']+)'/.exec(sql)![1];
      h.aws.s3.put(`${location}partial-file`, 'half');
      return 'HIVE_BAD_DATA: simulated failure half way';
    };
    const failed = h.build();
    await expect(failed).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(failed).rejects.toThrow('HIVE_BAD_DATA: simulated failure half way');

    const statements = h.aws.athena.statements;
    const failedVersion = /step_trainer_trusted__(\w+)"/.exec(statements.filter((s) => s.startsWith(failing)).pop()!)![1];
    expect(failedVersion).not.toBe(first.version);
    expect(statements.filter((s) => s.includes(failedVersion) && s.startsWith('CREATE OR REPLACE VIEW'))).toEqual([]);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(failedVersion))).toEqual([]);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.includes(failedVersion))).toEqual([]);
    for (const table of BUILT_TABLES) expect(await h.count(`stedi.${table}`)).toBe(first.tables[table].rows);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('leaves no query running when a build fails: each started query finished or was stopped', async () => {
    h = await harness(writeSmallLanding());
    const original = h.aws.athena.handler;
    const startedAfterStop: string[] = [];
    h.aws.athena.handler = async (query) => {
      if (h.aws.athena.stopped.length > 0) startedAfterStop.push(query.sql);
      // step_trainer's landing fails at once while the other sources' reads are still running.
      if (query.sql.includes('step_trainer_landing_json__') && query.sql.startsWith('CREATE EXTERNAL TABLE')) return { error: { category: 2, retryable: false, reason: 'HIVE_INVALID_METADATA' } };
      const outcome = await original(query);
      return query.sql.startsWith('CREATE EXTERNAL TABLE') ? { ...outcome, states: [...Array(50).fill('RUNNING'), 'SUCCEEDED'] } : outcome;
    };
    await expect(h.build()).rejects.toThrow('HIVE_INVALID_METADATA');
    // Two sources' reads were running: both stopped; every other query ended on its own.
    expect(h.aws.athena.stopped).toHaveLength(2);
    expect(h.aws.athena.unfinished).toEqual([]);
    // After the stop only the build's own cleanup started.
    expect(startedAfterStop.length).toBeGreaterThan(0);
    expect(startedAfterStop.filter((sql) => !sql.startsWith('DROP '))).toEqual([]);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('removes a failed CTAS attempt’s table and partial files before Athena retries it', async () => {
    h = await harness(writeSmallLanding());
    const target = 'CREATE TABLE "stedi"."customer_curated__';
    const seenAtRetry: string[][] = [];
    let attempts = 0;
    const original = h.aws.athena.handler;
    h.aws.athena.handler = async (query) => {
      if (!query.sql.startsWith(target)) return original(query);
      const location = /external_location = '([^']+)'/.exec(query.sql)![1];
      attempts += 1;
      if (attempts === 1) {
        h.aws.s3.put(`${location}partial-file`, 'half');
        return { error: { category: 1, retryable: true, reason: 'Query exhausted resources at this scale factor' } };
      }
      seenAtRetry.push(h.aws.s3.keysUnder(location));
      return original(query);
    };
    const version = await h.build();
    expect(attempts).toBe(2);
    expect(seenAtRetry).toEqual([[]]);
    const retried = h.aws.athena.statements.findIndex((s, i) => i > 0 && s.startsWith(target) && h.aws.athena.statements.slice(0, i).some((p) => p.startsWith(target)));
    expect(h.aws.athena.statements[retried - 1]).toBe(`DROP TABLE IF EXISTS \`stedi\`.\`customer_curated__${version.version}\``);
    expect(version.tables.customer_curated.rows).toBe(2);
  });

  it('stops a CTAS that runs past STEDI_ATHENA_BUILD_TIMEOUT_MS, publishes nothing and names the table and the setting to raise', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    const original = h.aws.athena.handler;
    const hung = 'CREATE TABLE "stedi"."customer_trusted__';
    h.aws.athena.handler = async (query) => (query.sql.startsWith(hung) ? { states: ['RUNNING'] } : original(query));
    const engine = new AthenaEngine({ lake: LAKE, warn: () => undefined, buildTimeoutMs: 60_000 }, h.aws.clients);
    const failed = runBuild(await engine.buildTarget({}), {});
    await expect(failed).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(failed).rejects.toThrow(
      /^the CTAS of customer_trusted__\w+ ran longer than STEDI_ATHENA_BUILD_TIMEOUT_MS \(60000 ms\) and was stopped, so nothing was published: raise STEDI_ATHENA_BUILD_TIMEOUT_MS/,
    );
    const stuck = h.aws.athena.queries.filter((q) => q.sql.startsWith(hung)).pop()!;
    expect(h.aws.athena.stopped).toContain(stuck.id);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('says which S3 permission to grant, naming the object, when reading the manifest or listing the lake is refused (403)', async () => {
    h = await harness(writeSmallLanding());
    const denied = () => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    h.aws.s3.mock.on(GetObjectCommand, { Key: 'stedi/_stedi/manifest.json' }).rejects(denied());
    await expect(h.build()).rejects.toThrow(
      `cannot read the lake's manifest ${MANIFEST} (AccessDenied: Access Denied): grant s3:GetObject on ${LAKE}/* and s3:ListBucket on bucket example-bucket (and kms:Decrypt on the bucket's key if it uses SSE-KMS)`,
    );
    h.aws.s3.mock.on(GetObjectCommand, { Key: 'stedi/_stedi/manifest.json' }).callsFake(() => {
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    });
    h.aws.s3.mock.on(ListObjectsV2Command, { Prefix: 'stedi/_stedi/builds/' }).rejects(denied());
    await expect(h.build()).rejects.toThrow(
      `cannot list ${LAKE}/_stedi/builds/ (AccessDenied: Access Denied): grant s3:ListBucket on bucket example-bucket for the lake's prefix`,
    );
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('says which AWS service failed on its side, its error and request id, and to retry, when S3 or Athena answers HTTP 500 after the SDK’s retries; publishes nothing', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    const onAwsSide = "a failure on AWS's side \\(HTTP 500, request id (s3|athena)-request-\\w+\\), not in the request, the lake or the set-up: retry in a few minutes$";
    const s3Failed = (): Error => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $metadata: { httpStatusCode: 500, requestId: 's3-request-builds' } });
    const faults: [() => void, string, preflight?: true][] = [
      [() => (h.aws.s3.failing.gets = 1), `^cannot read the lake's manifest ${MANIFEST}: S3 answered InternalError, `],
      // The pre-flight's listing of the landing: its grant would not help, and it says so.
      [() => (h.aws.s3.failing.lists = 1), `^cannot list the landing prefix ${LAKE}/\\w+/landing/ \\(InternalError: We encountered an internal error. Please try again.\\): `, true],
      [() => (h.aws.athena.failing.starts = 1), '^cannot run the Athena query: Athena answered InternalServerException, '],
      [() => (h.aws.athena.failing.polls = 1), '^cannot run the Athena query: Athena answered InternalServerException, '],
      // Last: this listing fails from now on.
      [() => h.aws.s3.mock.on(ListObjectsV2Command, { Prefix: 'stedi/_stedi/builds/' }).rejects(s3Failed()), `^cannot list ${LAKE}/_stedi/builds/: S3 answered InternalError, `],
    ];
    for (const [fail, message, preflight] of faults) {
      fail();
      const failed = h.build();
      await expect(failed).rejects.toThrow(new RegExp(`${message}${onAwsSide}`));
      if (!preflight) await expect(failed).rejects.toBeInstanceOf(EngineUnavailableError);
      expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
      expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
      expect(h.aws.athena.unfinished).toEqual([]);
    }
  });

  it('switches nothing when a check fails', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    h.duck.failWhen = () => undefined;
    const original = h.aws.athena.handler;
    h.aws.athena.handler = (query) =>
      query.sql.includes('AS violations FROM accelerometer_trusted') ? { columns: [{ name: 'violations', type: 'bigint' }], rows: [['2']] } : original(query);
    await expect(h.build()).rejects.toThrow('the build failed its checks, so the previous version stays live');
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    expect(h.aws.athena.statements.filter((s) => s.startsWith('CREATE OR REPLACE VIEW'))).toHaveLength(LIVE_VIEWS.length);
  });

  it('expires versions beyond the kept count: drops their tables, deletes only their own prefixes and prunes Glue versions', async () => {
    h = await harness(writeSmallLanding());
    const oldest = await h.build({ keepVersions: 2 });
    const middle = await h.build({ keepVersions: 2 });
    const siblings = [`${LAKE}/customer/trusted/v=${oldest.version}x/part-0`, `${LAKE}/customer/trusted/v=${oldest.version}-copy/part-0`];
    for (const key of siblings) h.aws.s3.put(key);
    for (const view of LIVE_VIEWS) h.aws.glue.versions.set(view, ['1', '2', '10']);

    const newest = await h.build({ keepVersions: 2 });
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([newest.version, middle.version]);
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(`v=${oldest.version}/`))).toEqual([]);
    for (const key of siblings) expect(h.aws.s3.has(key)).toBe(true);
    for (const kept of [middle, newest]) for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(kept.tables[table].location)).toHaveLength(1);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.endsWith(oldest.version))).toEqual([]);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.endsWith(middle.version))).toHaveLength(BUILT_TABLES.length + 4 * SOURCES.length + 1 /* consent_uncertain */);
    for (const view of LIVE_VIEWS) expect(h.aws.glue.versions.get(view)).toEqual(['10']);
    expect(h.warnings).toEqual([]);
  });

  it('removes what a killed build left behind before building', async () => {
    h = await harness(writeSmallLanding());
    const killed = '20250101t000000000z_dead';
    h.aws.s3.put(`${LAKE}/_stedi/builds/v=${killed}/started`);
    h.aws.s3.put(`${LAKE}/accelerometer/trusted/v=${killed}/part-0`);
    await h.duck.connection.run(`CREATE SCHEMA IF NOT EXISTS stedi; CREATE TABLE stedi.customer_trusted__${killed} AS SELECT 1 AS x`);
    await h.build();
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(killed))).toEqual([]);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.includes(killed))).toEqual([]);
  });

  it('points the live views a build killed while switching them left on its version back at the live one, even when the next build fails', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    const killed = '20250101t000000000z_dead';
    h.aws.s3.put(`${LAKE}/_stedi/builds/v=${killed}/started`);
    h.aws.s3.put(`${LAKE}/customer/trusted/v=${killed}/part-0`);
    await h.duck.connection.run(`CREATE TABLE stedi.customer_trusted__${killed} AS SELECT 1 AS x`);
    await h.duck.connection.run(`CREATE OR REPLACE VIEW stedi.customer_trusted AS SELECT * FROM stedi.customer_trusted__${killed}`);
    h.duck.failWhen = (sql) => (sql.startsWith('CREATE TABLE "stedi"."machine_learning_curated__') ? 'HIVE_BAD_DATA: simulated' : undefined);
    await expect(h.build()).rejects.toThrow('HIVE_BAD_DATA: simulated');
    expect((await h.duck.objectNames('stedi')).filter((n) => n.includes(killed))).toEqual([]);
    for (const table of BUILT_TABLES) expect(await h.count(`stedi.${table}`)).toBe(first.tables[table].rows);
  });

  it('refuses to start while another build holds the lock, and leaves that lock alone', async () => {
    h = await harness(writeSmallLanding());
    h.aws.s3.put(`${LAKE}/_stedi/build.lock`, JSON.stringify({ owner: 'build 20250101t000000000z_beef', since: '2025-01-01T00:00:00.000Z' }));
    await expect(h.build()).rejects.toThrow(
      `another build holds the lake's lock ${LAKE}/_stedi/build.lock (build 20250101t000000000z_beef since 2025-01-01T00:00:00.000Z); wait for it, or delete that object if no build is running`,
    );
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(true);
    expect(h.aws.athena.queries).toHaveLength(0);
  });

  it('does not publish, and leaves the other build’s lock alone, when its lock was deleted by hand and taken while it ran', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    const original = h.aws.athena.handler;
    const theirs = JSON.stringify({ owner: 'build 20990101t000000000z_beef', since: '2099-01-01T00:00:00.000Z', token: 'theirs' });
    h.aws.athena.handler = async (query) => {
      // Half way through, an operator deletes the lock as stale and another build takes it.
      if (query.sql.startsWith('CREATE TABLE "stedi"."customer_curated__')) h.aws.s3.put(`${LAKE}/_stedi/build.lock`, theirs);
      return original(query);
    };
    await expect(h.build({ consentPolicy: 'any' })).rejects.toThrow(`the lake's lock ${LAKE}/_stedi/build.lock is no longer this build's (it is now held by build 20990101t000000000z_beef since 2099-01-01T00:00:00.000Z)`);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    expect(h.aws.s3.text(`${LAKE}/_stedi/build.lock`)).toBe(theirs);
    expect(h.warnings.filter((w) => w.startsWith('releasing the build lock'))).toHaveLength(1);
  });

  it('does not publish over a manifest another build published while it switched the views, and points the views back at that build', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    const theirs = `${JSON.stringify({ ...h.manifest()!, versions: [{ ...h.manifest()!.versions[0], builtAt: '2099-01-01T00:00:00.000Z' }] }, null, 2)}\n`;
    const original = h.aws.athena.handler;
    h.aws.athena.handler = async (query) => {
      // Between this build's lock check and its manifest write, another build publishes.
      if (query.sql.startsWith('CREATE OR REPLACE VIEW') && h.aws.s3.text(MANIFEST) !== theirs) h.aws.s3.put(MANIFEST, theirs);
      return original(query);
    };
    const before = h.aws.athena.statements.length;
    await expect(h.build({ consentPolicy: 'any' })).rejects.toThrow(`the lake's manifest ${MANIFEST} changed while this build ran (another build published, or it was edited by hand): this build published nothing`);
    expect(h.aws.s3.text(MANIFEST)).toBe(theirs);
    const ours = h.aws.athena.statements.slice(before).find((s) => s.startsWith('CREATE TABLE'))!.match(/__(\d{8}t\d{9}z_[0-9a-f]+)"/)![1];
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(ours))).toEqual([]);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.endsWith(ours))).toEqual([]);
    const views = h.aws.athena.statements.slice(before).filter((s) => s.startsWith('CREATE OR REPLACE VIEW')).slice(-LIVE_VIEWS.length);
    for (const view of views) expect(view).toContain(`__${first.version}"`);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('does not publish over a manifest another build wrote first into a lake that had none', async () => {
    h = await harness(writeSmallLanding());
    const theirs = '{"written": "by another build"}\n';
    const original = h.aws.athena.handler;
    h.aws.athena.handler = async (query) => {
      if (query.sql.startsWith('CREATE OR REPLACE VIEW') && !h.aws.s3.has(MANIFEST)) h.aws.s3.put(MANIFEST, theirs);
      return original(query);
    };
    await expect(h.build()).rejects.toThrow(`the lake's manifest ${MANIFEST} changed while this build ran`);
    expect(h.aws.s3.text(MANIFEST)).toBe(theirs);
  });

  it('keeps its version when the manifest PUT and its second try went unanswered, and the next build removes it as the manifest does not name it', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    h.aws.s3.putFaults.set(MANIFEST, { error: Object.assign(new Error('We encountered an internal error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), landed: false, times: 2 });
    await expect(h.build({ consentPolicy: 'any' })).rejects.toThrow(`could not tell whether the lake's manifest ${MANIFEST} was written (InternalError: We encountered an internal error): this build's version was left in place`);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    const left = h.aws.s3.keysUnder(`${LAKE}/_stedi/builds/`);
    expect(left).toHaveLength(1);
    const unsure = left[0].match(/v=([^/]+)\//)![1];
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(`${LAKE}/${TABLES[table].folder}/${TABLES[table].zone}/v=${unsure}/`).length).toBeGreaterThan(0);
    const third = await h.build({ consentPolicy: 'any' });
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([third.version, first.version]);
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(unsure))).toEqual([]);
  });

  it('publishes, the live views naming the version the manifest names, when the manifest PUT timed out and lands after the build ended', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    h.aws.s3.putFaults.set(MANIFEST, { error: timedOut(), landed: 'later' });
    const before = h.aws.athena.statements.length;
    const second = await h.build({ consentPolicy: 'any' });
    // The lost PUT lands now: its condition names the manifest the second try replaced, so S3 refuses it.
    expect(h.aws.s3.landLate()).toBe(false);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([second.version, first.version]);
    expect(liveViewVersions(h.aws.athena.statements.slice(before))).toEqual([second.version]);
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(`${LAKE}/${TABLES[table].folder}/${TABLES[table].zone}/v=${second.version}/`).length).toBeGreaterThan(0);
  });

  it('publishes, keeping its version, when the manifest PUT landed but its retry was refused because the manifest had changed (to this very one)', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    // The SDK tries a PUT whose answer was lost again: the first attempt landed, so the retry's If-Match no longer holds.
    h.aws.s3.putFaults.set(MANIFEST, { error: Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }), landed: true });
    const second = await h.build({ consentPolicy: 'any' });
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([second.version, first.version]);
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(`${LAKE}/${TABLES[table].folder}/${TABLES[table].zone}/v=${second.version}/`).length).toBeGreaterThan(0);
    expect(h.aws.s3.keysUnder(`${LAKE}/_stedi/builds/`)).toEqual([]);
  });

  it.each([
    ['met a write in progress (409), which may be the first one', Object.assign(new Error('A conflicting conditional operation is currently in progress'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } })],
    ['was refused for another reason (403), the first perhaps still to land', Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })],
  ])('keeps its version when the manifest PUT timed out and its second try %s', async (_case, refusal) => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    // The first PUT times out (it may still be under way, or land later); the second is refused.
    let sent = 0;
    h.aws.s3.mock.on(PutObjectCommand, { Key: 'stedi/_stedi/manifest.json' }).callsFake(() => {
      sent += 1;
      throw sent === 1 ? timedOut() : refusal;
    });
    await expect(h.build({ consentPolicy: 'any' })).rejects.toThrow(`could not tell whether the lake's manifest ${MANIFEST} was written (${refusal.name}: ${refusal.message})`);
    expect(sent).toBe(2);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([first.version]);
    const unsure = h.aws.s3.keysUnder(`${LAKE}/_stedi/builds/`)[0].match(/v=([^/]+)\//)![1];
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(`${LAKE}/${TABLES[table].folder}/${TABLES[table].zone}/v=${unsure}/`).length).toBeGreaterThan(0);
  });

  it('publishes, keeping its version, when the manifest PUT landed unanswered and its second try was refused for another reason (400 RequestTimeout)', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    const stalled = Object.assign(new Error('Your socket connection to the server was not read from or written to within the timeout period'), { name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } });
    // The first PUT lands but its answer is lost; the second is refused for a reason that says nothing of the first.
    let sent = 0;
    h.aws.s3.mock.on(PutObjectCommand, { Key: 'stedi/_stedi/manifest.json' }).callsFake((input: { Body: string }) => {
      sent += 1;
      if (sent === 1) h.aws.s3.put(MANIFEST, input.Body);
      throw sent === 1 ? timedOut() : stalled;
    });
    const second = await h.build({ consentPolicy: 'any' });
    expect(sent).toBe(2);
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([second.version, first.version]);
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(`${LAKE}/${TABLES[table].folder}/${TABLES[table].zone}/v=${second.version}/`).length).toBeGreaterThan(0);
  });

  it('publishes nothing, and removes its version, when the store answers the conditional manifest PUT NotImplemented', async () => {
    h = await harness(writeSmallLanding());
    h.aws.s3.putFaults.set(MANIFEST, { error: Object.assign(new Error('not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }), landed: false });
    await expect(h.build()).rejects.toThrow(`the S3 store of ${MANIFEST} answers a conditional PutObject NotImplemented: not implemented, which publishing needs so two builds never publish over each other`);
    expect(h.manifest()).toBeNull();
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => !k.includes('/landing/'))).toEqual([]);
  });

  it('publishes when the manifest PUT landed but its answer was lost', async () => {
    h = await harness(writeSmallLanding());
    h.aws.s3.putFaults.set(MANIFEST, { error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), landed: true });
    const built = await h.build();
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([built.version]);
    expect(h.aws.s3.keysUnder(`${LAKE}/_stedi/builds/`)).toEqual([]);
  });

  it('refuses to build, before any query is paid for, on a store that answers conditional deletes NotImplemented', async () => {
    h = await harness(writeSmallLanding());
    h.aws.s3.mock.on(DeleteObjectCommand).rejects(Object.assign(new Error('not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }));
    await expect(h.build()).rejects.toThrow(`the S3 store of ${LAKE}/_stedi/build.lock answers DeleteObject with If-Match NotImplemented`);
    expect(h.aws.athena.queries).toHaveLength(0);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(true);
  });

  it('refuses to build over a broken manifest with a fix that works on Athena, deleting no version it named', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    h.aws.s3.put(MANIFEST, '{"format": 2, "versions": [');
    const refusal = await h.build().then(() => undefined, (error: Error) => error.message);
    expect(refusal).toContain(`the lake manifest ${MANIFEST} is not valid JSON`);
    expect(refusal).toContain('restore it from a copy (with versioning on the bucket: aws s3api list-object-versions --bucket example-bucket --prefix stedi/_stedi/manifest.json)');
    expect(refusal).not.toContain('run `stedi build`');
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(first.tables[table].location).length).toBeGreaterThan(0);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('refuses to build when the manifest is missing but versions a build published are there, removing none of them', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build();
    h.aws.s3.objects.delete(MANIFEST.replace(/^s3:\/\//, ''));
    await expect(h.build()).rejects.toThrow(
      `the lake's manifest ${MANIFEST} is missing, but versions a build published are there (${first.version}): restore the manifest from a copy (with versioning on the bucket: aws s3api list-object-versions --bucket example-bucket --prefix stedi/_stedi/manifest.json), or delete those versions' v=<version>/ prefixes to start the lake over`,
    );
    for (const table of BUILT_TABLES) expect(h.aws.s3.keysUnder(first.tables[table].location).length).toBeGreaterThan(0);
    expect((await h.duck.objectNames('stedi')).filter((n) => n.endsWith(first.version)).length).toBeGreaterThan(0);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('names an expired version whose removal failed as abandoned, for the erasure bound, until the next build removes it', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ keepVersions: 1 });
    let failing = true;
    // Removing the expired version's files fails (a throttled or refused DeleteObjects): the manifest no longer names it.
    h.aws.s3.mock.on(DeleteObjectsCommand).callsFake((input) => {
      const keys = (input.Delete?.Objects ?? []).map((o: { Key?: string }) => o.Key!);
      if (failing && keys.some((k: string) => k.includes(`v=${first.version}/`))) return { Errors: [{ Key: keys[0], Code: 'SlowDown', Message: 'Please reduce your request rate.' }] };
      for (const key of keys) h.aws.s3.objects.delete(`${input.Bucket}/${key}`);
      return { Errors: [] };
    });
    const second = await h.build({ keepVersions: 1 });
    expect(h.manifest()?.versions.map((v) => v.version)).toEqual([second.version]);
    expect(h.warnings.some((w) => w.startsWith(`removing expired version ${first.version} failed`))).toBe(true);
    expect(await h.engine.abandonedVersions()).toEqual([first.version]);
    // While a build holds the lock, it removes what it expires itself.
    h.aws.s3.put(`${LAKE}/_stedi/build.lock`, JSON.stringify({ owner: 'build other', token: 'theirs' }));
    expect(await h.engine.abandonedVersions()).toEqual([]);
    h.aws.s3.objects.delete(`${LAKE}/_stedi/build.lock`.replace(/^s3:\/\//, ''));
    failing = false;
    await h.build({ keepVersions: 1 });
    expect(h.aws.s3.keysUnder(LAKE).filter((k) => k.includes(first.version))).toEqual([]);
    expect(await h.engine.abandonedVersions()).toEqual([]);
    // Under the same manifest none can appear: later consent refreshes list nothing on S3.
    const listed = h.aws.s3.mock.commandCalls(ListObjectsV2Command).length;
    expect(await h.engine.abandonedVersions()).toEqual([]);
    expect(h.aws.s3.mock.commandCalls(ListObjectsV2Command)).toHaveLength(listed);
  });

  it('names the versions a build expired as abandoned once it has been dead long after publishing, its lock left on S3', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ keepVersions: 1 });
    h.aws.s3.mock.on(DeleteObjectsCommand).callsFake(() => ({ Errors: [{ Key: 'any', Code: 'InternalError', Message: 'killed' }] }));
    const second = await h.build({ keepVersions: 1 });
    // What a build killed right after its manifest PUT leaves: the expired version's files, and its lock (nothing gave it back).
    h.aws.s3.put(`${LAKE}/_stedi/build.lock`, JSON.stringify({ owner: `build ${second.version}`, since: new Date().toISOString(), token: 'dead' }));
    // Just published: the build may still be removing what it expired.
    expect(await h.engine.abandonedVersions()).toEqual([]);
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.parse(second.builtAt) + 16 * 60_000);
    try {
      expect(await h.engine.abandonedVersions()).toEqual([first.version]);
      // A lock of a build still building its own version: it removes them when it begins, so none are named then.
      h.aws.s3.put(`${LAKE}/_stedi/build.lock`, JSON.stringify({ owner: 'build 20991231t000000000z_0000', token: 'theirs' }));
      expect(await h.engine.abandonedVersions()).toEqual([]);
    } finally {
      later.mockRestore();
    }
  });

  it('builds from the landing prefix the live version was built from when none is given, and from the lake\'s own on a first build', async () => {
    const OTHER = 's3://landing-bucket/in';
    h = await harness(writeSmallLanding(), OTHER);
    const first = await h.build({ consentPolicy: 'any' });
    expect(first.landing).toBe(OTHER);
    // A later build, as `stedi build --lake s3://…` runs it without --landing (the lake's own landing prefix is empty).
    const unset = new AthenaEngine({ lake: LAKE, manifestCacheMs: 0, warn: (m) => h.warnings.push(m) }, h.aws.clients);
    await expect(unset.landingLocation()).resolves.toBe(OTHER);
    const second = await runBuild(await unset.buildTarget({ consentPolicy: 'any' }), { consentPolicy: 'any' });
    expect(second.landing).toBe(OTHER);
    expect(rowCounts(second)).toEqual(rowCounts(first));
    // No live version: the lake's own prefix, as the README's upload steps put it.
    await expect(new AthenaEngine({ lake: 's3://example-bucket/new-lake' }, h.aws.clients).landingLocation()).resolves.toBe('s3://example-bucket/new-lake');
  });

  it('refuses to guess the landing when the live version records one that is not an s3:// prefix, saying to pass --landing', async () => {
    h = await harness(writeSmallLanding());
    const first = await h.build({ consentPolicy: 'any' });
    const edited = { ...h.manifest()!, versions: [{ ...h.manifest()!.versions[0], landing: 'landing' }] };
    h.aws.s3.put(MANIFEST, JSON.stringify(edited));
    const unset = new AthenaEngine({ lake: LAKE, manifestCacheMs: 0 }, h.aws.clients);
    await expect(unset.buildTarget({})).rejects.toThrow(`the live version ${first.version} records its landing as "landing", not an s3:// prefix: give the landing prefix with --landing or STEDI_LANDING`);
    await expect(new AthenaEngine({ lake: LAKE, landing: LAKE, manifestCacheMs: 0 }, h.aws.clients).landingLocation()).resolves.toBe(LAKE);
  });

  it('refuses a new version location that is not empty, releasing the lock', async () => {
    h = await harness(writeSmallLanding());
    const version = '20260101t000000000z_0001';
    h.aws.s3.put(`${LAKE}/machine_learning/curated/v=${version}/stray`);
    const target = await h.engine.buildTarget({});
    await expect(target.begin(version)).rejects.toThrow(`the new version's location ${LAKE}/machine_learning/curated/v=${version}/ is not empty`);
    expect(h.aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });
});
