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
});
