import request from 'supertest';
import { loadConfig } from '../../src/config';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/** Browser tools on another origin: STEDI_CORS_ORIGINS, preflight without a key. */

const NOTEBOOK = 'https://notebooks.example.com';
const preflight = (t: TestApp, origin: string) =>
  request(t.server).options('/graphql').set('origin', origin).set('access-control-request-method', 'POST').set('access-control-request-headers', 'authorization, content-type');

describe('CORS', () => {
  let listed: TestApp;
  let none: TestApp;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    listed = await buildTestApp({ landing, config: { corsOrigins: [NOTEBOOK] } });
    none = await buildTestApp({ landing });
  });
  afterAll(async () => {
    await listed.close();
    await none.close();
  });

  it('answers a preflight from a listed origin without a key, allowing the authorization header', async () => {
    const res = await preflight(listed, NOTEBOOK);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(NOTEBOOK);
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('lets the listed origin read the answer and its request id', async () => {
    const res = await listed.graphql('{ lake { liveVersion } }', ANALYST_KEY).set('origin', NOTEBOOK);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(NOTEBOOK);
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/);
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('gives an origin not listed no CORS headers, and still wants a key for the real request', async () => {
    for (const [t, origin] of [[listed, 'https://evil.example.com'], [none, NOTEBOOK]] as const) {
      const res = await preflight(t, origin);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const answer = await t.graphql('{ lake { liveVersion } }', null).set('origin', origin);
      expect(answer.status).toBe(401);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('tells the operator in the log, once, which origin a browser was refused for, so the fix is to list it', async () => {
    const { logger, lines } = loggedLines();
    const t = await buildTestApp({ landing: writeSmallLanding(), logger, config: { corsOrigins: [NOTEBOOK] } });
    try {
      // A notebook on localhost while 127.0.0.1 is listed, say: the operator saw only 204s in the log.
      for (const origin of ['http://localhost:8888', 'http://localhost:8888', NOTEBOOK]) expect((await preflight(t, origin)).status).toBe(204);
      const said = lines.map((line) => JSON.parse(line) as { level: number; origin?: string; msg: string }).filter((line) => line.msg.includes('STEDI_CORS_ORIGINS'));
      expect(said).toEqual([expect.objectContaining({ level: 40, origin: 'http://localhost:8888' })]);
      // The Origin header is the client's: a few origins are said, then no more.
      for (let n = 0; n < 30; n += 1) await preflight(t, `http://host-${n}.example.com`);
      expect(lines.filter((line) => line.includes('STEDI_CORS_ORIGINS')).length).toBe(20);
    } finally {
      await t.close();
    }
  });

  it('reads STEDI_CORS_ORIGINS as a comma-separated list of origins, none by default', () => {
    expect(loadConfig({}, {}).corsOrigins).toEqual([]);
    expect(loadConfig({}, { STEDI_CORS_ORIGINS: ` ${NOTEBOOK} , http://localhost:8888` }).corsOrigins).toEqual([NOTEBOOK, 'http://localhost:8888']);
    expect(() => loadConfig({}, { STEDI_CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(/STEDI_CORS_ORIGINS must list origins/);
    expect(() => loadConfig({}, { STEDI_CORS_ORIGINS: '*' })).toThrow(/STEDI_CORS_ORIGINS/);
    // A pattern would match no origin a browser sends: refused at start instead of refusing every page quietly.
    expect(() => loadConfig({}, { STEDI_CORS_ORIGINS: 'https://*.example.com' })).toThrow(/STEDI_CORS_ORIGINS takes exact origins, not patterns/);
    // Written as browsers send them: lower case, no default port.
    expect(loadConfig({}, { STEDI_CORS_ORIGINS: 'HTTPS://Notebooks.Example.com:443,http://LocalHost:8888' }).corsOrigins).toEqual([NOTEBOOK, 'http://localhost:8888']);
  });

  it("allows the header Apollo wants on a browser's GET of /graphql, so a listed origin may query with GET", async () => {
    const res = await request(listed.server)
      .options('/graphql')
      .set('origin', NOTEBOOK)
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', 'authorization, apollo-require-preflight');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toMatch(/(^|, )apollo-require-preflight(,|$)/);
    const answer = await request(listed.server)
      .get('/graphql')
      .query({ query: '{ lake { engine } }' })
      .set('origin', NOTEBOOK)
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set('apollo-require-preflight', 'true');
    expect(answer.status).toBe(200);
    expect(answer.body.data.lake.engine).toBe('duckdb');
    expect(answer.headers['access-control-allow-origin']).toBe(NOTEBOOK);
  });

  it("allows the trace headers a page's tracing adds to every fetch (OpenTelemetry, Sentry), so its queries are not refused at preflight", async () => {
    const asked = ['traceparent', 'tracestate', 'baggage', 'sentry-trace'];
    const res = await request(listed.server)
      .options('/graphql')
      .set('origin', NOTEBOOK)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', `authorization, content-type, ${asked.join(', ')}`);
    expect(res.status).toBe(204);
    expect(String(res.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(expect.arrayContaining(asked));
    const answer = await listed
      .graphql('{ lake { engine } }', ANALYST_KEY)
      .set('origin', NOTEBOOK)
      .set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
      .set('baggage', 'userId=alice');
    expect(answer.status).toBe(200);
    expect(answer.body.data.lake.engine).toBe('duckdb');
  });

  it("allows every header Apollo's clients send, so a listed origin following the CSRF message's advice is not refused", async () => {
    const asked = ['x-apollo-operation-name', 'apollographql-client-name', 'apollographql-client-version'];
    const res = await request(listed.server)
      .options('/graphql')
      .set('origin', NOTEBOOK)
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', `authorization, ${asked.join(', ')}`);
    expect(res.status).toBe(204);
    const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(asked));
    // Apollo's CSRF message offers x-apollo-operation-name as the other way to send a GET.
    const answer = await request(listed.server)
      .get('/graphql')
      .query({ query: 'query Engine { lake { engine } }' })
      .set('origin', NOTEBOOK)
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set('x-apollo-operation-name', 'Engine')
      .set('apollographql-client-name', 'notebook');
    expect(answer.status).toBe(200);
    expect(answer.body.data.lake.engine).toBe('duckdb');
  });

  it("allows a listed origin every header its preflight asks for, and answers an ask that is no list of header names with the headers the server reads", async () => {
    const ask = (headers: string) => request(listed.server).options('/graphql').set('origin', NOTEBOOK).set('access-control-request-method', 'POST').set('access-control-request-headers', headers);
    const asked = 'authorization,cache-control,content-type,newrelic,x-correlation-id,x-datadog-trace-id';
    expect((await ask(asked)).headers['access-control-allow-headers']).toBe(asked);
    for (const odd of ['authorization, <script>', 'a'.repeat(5000), 'authorization,,content-type']) {
      const allowed = String((await ask(odd)).headers['access-control-allow-headers']);
      expect(allowed.split(', ')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight']));
      expect(allowed).not.toContain(odd);
    }
    // An origin not listed is allowed nothing, whatever it asks.
    const refused = await request(listed.server).options('/graphql').set('origin', 'https://evil.example.com').set('access-control-request-method', 'POST').set('access-control-request-headers', asked);
    expect(refused.headers['access-control-allow-headers']).toBeUndefined();
  });
  it('passes the preflight of a GET over 16 KiB and of any method, so a listed origin reads their 431 and 405', async () => {
    const long = `/graphql?query=${'%20'.repeat(7_000)}`;
    const ask = (path: string, method: string) => request(listed.server).options(path).set('origin', NOTEBOOK).set('access-control-request-method', method).set('access-control-request-headers', 'authorization');
    const passed = await ask(long, 'GET');
    expect(passed.status).toBe(204);
    expect(passed.headers['access-control-allow-origin']).toBe(NOTEBOOK);
    const refused = await request(listed.server).get(long).set('origin', NOTEBOOK).set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(refused.status).toBe(431);
    expect(refused.headers['access-control-allow-origin']).toBe(NOTEBOOK);
    expect(refused.body.errors[0]).toMatchObject({ message: expect.stringMatching(/16 KiB.*POST body/), extensions: { code: 'BAD_USER_INPUT' } });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect(String((await ask('/graphql', method)).headers['access-control-allow-methods']).split(', ')).toContain(method);
      const answer = await request(listed.server)[method.toLowerCase() as 'put' | 'patch' | 'delete']('/graphql').set('origin', NOTEBOOK);
      expect(answer.status).toBe(405);
      expect(answer.headers['access-control-allow-origin']).toBe(NOTEBOOK);
    }
    // An ask that is no method name is allowed only the methods the API takes.
    expect((await ask('/graphql', 'GET, <x>')).headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
  });
});
