import { createHash } from 'node:crypto';
import request from 'supertest';
import { ApiKeys } from '../../src/auth/api-keys';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/** Automatic persisted queries (APQ) as Apollo Client sends them, kept per API key. */

const OTHER_ANALYST_KEY = 'test-analyst-key-two-0123456789abcdef';

const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } });

describe('automatic persisted queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    const apiKeys = new ApiKeys([
      { key: ADMIN_KEY, role: 'admin' },
      { key: ANALYST_KEY, role: 'analyst' },
      { key: OTHER_ANALYST_KEY, role: 'analyst' },
    ]);
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys });
  });
  afterAll(() => t.close());

  const post = (key: string, body: object) =>
    request(t.server).post('/graphql').set('authorization', `Bearer ${key}`).set('content-type', 'application/json').send(body);

  it('answers a hash not yet registered with PersistedQueryNotFound, then runs it by hash once the text is sent', async () => {
    const query = '{ lake { engine } }';
    const first = await post(ANALYST_KEY, { extensions: persisted(query) });
    expect(first.body.errors).toEqual([expect.objectContaining({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })]);
    const registered = await post(ANALYST_KEY, { query, extensions: persisted(query) });
    expect(registered.status).toBe(200);
    expect(registered.body.data.lake.engine).toBe('duckdb');
    const byHash = await post(ANALYST_KEY, { extensions: persisted(query) });
    expect(byHash.body).toEqual(registered.body);
    // Apollo Client sends hashed queries as GET (useGETForHashedQueries).
    const byGet = await request(t.server)
      .get('/graphql')
      .query({ extensions: JSON.stringify(persisted(query)) })
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set('apollo-require-preflight', 'true');
    expect(byGet.body).toEqual(registered.body);
  });

  it.each([
    ['POST', 'application/graphql-response+json'],
    ['GET', 'application/graphql-response+json, application/json;q=0.9'],
    ['GET', 'application/json'],
  ])('answers a hash not yet registered (%s, Accept %s) 404, never 2xx: an answer without data must not be 2xx', async (method, accept) => {
    const query = `{ lake { liveVersion } } # ${method} ${accept}`;
    const miss = method === 'POST' ? post(ANALYST_KEY, { extensions: persisted(query) }) : request(t.server).get('/graphql').query({ extensions: JSON.stringify(persisted(query)) }).set('authorization', `Bearer ${ANALYST_KEY}`);
    const res = await miss.set('accept', accept);
    // 404, not 400: Apollo Client 3 turns APQ off for good on a 400 or 500; on this it sends the text, as urql does.
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(accept.startsWith('application/json') ? /^application\/json/ : /^application\/graphql-response\+json/);
    expect(JSON.parse(res.text)).toEqual({ errors: [expect.objectContaining({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })] });
  });

  it.each([
    ['another key of the same role', OTHER_ANALYST_KEY],
    ['a key of another role', ADMIN_KEY],
  ])('does not tell %s that a key registered a text', async (_who, other) => {
    const query = `{ lake { engine liveVersion } } # ${other.length}`;
    expect((await post(ANALYST_KEY, { query, extensions: persisted(query) })).status).toBe(200);
    expect((await post(ANALYST_KEY, { extensions: persisted(query) })).body.data).toBeDefined();
    const theirs = await post(other, { extensions: persisted(query) });
    expect(theirs.body.data).toBeUndefined();
    expect(theirs.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })]);
    // That key registers its own, as Apollo Client does after the refusal, and then runs it by hash.
    expect((await post(other, { query, extensions: persisted(query) })).status).toBe(200);
    expect((await post(other, { extensions: persisted(query) })).body.data).toBeDefined();
  });
});
