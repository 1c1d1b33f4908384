import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';
import { ANALYST, runGraphql } from '../helpers/run-graphql';

/**
 * Landing accepts any finite double as x, y or z, so a page may end on a row
 * whose x is 1e16 or 1.7e308: its cursor is one the API must take back (it
 * refused positions beyond 1e15 as "not a cursor this API issued", which
 * stopped a notebook's pull half way).
 */
const WIDE = [1e16, -Number.MAX_VALUE, 2 ** 60, Number.MAX_VALUE, -1e300, 5e-324, 0.5];

describe('paging through readings whose x, y or z are far beyond everyday values', () => {
  let lake: TestLake;
  beforeAll(async () => {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [customerRecord({ name: 'wide', serial: 'serial-wide' })]);
    writeLanding(landing, 'accelerometer', WIDE.map((x, i) => accelerometerRecord('wide', 1_655_000_001_000 + i, x, -x, x)));
    writeLanding(landing, 'step_trainer', WIDE.map((_x, i) => stepTrainerRecord('serial-wide', 1_655_000_001_000 + i, 100 + i)));
    lake = await buildTestLake({ landing });
  });
  afterAll(() => lake.close());

  it.each([
    ['machineLearningSamples', 'edges { node { x } }'],
    ['machineLearningBatch', 'columns { x }'],
    ['accelerometerReadings', 'edges { node { x } }'],
  ])('%s pages one row at a time to the last row, each cursor taken back', async (field, selection) => {
    const xs: number[] = [];
    let after: string | null = null;
    for (let page = 0; page <= WIDE.length; page += 1) {
      const result = await runGraphql(lake.services, ANALYST, `query($after: String) { p: ${field}(first: 1, after: $after) { ${selection} pageInfo { hasNextPage endCursor } } }`, { after });
      expect(result.errors).toBeUndefined();
      const p = result.data!.p;
      xs.push(...(p.columns ? p.columns.x : p.edges.map((e: { node: { x: number } }) => e.node.x)));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(xs).toEqual(WIDE); // in time order: row i is at 1_655_000_001_000 + i
  });
});
