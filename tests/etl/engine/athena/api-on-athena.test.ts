import { readFileSync } from 'node:fs';
import request from 'supertest';
import { join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { EngineUnavailableError } from '../../../../etl/engine/engine-errors';
import { SOURCES } from '../../../../etl/tables';
import { loadConfig } from '../../../../src/config';
import { machineLearningExportQuery } from '../../../../src/graphql/machine-learning-export';
import { createLogger } from '../../../../src/logger';
import { closeServices, createServices, type Services } from '../../../../src/services';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { fakeAws, type FakeAws } from '../../../helpers/fake-aws';
import { makeTempDir } from '../../../helpers/landing-fixture';
import { writeManyCustomersLanding } from '../../../helpers/many-customers-landing';
import { pageThrough } from '../../../helpers/page-through';
import { ANALYST_KEY } from '../../../helpers/http-app';
import { ADMIN, ANALYST, appUrl, errorCodes, queryData, runGraphql } from '../../../helpers/run-graphql';
import { sqlParseErrors } from '../../../helpers/sql-grammar';
import { buildTestLake, type TestLake } from '../../../helpers/test-lake';

/**
 * The API's resolvers talk to an Engine and never know which one: here the
 * same GraphQL requests are answered through the Athena engine (its query
 * path, paging and type conversion, against the Athena stand-in over DuckDB)
 * and through the embedded engine, and must give the same answers.
 */

const LAKE = 's3://example-bucket/stedi';
const SAMPLE = 'serialNumber sensorReadingTime distanceFromObject x y z';
const AWS_FAILED = "the query engine (Athena) or its storage (S3) failed on AWS's side; nothing is wrong with the request: retry in a few minutes";

describe('the GraphQL API answering through the Athena engine', () => {
  let aws: FakeAws;
  let duck: AthenaOnDuckDb;
  let athena: Services;
  let embedded: TestLake;
  let queriesBeforeApi: number;

  beforeAll(async () => {
    const fixture = writeManyCustomersLanding(40, 3);
    aws = fakeAws();
    duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(fixture.landing, s, 'landing')])));
    aws.athena.handler = duck.handler;
    const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
    await runBuild(await engine.buildTarget({}), {});
    queriesBeforeApi = aws.athena.queries.length;
    const config = loadConfig({ engine: 'athena', lake: LAKE, logLevel: 'silent' }, {});
    athena = await createServices(config, engine, createLogger('silent'));
    embedded = await buildTestLake({ landing: fixture.landing });
  });

  afterAll(async () => {
    await closeServices(athena);
    await athena.engine.close();
    await embedded.close();
    duck.close();
  });

  it('pages customers and training samples exactly as the embedded engine does', async () => {
    const cases: [string, string, number, string][] = [
      ['customers', 'serialNumber registrationDate shareWithResearchAsOfDate', 7, ''],
      ['machineLearningSamples', SAMPLE, 25, ''],
      ['machineLearningSamples', SAMPLE, 25, 'split: TRAIN'],
    ];
    for (const [field, selection, size, args] of cases) {
      const onAthena = await pageThrough(athena, ANALYST, field, selection, size, args);
      const onDuckDb = await pageThrough(embedded.services, ANALYST, field, selection, size, args);
      expect(onAthena.nodes.length).toBeGreaterThan(0);
      expect(onAthena.pages).toBeGreaterThan(1);
      expect(onAthena.nodes).toEqual(onDuckDb.nodes);
      expect(onAthena.totalCounts).toEqual(onDuckDb.totalCounts);
    }
  });

  it('answers a bulk page of accelerometer readings (read as columns, its edges written as text) as the embedded engine does', async () => {
    const selection = 'serialNumber timestamp timestampIso x y z';
    const onAthena = await pageThrough(athena, ANALYST, 'accelerometerReadings', selection, 1_000, '');
    const onDuckDb = await pageThrough(embedded.services, ANALYST, 'accelerometerReadings', selection, 1_000, '');
    expect(onAthena.nodes.length).toBeGreaterThan(0);
    expect(onAthena.nodes).toEqual(onDuckDb.nodes);
  });

  it('resolves nested fields and personal data for an admin the same way', async () => {
    const query = `{ customers(first: 5) { edges { node { serialNumber email customerName accelerometerReadings(first: 2) { totalCount edges { node { timestamp x } } } } } } }`;
    expect(await queryData(athena, ADMIN, query)).toEqual(await queryData(embedded.services, ADMIN, query));
  });

  it('exports the training set from Athena’s result file with the same rows as the embedded engine', async () => {
    const dir = makeTempDir('stedi-athena-export-');
    const exported = async (services: Services, file: string) => {
      const { sql, params } = await machineLearningExportQuery(services, { split: 'TRAIN' });
      const rows = await services.engine.exportToFile(sql, params, 'ndjson', join(dir, file));
      return { rows, lines: readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) };
    };
    const onAthena = await exported(athena, 'athena.ndjson');
    const onDuckDb = await exported(embedded.services, 'duckdb.ndjson');
    expect(onAthena.rows).toBeGreaterThan(0);
    expect(onAthena).toEqual(onDuckDb);
  });

  it('exports a CSV with its text guarded against spreadsheet formulas from Athena as from the embedded engine', async () => {
    const dir = makeTempDir('stedi-athena-export-');
    const exported = async (services: Services, file: string) => {
      const { sql, params } = await machineLearningExportQuery(services, { formulaSafeText: true });
      return { rows: await services.engine.exportToFile(sql, params, 'csv', join(dir, file)), text: readFileSync(join(dir, file), 'utf8') };
    };
    const onAthena = await exported(athena, 'athena.csv');
    expect(onAthena.rows).toBeGreaterThan(0);
    expect(onAthena).toEqual(await exported(embedded.services, 'duckdb.csv'));
  });

  it('rebuilds the zones on Athena through the rebuildZones mutation, and serves the new version', async () => {
    const before = (await queryData(athena, ANALYST, '{ lake { liveVersion } }')).lake.liveVersion;
    const id = (await queryData(athena, ADMIN, 'mutation { rebuildZones { id } }')).rebuildZones.id;
    let job = { state: 'QUEUED', version: null as string | null };
    while (job.state === 'QUEUED' || job.state === 'RUNNING') {
      // Reading a job is answered from memory: let the event loop run the build in between.
      await new Promise((resolve) => setImmediate(resolve));
      job = (await queryData(athena, ADMIN, `{ rebuildJob(id: "${id}") { state version error } }`)).rebuildJob;
    }
    expect(job).toMatchObject({ state: 'SUCCEEDED' });
    const after = (await queryData(athena, ANALYST, '{ lake { liveVersion } }')).lake.liveVersion;
    expect(after).toBe(job.version);
    expect(after).not.toBe(before);
    expect(aws.athena.statements.some((s) => s.startsWith(`CREATE TABLE "stedi"."machine_learning_curated__${after}"`))).toBe(true);
  });

  it('refuses a rebuild while another build holds the lake’s S3 lock, saying so to the admin without the bucket', async () => {
    const lock = `${LAKE}/_stedi/build.lock`;
    aws.s3.put(lock, JSON.stringify({ owner: 'build by hand', since: new Date().toISOString() }));
    try {
      const id = (await queryData(athena, ADMIN, 'mutation { rebuildZones { id } }')).rebuildZones.id;
      let job = { state: 'QUEUED', error: null as string | null };
      while (job.state === 'QUEUED' || job.state === 'RUNNING') {
        await new Promise((resolve) => setImmediate(resolve));
        job = (await queryData(athena, ADMIN, `{ rebuildJob(id: "${id}") { state error } }`)).rebuildJob;
      }
      expect(job).toEqual({ state: 'FAILED', error: 'another build is running on this lake (perhaps `stedi build`); try again when it has finished' });
    } finally {
      aws.s3.objects.delete(lock.replace(/^s3:\/\//, ''));
    }
  });

  it('answers ENGINE_BUSY, naming no bucket or SQL, when Athena still throttles its queries after every retry', async () => {
    aws.athena.throttleStarts = 1_000;
    try {
      const result = await runGraphql(athena, ANALYST, '{ customer(serialNumber: "serial-asked-while-throttled") { serialNumber } }');
      expect(errorCodes(result)).toEqual(['ENGINE_BUSY']);
      expect(result.errors![0].message).toMatch(/retry in a few seconds/);
      expect(JSON.stringify(result)).not.toMatch(/example-bucket|SELECT|TooManyRequests/);
    } finally {
      aws.athena.throttleStarts = 0;
    }
  }, 30_000);

  it.each(['starts', 'polls', 'results'] as const)('answers ENGINE_BUSY saying to retry, not an internal error, when Athena %s answer HTTP 500 after the SDK’s retries', async (call) => {
    aws.athena.failing[call] = 1;
    try {
      const result = await runGraphql(athena, ANALYST, `{ customer(serialNumber: "serial-asked-while-athena-${call}-fail") { serialNumber } }`);
      expect(aws.athena.failing[call]).toBe(0);
      expect(result.errors).toEqual([expect.objectContaining({ message: AWS_FAILED, extensions: { code: 'ENGINE_BUSY' } })]);
      expect(JSON.stringify(result)).not.toMatch(/example-bucket|SELECT|InternalServer|request-/);
      // A query whose poll failed may still run: it was stopped, not left billing.
      expect(aws.athena.unfinished).toEqual([]);
    } finally {
      aws.athena.failing[call] = 0;
    }
  });

  it('answers /export 503 ENGINE_BUSY saying to retry when S3 fails on its side reading the query’s result file', async () => {
    const { sql, params } = await machineLearningExportQuery(athena, { split: 'TRAIN' });
    aws.s3.failing.gets = 1;
    try {
      const failed = athena.engine.exportToFile(sql, params, 'csv', join(makeTempDir('stedi-athena-export-'), 'rows.csv'));
      await expect(failed).rejects.toThrow(EngineUnavailableError);
      await expect(failed).rejects.toThrow(
        /^cannot read the query's result file s3:\/\/results-bucket\/athena\/q-\d+\.csv: S3 answered InternalError, a failure on AWS's side \(HTTP 500, request id s3-request-gets\), not in the request, the lake or the set-up: retry in a few minutes$/,
      );
      aws.s3.failing.gets = 1_000;
      const res = await request(await appUrl(athena)).get('/export/machine_learning_curated?format=csv').set('authorization', `Bearer ${ANALYST_KEY}`).set('connection', 'close');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ errors: [{ message: AWS_FAILED, extensions: { code: 'ENGINE_BUSY' } }] });
      // "A few minutes", as the message says.
      expect(res.headers['retry-after']).toBe('120');
    } finally {
      aws.s3.failing.gets = 0;
    }
  });

  it('sends Athena only SQL its grammars parse, with every parameter in a WHERE clause', () => {
    const sent = aws.athena.queries.slice(queriesBeforeApi);
    expect(sent.length).toBeGreaterThan(5);
    // The API's queries and the rebuild's statements; Athena reads its DDL with the Hive grammar.
    const grammar = (sql: string) => (/^(CREATE (DATABASE|EXTERNAL TABLE)|DROP TABLE)/.test(sql) ? 'hive' : 'trino');
    const errors = sqlParseErrors(sent.map((q) => ({ sql: q.sql, grammar: grammar(q.sql) })));
    expect(sent.map((q, i) => ({ sql: q.sql, errors: errors[i] })).filter((f) => f.errors.length > 0)).toEqual([]);
    // The engine refuses a misplaced placeholder before calling Athena, so every query sent carried only WHERE parameters.
    expect(duck.failures).toEqual([]);
  });
});
