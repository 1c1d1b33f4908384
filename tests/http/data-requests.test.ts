import request from 'supertest';
import { EXPORT_PATH } from '../../src/http/export';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * Which requests ask the lake for something (a cluster starts its spare
 * workers on the first: src/http/data-requests.ts), through the HTTP app:
 * queries, mutations, kept answers and exports do; the schema's
 * introspection, the IDE and lake pages, probes, /metrics and refused
 * requests do not.
 */

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const CUSTOMERS = '{ customers(first: 1) { edges { node { serialNumber } } } }';

describe('requests that ask the lake for data', () => {
  let t: TestApp;
  let asked = 0;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), onDataRequest: () => void (asked += 1) });
  });
  afterAll(() => t.close());
  beforeEach(() => void (asked = 0));

  /** How many requests for data `send` made, once its answer is in. */
  const counted = async (send: () => PromiseLike<{ status: number }>, status = 200): Promise<number> => {
    const before = asked;
    expect((await send()).status).toBe(status);
    return asked - before;
  };

  it('are not the schema\'s introspection, however it is written', async () => {
    for (const query of [
      '{ __schema { types { name } } }',
      'query IntrospectionQuery { __schema { queryType { name } } __type(name: "Customer") { name } }',
      '{ __typename }',
      'query { ...Schema } fragment Schema on Query { __schema { types { name } } ... on Query { __typename } }',
    ]) {
      const res = await t.graphql(query, ANALYST_KEY);
      expect(res.body.errors).toBeUndefined();
      expect(asked).toBe(0);
    }
  });

  it('are not the IDE or lake pages, probes, /metrics, refused or invalid requests', async () => {
    expect(await counted(() => request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT))).toBe(0);
    expect(await counted(() => request(t.server).get('/').set('accept', BROWSER_ACCEPT))).toBe(0);
    expect(await counted(() => request(t.server).get('/healthz'))).toBe(0);
    expect(await counted(() => request(t.server).get('/readyz'))).toBe(0);
    expect(await counted(() => request(t.server).get('/metrics'))).toBe(0);
    expect(await counted(() => t.graphql(CUSTOMERS, null), 401)).toBe(0);
    expect(await counted(() => t.graphql('{ customers(first: 1) { nope } }', ANALYST_KEY), 400)).toBe(0);
    expect(await counted(() => request(t.server).get(EXPORT_PATH), 401)).toBe(0);
  });

  it('are every query or mutation with a field besides the introspection, each time, answered from the cache of whole answers or not', async () => {
    expect(await counted(() => t.graphql(CUSTOMERS, ANALYST_KEY))).toBe(1);
    // The second is a kept answer (response-cache.ts): it skips Apollo, and still asks for data.
    expect(await counted(() => t.graphql(CUSTOMERS, ANALYST_KEY))).toBe(1);
    expect(await counted(() => t.graphql('{ __typename lake { liveVersion } }', ANALYST_KEY))).toBe(1);
    expect(await counted(() => t.graphql('query { ...Page } fragment Page on Query { ... on Query { customers(first: 1) { totalCount } } }', ANALYST_KEY))).toBe(1);
    expect(await counted(() => t.graphql('{ rebuildJobs { id } }', ADMIN_KEY))).toBe(1);
  });

  it('are exports', async () => {
    expect(await counted(() => request(t.server).get(`${EXPORT_PATH}?format=csv`).set('authorization', `Bearer ${ANALYST_KEY}`))).toBe(1);
  });
});
