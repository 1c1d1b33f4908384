import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { rawPost, sendAtOnce } from '../helpers/requests-at-once';
import { UnknownKeyWarnings } from '../../src/http/unknown-key-warnings';

/**
 * The auth matrix: no key, an unknown key, an analyst key and an admin key
 * against a data query, a personal field, a rebuild and an export.
 */

const DATA = '{ customers(first: 10) { totalCount edges { node { serialNumber } } } }';
const PERSONAL = '{ customers(first: 10) { edges { node { serialNumber email } } } }';
const REBUILD = 'mutation { rebuildZones { id state } }';
const EXPORT = '/export/machine_learning_curated?format=csv';

type Body = { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
type Entry = { level: number; msg: string; requestId?: string; rejected?: number };
const WARN = 40;
const codes = (body: Body): string[] => (body.errors ?? []).map((e) => e.extensions?.code ?? '');

describe('authentication and authorization', () => {
  let t: TestApp;
  const { logger, lines } = loggedLines('warn');
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), logger });
  });
  afterAll(() => t.close());

  describe.each([
    ['no key', null],
    ['an unknown key', 'unknown-key-0123456789abcdef'],
  ])('with %s', (_who, key) => {
    it.each([
      ['a data query', DATA],
      ['a personal field', PERSONAL],
      ['a rebuild', REBUILD],
    ])('refuses %s with 401 UNAUTHENTICATED before execution', async (_what, query) => {
      const res = await t.graphql(query, key);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.data).toBeUndefined();
      expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an export with 401 UNAUTHENTICATED', async () => {
      const req = request(t.server).get(EXPORT);
      if (key) req.set('authorization', `Bearer ${key}`);
      const res = await req;
      expect(res.status).toBe(401);
      expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
    });
  });

  it('says how to send a key when none was sent, and that the key is wrong when it is', async () => {
    expect((await t.graphql(DATA, null)).body.errors[0].message).toMatch(/Authorization: Bearer <key>/);
    expect((await t.graphql(DATA, 'unknown-key-0123456789abcdef')).body.errors[0].message).toMatch(/API key is not valid/);
  });

  it('tells a browser that opened an export or a query as a link what can send the key, and other clients only how to send it', async () => {
    // What Chromium sends when a link to /export is followed (checked in tests/browser: a link carries no header).
    for (const path of [EXPORT, '/graphql?query=%7B%20lake%20%7B%20liveVersion%20%7D%20%7D']) {
      const res = await request(t.server).get(path).set('sec-fetch-mode', 'navigate').set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
      expect(res.status).toBe(401);
      expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
      expect(res.body.errors[0].message).toMatch(/Authorization: Bearer <key>.*a link or the address bar cannot send it.*lake page.*GraphQL IDE/);
    }
    const fetched = await request(t.server).get(EXPORT).set('sec-fetch-mode', 'cors');
    expect(fetched.body.errors[0].message).toBe('an API key is required: send the header "Authorization: Bearer <key>"');
  });

  it.each([
    ['an X-API-Key header', (path: string) => request(t.server).get(path).set('x-api-key', ANALYST_KEY), /sent in the x-api-key header, which this server does not read/],
    ['an api-key header', (path: string) => request(t.server).get(path).set('api-key', ANALYST_KEY), /sent in the api-key header/],
    ['the URL (?api_key=)', (path: string) => request(t.server).get(`${path}${path.includes('?') ? '&' : '?'}api_key=${ANALYST_KEY}`), /sent in the URL \(api_key=\), which this server does not read/],
  ])('says where a key sent in %s went, and that it belongs in Authorization, without echoing it', async (_where, send, said) => {
    for (const path of [EXPORT, '/graphql?query=%7B%20lake%20%7B%20liveVersion%20%7D%20%7D']) {
      const res = await send(path);
      expect(res.status).toBe(401);
      expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
      expect(res.body.errors[0].message).toMatch(said);
      expect(res.body.errors[0].message).toMatch(/send it in the header "Authorization: Bearer <key>"/);
      expect(res.text).not.toContain(ANALYST_KEY.slice(0, 12));
    }
  });

  it.each([
    ['analyst then admin', [ANALYST_KEY, ADMIN_KEY]],
    ['admin then analyst', [ADMIN_KEY, ANALYST_KEY]],
    ['the same key twice', [ADMIN_KEY, ADMIN_KEY]],
  ])('refuses a request with two Authorization headers (%s) instead of picking one', async (_what, keys) => {
    // Raw headers, each on its own line (supertest and fetch would join them into one).
    const body = JSON.stringify({ query: REBUILD });
    const res = await new Promise<{ status: number; body: Body }>((resolve, reject) => {
      const { port } = t.server.address() as AddressInfo;
      const headers = ['host', '127.0.0.1', 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
      const req = httpRequest({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', headers: [...headers, ...keys.flatMap((key) => ['authorization', `Bearer ${key}`])] }, (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as Body }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toMatch(/2 Authorization headers; send one/);
    expect(JSON.stringify(res.body)).not.toContain(ADMIN_KEY);
  });

  it.each([
    ['the bare key', ADMIN_KEY],
    ['another scheme', `Basic ${ADMIN_KEY}`],
    ['two keys joined by a client', `Bearer ${ADMIN_KEY}, Bearer ${ANALYST_KEY}`],
  ])('says how to write the header when it holds %s, without echoing it', async (_what, header) => {
    const res = await request(t.server).post('/graphql').set('authorization', header).send({ query: DATA });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toMatch(/not in the form "Bearer <key>"/);
    expect(res.text).not.toContain(ADMIN_KEY.slice(0, 12));
  });

  it('treats a header in another scheme like a missing key', async () => {
    const res = await request(t.server).post('/graphql').set('authorization', `Basic ${ADMIN_KEY}`).send({ query: DATA });
    expect(res.status).toBe(401);
    expect(codes(res.body)).toEqual(['UNAUTHENTICATED']);
  });

  describe.each([
    ['analyst', ANALYST_KEY],
    ['admin', ADMIN_KEY],
  ])('with an %s key', (role, key) => {
    it('answers a data query', async () => {
      const res = await t.graphql(DATA, key);
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.customers.totalCount).toBe(2);
    });

    it(role === 'admin' ? 'shows personal fields' : 'answers a personal field with FORBIDDEN on that field and never shows it', async () => {
      const res = await t.graphql(PERSONAL, key);
      const nodes = (res.body.data?.customers?.edges ?? []).map((e: { node: Record<string, unknown> }) => e.node);
      if (role === 'admin') {
        expect(res.body.errors).toBeUndefined();
        expect(nodes.map((n: { email: string }) => n.email).sort()).toEqual(['alice@test.com', 'bob@test.com']);
      } else {
        expect(codes(res.body).length).toBeGreaterThan(0);
        expect(new Set(codes(res.body))).toEqual(new Set(['FORBIDDEN']));
        expect(res.body.errors[0].path).toEqual(expect.arrayContaining(['email']));
        expect(JSON.stringify(res.body)).not.toContain('@test.com');
      }
    });

    it(role === 'admin' ? 'starts a rebuild' : 'refuses a rebuild with FORBIDDEN', async () => {
      const res = await t.graphql(REBUILD, key);
      if (role === 'admin') {
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.rebuildZones.id).toEqual(expect.any(String));
        // Let the build finish before the lake is closed.
        await t.lake.services.rebuilds.settled();
      } else {
        expect(codes(res.body)).toEqual(['FORBIDDEN']);
        expect(res.body.data).toBeNull();
      }
    });

    it('may export', async () => {
      const res = await request(t.server).get(EXPORT).set('authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
    });
  });

  // A client guessing keys is warned of once, then counted (unknown-key-warnings.ts), not a warn line per guess.
  describe('warnings for unknown API keys', () => {
    it('logs at most one warning for 40 guessed keys sent at once to /graphql and /export, each still answered 401', async () => {
      // The tests above may have opened the window: this burst is then only counted.
      const before = lines.length;
      const guesses = Array.from({ length: 40 }, (_, i) => `guess-${i}-0123456789abcdef`);
      const exportOf = (key: string): string => `GET /export/machine_learning_curated?format=csv HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nContent-Length: 0\r\n\r\n`;
      const answers = await sendAtOnce(t.server, guesses.map((key, i) => (i % 2 ? exportOf(key) : rawPost(key, '{ __typename }'))));
      expect(answers.map((a) => a.status)).toEqual(guesses.map(() => 401));
      const warnings = lines.slice(before).map((line) => JSON.parse(line) as Entry).filter((entry) => entry.level === WARN && /unknown API key/.test(entry.msg));
      expect(warnings.length).toBeLessThanOrEqual(1);
      expect(warnings.every((entry) => typeof entry.requestId === 'string')).toBe(true);
    });

    it('logs the rejections after the first as one line with their count once its window ends', async () => {
      const captured = loggedLines('warn');
      const warnings = new UnknownKeyWarnings(captured.logger, 50);
      for (let i = 0; i < 5; i += 1) warnings.rejected(captured.logger);
      while (captured.lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const [first, summary] = captured.lines.map((line) => JSON.parse(line) as Entry);
      expect(first!.msg).toMatch(/^rejected an unknown API key \(any more in the next 0.05 s are logged as one line with their count\)$/);
      expect(summary).toMatchObject({ rejected: 4, msg: 'rejected 4 more requests with an unknown API key' });
    });
  });
});

// A client guessing keys, or a script sent without one: one access line per reason, the rest counted (repeated-lines.ts).
describe('log lines of requests refused 401', () => {
  let t: TestApp;
  let closed = false;
  const { logger, lines } = loggedLines('info');
  type Line = Entry & { status?: number; keyRefusal?: string; requests?: number };
  const entries = (): Line[] => lines.map((line) => JSON.parse(line) as Line);
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), logger });
  });
  afterAll(async () => {
    if (!closed) await t.close();
  });

  it('logs one access line for each reason of 30 refusals (no key, not a bearer key, an unknown key), each still answered 401', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      statuses.push((await request(t.server).post('/graphql').send({ query: '{ __typename }' })).status);
      statuses.push((await request(t.server).post('/graphql').set('authorization', `Basic guess-${i}`).send({ query: '{ __typename }' })).status);
      statuses.push((await request(t.server).get(EXPORT).set('authorization', `Bearer guess-${i}-0123456789abcdef`)).status);
    }
    expect(statuses).toEqual(Array(30).fill(401));
    const refused = entries().filter((e) => e.msg === 'request' && e.status === 401);
    expect(refused.map((e) => e.keyRefusal)).toEqual(['no key', 'not a bearer key', 'unknown key']);
    expect(entries().filter((e) => /unknown API key/.test(e.msg))).toHaveLength(1);
  });

  it('logs the count of each reason\'s refusals not yet logged when the server stops, and of the unknown keys\' warnings', async () => {
    const before = lines.length;
    closed = true;
    await t.close();
    const summaries = lines.slice(before).map((line) => JSON.parse(line) as Line);
    expect(summaries.filter((e) => e.status === 401).map((e) => [e.keyRefusal, e.requests, e.msg])).toEqual(
      ['no key', 'not a bearer key', 'unknown key'].map((why) => [why, 9, `9 more requests refused 401 (${why}), not logged one by one`]),
    );
    expect(summaries.filter((e) => e.level === WARN)).toEqual([expect.objectContaining({ rejected: 9, msg: 'rejected 9 more requests with an unknown API key' })]);
  });
});

