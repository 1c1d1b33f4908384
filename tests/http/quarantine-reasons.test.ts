import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * The quarantine per source with its reasons, through the HTTP API: counted by
 * the build, kept in the manifest, served as reason text and counts only.
 */

const QUERY = '{ lake { versions { live landing { source quarantined quarantineReasons { reason count } } } } }';
const SECRET = 'do-not-serve-this-landing-text';

interface Source {
  source: string;
  quarantined: number;
  quarantineReasons: Array<{ reason: string; count: number }>;
}

describe('quarantine reasons per landing source, through the API', () => {
  let test: TestApp;
  afterAll(() => test?.close());

  it('counts each reason per source, most frequent first, and serves no landing content', async () => {
    const landing = writeSmallLanding();
    writeLanding(
      landing,
      'step_trainer',
      [
        `{"sensorReadingTime":1655000005000,"serialNumber":"${SECRET}"`,
        `not json ${SECRET}`,
        `{"sensorReadingTime":1655000006000,"distanceFromObject":1,"note":"${SECRET}"}`,
        `{"sensorReadingTime":1655000007000,"distanceFromObject":2}`,
        `{"sensorReadingTime":1655000008000,"distanceFromObject":3}`,
      ],
      'step_trainer-2.json',
    );
    writeLanding(landing, 'accelerometer', [`[1, 2, "${SECRET}"]`], 'accelerometer-2.json');
    test = await buildTestApp({ landing });
    const answer = await test.graphql(QUERY, ANALYST_KEY);
    expect(answer.body.errors).toBeUndefined();
    const live = answer.body.data.lake.versions.find((v: { live: boolean }) => v.live);
    const bySource = Object.fromEntries(live.landing.map((s: Source) => [s.source, s]));
    expect(bySource.step_trainer.quarantined).toBe(5);
    expect(bySource.step_trainer.quarantineReasons).toEqual([
      { reason: 'missing required field "serialNumber"', count: 3 },
      { reason: 'malformed JSON', count: 2 },
    ]);
    expect(bySource.accelerometer.quarantineReasons).toEqual([{ reason: 'not a JSON object', count: 1 }]);
    expect(bySource.customer).toEqual({ source: 'customer', quarantined: 0, quarantineReasons: [] });
    // Every source's reasons add up to its quarantine count.
    for (const s of live.landing as Source[]) expect(s.quarantineReasons.reduce((sum, r) => sum + r.count, 0)).toBe(s.quarantined);
    expect(answer.text).not.toContain(SECRET);
  });
});
