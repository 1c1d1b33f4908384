import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/** One rule for methods on every route (route-methods.ts): 405 with Allow for a method a route does not take, 204 with Allow for OPTIONS, 404 for a path in no route. */

/** Generated values are seeded; the seed is in the test names (STEDI_PROPERTY_SEED replays it). */
const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const READ = 'GET, HEAD, OPTIONS';
/** Each route, a path in it, and the methods it takes. */
const ROUTES: [string, string][] = [
  ['/graphql', 'GET, HEAD, POST, OPTIONS'],
  ['/', READ],
  ['/web/ide.js', READ],
  ['/healthz', READ],
  ['/readyz', READ],
  ['/metrics', READ],
  ['/export/machine_learning_curated', READ],
];

const send = (t: TestApp, method: string, path: string): request.Test => request(t.server)[method.toLowerCase() as 'get'](path);

/** Sends `method` with a request target as it is (`*`, `/graphql/../x`, `http://host/graphql`) and resolves with its status, headers and body. */
function sendTarget(t: TestApp, method: string, target: string, key?: string): Promise<{ status: number; allow?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const { port } = t.server.address() as AddressInfo;
    const headers = key ? { authorization: `Bearer ${key}` } : {};
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers['allow'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`methods on every route (seed ${SEED})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it.each(ROUTES)('answers OPTIONS %s with 204 and the methods it takes in Allow, without a key', async (path, allow) => {
    const res = await send(t, 'OPTIONS', path);
    expect(res.status).toBe(204);
    expect(res.headers['allow']).toBe(allow);
  });

  it('answers a method /graphql does not take with 405 and Allow before asking for a key (Apollo answered it only after one)', async () => {
    const res = await send(t, 'PUT', '/graphql');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.body.errors[0]).toEqual({ message: '/graphql is sent with GET or POST, not PUT', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it.each([
    ['without a key', null, '/graphql?query=%7B__typename%7D', 401],
    ['with a key and no query', ANALYST_KEY, '/graphql', 400],
    ['with a key and a query', ANALYST_KEY, '/graphql?query=%7B__typename%7D', 200],
    ['with a key and a page of data', ANALYST_KEY, `/graphql?query=${encodeURIComponent('{ machineLearningSamples(first: 5) { edges { node { x y z } } } }')}`, 200],
  ])('answers a HEAD of the API %s as its GET, without the body (its Allow lists HEAD)', async (_what, key, path, status) => {
    const asked = (method: 'get' | 'head'): request.Test => {
      const req = request(t.server)[method](path).set('accept', 'application/json');
      return key === null ? req : req.set('authorization', `Bearer ${key}`);
    };
    const [get, head] = [await asked('get'), await asked('head')];
    expect(get.status).toBe(status);
    expect(head.status).toBe(status);
    for (const name of ['content-type', 'content-length', 'cache-control', 'www-authenticate']) expect([name, head.headers[name]]).toEqual([name, get.headers[name]]);
    expect(head.text ?? '').toBe('');
  });

  it(`answers every method on every route, spelled in any case with a trailing slash, by its one rule (seed ${SEED})`, async () => {
    const spelled = fc.tuple(fc.constantFrom(...ROUTES), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.integer({ min: 0, max: 1 }), fc.constantFrom(...METHODS));
    await fc.assert(
      fc.asyncProperty(spelled, async ([[path, allow], upper, slashes, method]) => {
        const written = [...path].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + (path === '/' ? '' : '/'.repeat(slashes));
        const res = await send(t, method, written);
        if (method === 'OPTIONS') {
          expect(res.status).toBe(204);
          expect(res.headers['allow']).toBe(allow);
        } else if (!allow.split(', ').includes(method)) {
          expect(res.status).toBe(405);
          expect(res.headers['allow']).toBe(allow);
          expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        } else {
          // Taken: the route's own handler answers (a file under /web may still be missing).
          expect(res.status).not.toBe(405);
        }
      }),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  });

  it('answers OPTIONS * (the server as a whole) with 204 and every method some route takes, without a key', async () => {
    expect(await sendTarget(t, 'OPTIONS', '*')).toEqual({ status: 204, allow: 'GET, HEAD, POST, OPTIONS', body: '' });
  });

  it.each(['GET', 'POST', 'DELETE'])('refuses %s * with 400 BAD_USER_INPUT: the asterisk is a target for OPTIONS only', async (method) => {
    const res = await sendTarget(t, method, '*');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors[0]).toEqual({ message: `the request target * is for OPTIONS only, not ${method}; send ${method} to a path such as /graphql`, extensions: { code: 'BAD_USER_INPUT' } });
  });

  // /graphql is mounted as a prefix (app.use): /graphql/foo and /graphql/../x were answered by Apollo as /graphql.
  it.each(['/graphql/foo', '/graphql/../x', '/graphql//', '/GRAPHQL/x', '/healthz//'])('answers every method on %s, under a route but not it, with 404 NOT_FOUND', async (path) => {
    for (const method of METHODS) {
      const res = await sendTarget(t, method, path);
      expect([method, res.status, res.allow]).toEqual([method, 404, undefined]);
      if (method !== 'HEAD') expect(JSON.parse(res.body).errors[0]).toEqual({ message: `no route ${method} "${path}"; the API is at /graphql, exports at /export/machine_learning_curated`, extensions: { code: 'NOT_FOUND' } });
    }
  });

  it('answers an absolute-form target (GET http://host/graphql) as its path, and counts it under that path', async () => {
    const { port } = t.server.address() as AddressInfo;
    const counted = async (): Promise<number> => Number(/stedi_http_requests_total\{route="\/graphql",method="GET",status="200"\} (\d+)/.exec(await t.app.metrics.registry.metrics())?.[1] ?? 0);
    const before = await counted();
    const absolute = await sendTarget(t, 'GET', `http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`, ANALYST_KEY);
    expect([absolute.status, JSON.parse(absolute.body)]).toEqual([200, { data: { __typename: 'Query' } }]);
    expect((await sendTarget(t, 'GET', `http://127.0.0.1:${port}/graphql/foo`, ANALYST_KEY)).status).toBe(404);
    expect(await counted()).toBe(before + 1);
    expect(await t.app.metrics.registry.metrics()).not.toContain('route="http');
  });

  // Express's router cannot parse these, so no route or middleware ran: its own 404 was an HTML page without nosniff.
  it.each(['http://[::1/graphql', 'http://xn--/healthz', 'h://[/x'])('refuses an absolute-form target with a host no URL parser reads (%s) with 400 BAD_USER_INPUT JSON, and closes the connection', async (target) => {
    const { port } = t.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: target, headers: { authorization: `Bearer ${ANALYST_KEY}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect([answer.status, answer.headers['content-type'], answer.headers['x-content-type-options'], answer.headers['connection']]).toEqual([400, 'application/json; charset=utf-8', 'nosniff', 'close']);
    expect(JSON.parse(answer.body).errors[0]).toEqual({ message: expect.stringMatching(/^the request target is not a URL this server can read .*send the path alone, such as \/graphql$/), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('quotes at most 64 plain characters of a path in no route in its 404, the length said: kilobytes of the client\'s text are not written back', async () => {
    const long = `/x${'A'.repeat(8_000)}`;
    const res = await sendTarget(t, 'GET', long);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).errors[0].message).toBe(`no route GET "${long.slice(0, 64)}…" (8002 characters); the API is at /graphql, exports at /export/machine_learning_curated`);
    expect(res.body.length).toBeLessThan(300);
    const odd = await sendTarget(t, 'GET', '/%1B[2J"<b>\'{x}');
    expect(JSON.parse(odd.body).errors[0].message).toMatch(/^no route GET "\/%1B\?2J\?\?b\?\?\?x\?"; /);
  });

  it(`quotes any path in no route short and plain in its 404 (seed ${SEED})`, async () => {
    // Every character a request target may carry (Node's parser refuses controls and spaces), any length up to a few KB.
    const visible = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)).filter((c) => c !== '#' && c !== '?');
    await fc.assert(
      fc.asyncProperty(fc.array(visible, { maxLength: 3_000 }).map((cs) => `/nope/${cs.join('')}`), async (path) => {
        const res = await sendTarget(t, 'GET', path);
        expect(res.status).toBe(404);
        const quoted = /^no route GET "([^"]*)"(?: \((\d+) characters\))?; the API is at \/graphql/.exec(JSON.parse(res.body).errors[0].message);
        expect(quoted).not.toBeNull();
        expect(quoted![1]!.length).toBeLessThanOrEqual(65);
        expect(quoted![1]).toMatch(/^[A-Za-z0-9._:\/%~?-]*…?$/);
      }),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  });

  it.each(METHODS)('answers %s on a path in no route with 404 NOT_FOUND', async (method) => {
    const res = await send(t, method, '/nope');
    expect(res.status).toBe(404);
    expect(res.headers['allow']).toBeUndefined();
    if (method !== 'HEAD') expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
