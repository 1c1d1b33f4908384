import { forgedCursor } from '../helpers/forged-cursor';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';

/**
 * The API pages by serialNumber and looks customers up by it, so a serial
 * must fit in a cursor: landing keeps serials within 200 bytes of UTF-8
 * (longer ones are quarantined), every cursor of a serial that long pages on,
 * and a cursor carrying a longer one is refused as not issued here.
 */

const AT_LIMIT = 'x'.repeat(200); // a customer's serial is visible ASCII: a byte a character
const OVER_LIMIT = 's'.repeat(201);

describe('the serialNumber bound', () => {
  let test: TestApp;
  beforeAll(async () => {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [
      customerRecord({ name: 'alice', serial: AT_LIMIT }),
      customerRecord({ name: 'bob', serial: 'serial-bob' }),
      customerRecord({ name: 'carol', serial: OVER_LIMIT }),
    ]);
    writeLanding(landing, 'accelerometer', ['alice', 'bob', 'carol'].flatMap((name) => [accelerometerRecord(name, 1_655_000_001_000), accelerometerRecord(name, 1_655_000_002_000)]));
    writeLanding(landing, 'step_trainer', [AT_LIMIT, 'serial-bob', OVER_LIMIT].flatMap((serial) => [stepTrainerRecord(serial, 1_655_000_001_000), stepTrainerRecord(serial, 1_655_000_002_000)]));
    test = await buildTestApp({ landing });
  });
  afterAll(() => test.close());

  it('quarantines a customer and a step trainer reading whose serialNumber is over 200 bytes, and keeps one of exactly 200', async () => {
    const version = (await test.lake.engine.manifest())!.versions[0];
    const reason = 'field "serialNumber" is longer than 200 bytes';
    expect(version.landingCounts.customer.quarantineReasons).toEqual([{ reason, count: 1 }]);
    expect(version.landingCounts.step_trainer.quarantineReasons).toEqual([{ reason, count: 2 }]);
    const answer = await test.graphql(`{ customer(serialNumber: "${AT_LIMIT}") { serialNumber } }`, ANALYST_KEY);
    expect(answer.body.data.customer).toEqual({ serialNumber: AT_LIMIT });
  });

  it('pages on from the cursor of a 200-byte serial, one row at a time, through every field keyed by serial', async () => {
    for (const [field, rows] of [['customers', 2], ['accelerometerReadings', 4], ['stepTrainerReadings', 4], ['machineLearningSamples', 4]] as const) {
      const serials: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: { body: { data?: Record<string, any>; errors?: unknown } } = await test.graphql(
          `query($after: String) { ${field}(first: 1, after: $after) { edges { node { serialNumber } } pageInfo { hasNextPage endCursor } } }`,
          ANALYST_KEY,
          { after },
        );
        expect(page.body.errors).toBeUndefined();
        const connection = page.body.data![field];
        serials.push(...connection.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect({ field, serials: serials.length, first: serials[0] }).toEqual({ field, serials: rows, first: 'serial-bob' < AT_LIMIT ? 'serial-bob' : AT_LIMIT });
    }
  });

  it('refuses, as BAD_USER_INPUT, a cursor made to carry a serial over 200 bytes', async () => {
    const first = await test.graphql('{ customers(first: 1) { pageInfo { endCursor } } }', ANALYST_KEY);
    const forged = forgedCursor(first.body.data.customers.pageInfo.endCursor, { p: [OVER_LIMIT] });
    const answer = await test.graphql('query($after: String) { customers(first: 1, after: $after) { edges { node { serialNumber } } } }', ANALYST_KEY, { after: forged });
    expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.body.errors[0].message).toContain('is not a cursor this API issued');
  });
});
