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
});
