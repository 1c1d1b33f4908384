import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

describe('HTTP answers of the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(10, 3).landing });
  });
  afterAll(() => t.close());

  it('carry no ETag (no digest of the answer is computed), but a request id', async () => {
    const res = await t.graphql('{ machineLearningSamples(first: 20) { edges { node { x } } } }', ANALYST_KEY);
    expect(res.status).toBe(200);
    expect(res.body.data.machineLearningSamples.edges.length).toBeGreaterThan(0);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/\S/);
  });

  // Apollo Client 4 asks for this; it reads a 4xx answer's errors only when the answer has this type, and otherwise
  // reports "Received status code 401" with the message and code hidden in the body text.
  const APOLLO_CLIENT_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';
  const post = (key: string | null, body: string, type = 'application/json') => {
    const req = request(t.server).post('/graphql').set('accept', APOLLO_CLIENT_ACCEPT).set('content-type', type);
    return (key ? req.set('authorization', key) : req).send(body);
  };
  it.each([
    ['no key', () => post(null, '{"query":"{ __typename }"}'), 401, 'UNAUTHENTICATED'],
    ['an unknown key', () => post('Bearer unknown-key-0123456789abcdef', '{"query":"{ __typename }"}'), 401, 'UNAUTHENTICATED'],
    ['a body that is not JSON', () => post(`Bearer ${ANALYST_KEY}`, '{"query":'), 400, 'BAD_REQUEST'],
    ['a charset other than UTF-8', () => post(`Bearer ${ANALYST_KEY}`, '{"query":"{ __typename }"}', 'application/json; charset=latin1'), 415, 'BAD_USER_INPUT'],
    ['a field Apollo refuses (for comparison)', () => post(`Bearer ${ANALYST_KEY}`, '{"query":"{ nope }"}'), 400, 'GRAPHQL_VALIDATION_FAILED'],
  ])('answer %s as application/graphql-response+json to a client that prefers it, as Apollo answers its own errors', async (_what, ask, status, code) => {
    const res = await ask();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe(code);
  });

  it.each([
    ['the GraphQL type alone', 'application/graphql-response+json; charset=utf-8'],
    ['both types', 'application/graphql-response+json;charset=UTF-8, application/json;charset=UTF-8;q=0.9'],
  ])('answer their own errors as the GraphQL type to a client that names a charset with %s, as Apollo does', async (_what, accept) => {
    const ask = (key?: string) => {
      const req = request(t.server).post('/graphql').set('accept', accept).set('content-type', 'application/json');
      return (key ? req.set('authorization', `Bearer ${key}`) : req).send('{"query":"{ nope }"}');
    };
    // Apollo's own refusal, for comparison: it offers its types with their charset.
    expect((await ask(ANALYST_KEY)).headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    // The 401 was application/json: a type with a parameter matched no type offered without one.
    const res = await ask();
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('answer their own errors as application/json to a client that does not ask for the GraphQL type', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const req = request(t.server).post('/graphql').set('content-type', 'application/json');
      const res = await (accept ? req.set('accept', accept) : req).send('{"query":"{ __typename }"}');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it.each([
    ['POST', () => t.graphql('{ customers(first: 1) { edges { node { serialNumber } } } }', ANALYST_KEY)],
    ['GET', () => request(t.server).get('/graphql').query({ query: '{ customers(first: 1) { edges { node { serialNumber } } } }' }).set('apollo-require-preflight', 'true').set('authorization', `Bearer ${ANALYST_KEY}`)],
  ])('forbid HTTP caches to keep a %s answer, which a revocation must be able to withdraw (the first and the repeated, kept one)', async (_method, ask) => {
    for (let i = 0; i < 3; i += 1) {
      const res = await ask();
      expect(res.status).toBe(200);
      expect(res.body.data.customers.edges).toHaveLength(1);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  const EXPORT = '/export/machine_learning_curated';
  const withKey = (req: request.Test): request.Test => req.set('authorization', `Bearer ${ANALYST_KEY}`);
  // An APQ hash this key never registered: Apollo's own answer said `private, no-cache, must-revalidate`.
  const UNKNOWN_HASH = { persistedQuery: { version: 1, sha256Hash: 'ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38' } };
  type Asked = [what: string, ask: () => PromiseLike<request.Response>, status: number];
  const REFUSALS: Asked[] = [
    ['/graphql without a key', () => t.graphql('{ __typename }', null), 401],
    ['/export without a key', () => request(t.server).get(`${EXPORT}?format=csv`), 401],
    ['/export with an unknown parameter', () => withKey(request(t.server).get(`${EXPORT}?format=csv&spilt=TRAIN`)), 400],
    ['/export with a POST', () => withKey(request(t.server).post(EXPORT)), 405],
    ['a path in no route', () => request(t.server).get('/nothing'), 404],
    ['an APQ hash not registered, POSTed', () => withKey(request(t.server).post('/graphql').send({ extensions: UNKNOWN_HASH })), 404],
    ['an APQ hash not registered, as a GET', () => withKey(request(t.server).get('/graphql').query({ extensions: JSON.stringify(UNKNOWN_HASH) }).set('apollo-require-preflight', 'true')), 404],
    ['a Range past the end of a /web file', () => request(t.server).get('/web/ide.css').set('Range', 'bytes=100000000-'), 416],
    // serve-static redirected the folder to /web/ with an HTML page, where no file is either.
    ['the /web folder itself', () => request(t.server).get('/web'), 404],
  ];
  it.each(REFUSALS)('forbid HTTP caches to keep a refusal: %s', async (_what, ask, status) => {
    const res = await ask();
    expect(res.status).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each<Asked>([
    ['a GraphQL answer', () => t.graphql('{ customers(first: 1) { edges { node { serialNumber } } } }', ANALYST_KEY), 200],
    ['a CSV export', () => withKey(request(t.server).get(`${EXPORT}?format=csv`)), 200],
    ...REFUSALS,
  ])('tell browsers not to sniff a type other than the one given, for text a client or landing wrote: %s', async (_what, ask, status) => {
    const res = await ask();
    expect(res.status).toBe(status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
