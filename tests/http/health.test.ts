import { mkdirSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { Engine } from '../../etl/engine/engine';
import { buildLake } from '../helpers/etl-lake';
import { buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

describe('health and readiness', () => {
  let t: TestApp;
  let failQueries = false;
  const logs: Array<{ level: number; msg: string; path?: string; status?: number }> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const failing = (engine: Engine): Engine =>
      new Proxy(engine, {
        get(target, property) {
          const value = Reflect.get(target, property);
          if (property === 'query') return (...args: Parameters<Engine['query']>) => (failQueries ? Promise.reject(new Error('engine down')) : target.query(...args));
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    t = await buildTestApp({ landing: writeSmallLanding(), build: false, wrapEngine: failing, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(() => t.close());

  it('/healthz answers 200 without a key', async () => {
    const res = await request(t.server).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 503 with a reason before any build', async () => {
    const res = await request(t.server).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toMatch(/^lake not built/);
    // A state for probes to poll, not a failure: logged at info, never at error.
    expect(logs.filter((l) => l.path === '/readyz').map((l) => [l.level, l.status])).toEqual([[30, 503]]);
  });

  it('/readyz answers 200 with the live version once the lake is built', async () => {
    const built = await buildLake(t.lake.landing, t.lake.lake);
    const res = await request(t.server).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', version: built.version });
  });

  it('/readyz answers 503 when the engine does not answer', async () => {
    failQueries = true;
    try {
      const res = await request(t.server).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.reason).toMatch(/engine does not answer/);
      expect(JSON.stringify(res.body)).not.toContain('engine down');
    } finally {
      failQueries = false;
    }
  });

  it('/readyz answers 503 once the server is draining, and responses close their connections', async () => {
    t.app.startDraining();
    const res = await request(t.server).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toMatch(/shutting down/);
    expect(res.headers.connection).toBe('close');
  });
});

describe('readiness and a lake folder moved away while the server serves it', () => {
  it('answers 503 saying the lake folder does not exist and to put it back, not only to build, and 200 once it is back', async () => {
    const app = await buildTestApp({ landing: writeSmallLanding() });
    const { lake } = app.lake;
    const away = `${lake}-away`;
    try {
      expect((await request(app.server).get('/readyz')).status).toBe(200);
      renameSync(lake, away);
      const res = await request(app.server).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.reason).toBe(`lake not built: the lake folder ${lake} does not exist; if it was moved or removed, put it back (it is served again at once), else run \`stedi build\` or the rebuildZones mutation`);
      renameSync(away, lake);
      expect((await request(app.server).get('/readyz')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('readiness and the consent registry', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('answers 503 naming the missing landing folder once the registry is stale, and 200 once it is back', async () => {
    const landing = writeSmallLanding();
    t = await buildTestApp({ landing, config: { consentRefreshMs: 100 } });
    expect((await request(t.server).get('/readyz')).status).toBe(200);
    const away = `${landing}-away`;
    renameSync(landing, away);
    try {
      // Twice the refresh interval without a good refresh: the registry may no longer answer.
      await new Promise((r) => setTimeout(r, 300));
      const res = await request(t.server).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.reason).toBe(`consent registry stale: landing folder ${join(landing, 'customer', 'landing')} missing`);
    } finally {
      renameSync(away, landing);
    }
    expect((await request(t.server).get('/readyz')).status).toBe(200);
  });

  it('answers 503 saying the customer landing folder holds no landing files once they are moved away, and 200 once they are back', async () => {
    const landing = writeSmallLanding();
    const app = await buildTestApp({ landing, config: { consentRefreshMs: 100 } });
    const folder = join(landing, 'customer', 'landing');
    const away = `${landing}-customer-files`;
    try {
      expect((await request(app.server).get('/readyz')).status).toBe(200);
      renameSync(folder, away);
      mkdirSync(folder);
      await new Promise((r) => setTimeout(r, 300));
      const res = await request(app.server).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.reason).toBe(`consent registry stale: landing folder ${folder} holds no landing files (.json, .jsonl, .ndjson): put them back`);
      rmdirSync(folder);
      renameSync(away, folder);
      expect((await request(app.server).get('/readyz')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
