import { join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import type { ConsentPolicy } from '../../../../etl/consent-policy';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { SOURCES } from '../../../../etl/tables';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { fakeAws } from '../../../helpers/fake-aws';
import { accelerometerRecord, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';
import { STEDI_SAMPLE_DIR, describeWithStediSample } from '../../../helpers/stedi-sample';

/**
 * The Athena build's own SQL (landing checks, typed views, bindings, CTAS
 * bodies, checks) run on DuckDB through the Athena stand-in: the logic, not
 * Athena itself, is what these tests prove.
 */

const LAKE = 's3://example-bucket/stedi';

async function buildOnAthena(landing: string, consentPolicy: ConsentPolicy = 'any') {
  const aws = fakeAws();
  const duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(landing, s, 'landing')])));
  aws.athena.handler = duck.handler;
  const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
  try {
    const version = await runBuild(await engine.buildTarget({}), { consentPolicy });
    const quarantine = (await duck.connection.runAndReadAll('SELECT "sourceFile", "reason" FROM stedi.accelerometer_quarantine__' + version.version)).getRowObjectsJS();
    return { version, quarantine, engine, duck };
  } catch (error) {
    duck.close();
    throw error;
  }
}

describeWithStediSample('the zones built on Athena from the real STEDI data', () => {
  it.each([
    ['any', { customer_trusted: 482, accelerometer_trusted: 40_981, step_trainer_trusted: 14_460, customer_curated: 482, machine_learning_curated: 40_981 }],
    ['as-of', { customer_trusted: 482, accelerometer_trusted: 32_025, step_trainer_trusted: 11_297, customer_curated: 464, machine_learning_curated: 32_025 }],
  ] as const)('match the exact counts under the %s policy', async (policy, expected) => {
    const { version, duck } = await buildOnAthena(STEDI_SAMPLE_DIR, policy);
    try {
      expect(version.landingCounts).toEqual({
        customer: { lines: 956, accepted: 956, quarantined: 0 },
        accelerometer: { lines: 81_273, accepted: 81_273, quarantined: 0 },
        step_trainer: { lines: 28_680, accepted: 28_680, quarantined: 0 },
      });
      expect(Object.fromEntries(Object.entries(expected).map(([t]) => [t, version.tables[t as keyof typeof expected].rows]))).toEqual(expected);
      expect(version.checks.every((c) => c.violations === 0)).toBe(true);
    } finally {
      duck.close();
    }
  });
});

describe('bad landing input on Athena', () => {
  const good = accelerometerRecord('alice', 1_655_000_003_000);
  const bad: Array<[string, string]> = [
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1,', 'blank, malformed or not a JSON object, or none of the declared fields'],
    ['not json at all', 'blank, malformed or not a JSON object, or none of the declared fields'],
    ['', 'blank, malformed or not a JSON object, or none of the declared fields'],
    [JSON.stringify({ ...good, x: undefined }), 'missing required field "x"'],
    [JSON.stringify({ ...good, user: null }), 'missing required field "user"'],
    [JSON.stringify({ ...good, x: 'abc' }), 'field "x" must be a number'],
    [JSON.stringify({ ...good, timestamp: 1.5 }), 'field "timestamp" must be a whole number'],
    ['{"user": "alice@test.com", "timestamp": 99999999999999999999, "x": 1, "y": 1, "z": 1}', 'field "timestamp" is out of range'],
    [JSON.stringify({ ...good, y: true }), 'field "y" must be a number'],
  ];

  it('quarantines every bad record with its file and reason, counts them, and keeps the good ones', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'accelerometer', [good, ...bad.map(([line]) => line), good], 'accelerometer-dirty.json');
    const { version, quarantine, duck } = await buildOnAthena(landing);
    try {
      expect(version.landingCounts.accelerometer).toEqual({ lines: 5 + 2 + bad.length, accepted: 5 + 2, quarantined: bad.length });
      expect(quarantine.map((q) => q.reason).sort()).toEqual(bad.map(([, reason]) => reason).sort());
      expect(quarantine.every((q) => String(q.sourceFile).endsWith('accelerometer-dirty.json'))).toBe(true);
      expect(version.tables.accelerometer_trusted.rows).toBe(4 + 1);
      expect(version.quarantine).toBe(`${LAKE}/_quarantine/v=${version.version}/`);
    } finally {
      duck.close();
    }
  });
});
