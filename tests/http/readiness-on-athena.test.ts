import express from 'express';
import request from 'supertest';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import { engineProbe } from '../../src/http/engine-probe';
import { healthRoutes } from '../../src/http/health';
import { requestContext } from '../../src/http/request-context';
import { createLogger } from '../../src/logger';
import type { ConsentRegistry } from '../../src/consent/consent-registry';
import { type FakeAws, fakeAws } from '../helpers/fake-aws';
import { manifestOfVersions } from '../helpers/manifest-fixture';

const LAKE = 's3://example-bucket/stedi';
const VERSION = '20260101t000000000z_aaaa';

function athenaLake(): { aws: FakeAws; engine: AthenaEngine } {
  const aws = fakeAws(() => ({ columns: [{ name: 'ok', type: 'integer' }], rows: [['1']] }));
  aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifestOfVersions(VERSION)));
  return { aws, engine: new AthenaEngine({ lake: LAKE, manifestCacheMs: 0 }, aws.clients) };
}

/** A consent registry that is always fresh: only the engine decides readiness here. */
const freshConsent = { staleness: () => undefined, refresh: async () => undefined } as unknown as ConsentRegistry;

function app(engine: AthenaEngine) {
  return express().use(requestContext(createLogger('silent'))).use(healthRoutes({ engine, consent: freshConsent }, () => false));
}

/** Lets the background query (mocked, instant) finish. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i += 1) await new Promise((done) => setImmediate(done));
};

describe('readiness on Athena', () => {
  it('answers every probe from one cached query: not ready until it has answered, then ready without asking Athena again', async () => {
    const { aws, engine } = athenaLake();
    const server = app(engine);
    const first = await request(server).get('/readyz');
    expect(first.status).toBe(503);
    expect(first.body.reason).toBe('the query engine has not answered yet; retry in a few seconds');
    await settle();
    for (let i = 0; i < 20; i += 1) {
      const res = await request(server).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', version: VERSION });
    }
    expect(aws.athena.queries.map((q) => q.sql)).toEqual(['SELECT 1 AS ok']);
  });

  it('never waits on Athena: a query that hangs leaves probes answering at once, and starts no second query', async () => {
    const { aws, engine } = athenaLake();
    aws.athena.handler = () => new Promise(() => undefined);
    const server = app(engine);
    for (let i = 0; i < 5; i += 1) {
      const res = await request(server).get('/readyz').timeout(1_000);
      expect(res.status).toBe(503);
    }
    expect(aws.athena.mock.calls().filter((c) => c.args[0].constructor.name === 'StartQueryExecutionCommand')).toHaveLength(1);
  });

  it('says AWS failed on its side and to retry when S3 answers the manifest read HTTP 500, and is ready once S3 answers again', async () => {
    const { aws, engine } = athenaLake();
    aws.s3.failing.gets = 1;
    const server = app(engine);
    const res = await request(server).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toBe("lake manifest cannot be read: AWS failed on its side (the server log has the service's request id); retry in a few minutes");
    expect(JSON.stringify(res.body)).not.toContain('s3-request-');
    await settle();
    expect((await request(server).get('/readyz')).body.reason).not.toMatch(/manifest/);
  });

  it('asks Athena again once a failed answer is 10 s old on the monotonic clock, though the wall clock was stepped back an hour (NTP)', async () => {
    // Only Date and performance.now are faked (timers and setImmediate run as usual): the step moves Date alone.
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    try {
      const { aws, engine } = athenaLake();
      aws.athena.handler = () => ({ states: ['FAILED'], error: { category: 3, retryable: false, reason: 'the workgroup is disabled' } });
      const server = app(engine);
      await request(server).get('/readyz');
      await settle();
      expect((await request(server).get('/readyz')).status).toBe(503);
      aws.athena.handler = () => ({ columns: [{ name: 'ok', type: 'integer' }], rows: [['1']] });
      jest.setSystemTime(Date.now() - 3_600_000);
      jest.advanceTimersByTime(11_000);
      await request(server).get('/readyz');
      await settle();
      expect((await request(server).get('/readyz')).body).toEqual({ status: 'ready', version: VERSION });
    } finally {
      jest.useRealTimers();
    }
  });

  it('still refuses readiness without a live version, before asking the engine', async () => {
    const { aws, engine } = athenaLake();
    aws.s3.objects.clear();
    const res = await request(app(engine)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toMatch(/lake not built/);
    expect(aws.athena.queries).toHaveLength(0);
  });
});

describe('the cached engine probe', () => {
  it('asks again only after its TTL, sooner after a failure, one query at a time', async () => {
    const { aws, engine } = athenaLake();
    let now = 0;
    const probe = engineProbe(engine, { ttlMs: 60_000, failedTtlMs: 10_000, now: () => now });
    expect((await probe.answer()).state).toBe('no answer yet');
    expect((await probe.answer()).state).toBe('no answer yet');
    await settle();
    expect(aws.athena.queries).toHaveLength(1);
    now = 59_999;
    expect((await probe.answer()).state).toBe('answers');
    expect(aws.athena.queries).toHaveLength(1);

    aws.athena.handler = () => ({ error: { category: 1, retryable: false, reason: 'Athena is down' } });
    now = 60_000;
    expect((await probe.answer()).state).toBe('answers'); // the stale answer is served while the new one is asked for
    await settle();
    expect(aws.athena.queries).toHaveLength(2);
    const failed = await probe.answer();
    expect(failed.state).toBe('does not answer');
    expect(String(failed.error)).toContain('Athena is down');
    now += 9_999;
    await probe.answer();
    await settle();
    expect(aws.athena.queries).toHaveLength(2);
    now += 1;
    await probe.answer();
    await settle();
    expect(aws.athena.queries).toHaveLength(3);
  });
});