describe('personal fields asked by an analyst on many rows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(12, 3).landing });
  });
  afterAll(() => t.close());

  const WIDE = '{ machineLearningSamples(first: 100) { edges { node { x customer { serialNumber email phone } } } } }';

  it('nulls the field on every row and lists its FORBIDDEN error once, with how many more places it was raised', async () => {
    const analyst = await t.graphql(WIDE, ANALYST_KEY);
    const admin = await t.graphql(WIDE, ADMIN_KEY);
    expect(admin.body.errors).toBeUndefined();
    const rows = admin.body.data.machineLearningSamples.edges.length;
    expect(rows).toBeGreaterThan(10);
    const nodes = analyst.body.data.machineLearningSamples.edges.map((e: { node: { customer: unknown } }) => e.node.customer);
    expect(nodes).toHaveLength(rows);
    expect(nodes.every((c: { email: unknown; phone: unknown; serialNumber: unknown }) => c.email === null && c.phone === null && typeof c.serialNumber === 'string')).toBe(true);
    expect(codes(analyst.body)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(analyst.body.errors.map((e: { message: string }) => e.message)).toEqual([
      `Customer.email needs the admin role; this API key has the analyst role (also at ${rows - 1} more places in this answer, listed once)`,
      `Customer.phone needs the admin role; this API key has the analyst role (also at ${rows - 1} more places in this answer, listed once)`,
    ]);
  });

  it('says "1 more place" when a field was refused in two places', async () => {
    const two = await t.graphql('{ machineLearningSamples(first: 2) { edges { node { customer { email } } } } }', ANALYST_KEY);
    expect(two.body.errors.map((e: { message: string }) => e.message)).toEqual([
      'Customer.email needs the admin role; this API key has the analyst role (also at 1 more place in this answer, listed once)',
    ]);
  });
});
