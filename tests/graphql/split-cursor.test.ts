import { buildTestApp, ANALYST_KEY, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

const PAGE = `query Page($after: String, $split: Split) {
  machineLearningSamples(first: 50, after: $after, split: $split) { edges { node { serialNumber } } pageInfo { endCursor } }
}`;

/**
 * A notebook pulls a split page by page; the server restarts with other STEDI_SPLIT percentages between two pages.
 * Its next page would put customers in other splits than the pages already read (one customer in two splits).
 */
describe('a split pull across a change of STEDI_SPLIT', () => {
  const landing = writeManyCustomersLanding(60, 3).landing;
  let before: TestApp;
  let after: TestApp;
  beforeAll(async () => {
    before = await buildTestApp({ landing, config: { split: { train: 80, validation: 10 } } });
    after = await buildTestApp({ landing, lake: before.lake.lake, build: false, config: { split: { train: 50, validation: 25 } } });
  });
  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  const endCursor = async (app: TestApp, split: string | null): Promise<string> => {
    const res = await app.graphql(PAGE, ANALYST_KEY, { split }).expect(200);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.machineLearningSamples.pageInfo.endCursor;
  };

  it('answers STALE_CURSOR naming STEDI_SPLIT, so no customer is read into two splits', async () => {
    const cursor = await endCursor(before, 'TRAIN');
    const res = await after.graphql(PAGE, ANALYST_KEY, { split: 'TRAIN', after: cursor }).expect(200);
    expect(res.body.data).toEqual({ machineLearningSamples: null });
    expect(res.body.errors[0].extensions).toEqual({ code: 'STALE_CURSOR', reason: 'SPLIT_CHANGED' });
    expect(res.body.errors[0].message).toMatch(/split percentages \(STEDI_SPLIT\) changed since this pull of machineLearningSamples began.*pull again from the first page/);
  });

  it('goes on under the same percentages, and for a pull of every split', async () => {
    const again = await buildTestApp({ landing, lake: before.lake.lake, build: false, config: { split: { train: 80, validation: 10 } } });
    try {
      const res = await again.graphql(PAGE, ANALYST_KEY, { split: 'TRAIN', after: await endCursor(before, 'TRAIN') }).expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.machineLearningSamples.edges.length).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
    const whole = await after.graphql(PAGE, ANALYST_KEY, { split: null, after: await endCursor(before, null) }).expect(200);
    expect(whole.body.errors).toBeUndefined();
  });
});
