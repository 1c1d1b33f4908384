import { join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { SOURCES } from '../../../../etl/tables';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { fakeAws } from '../../../helpers/fake-aws';
import { accelerometerRecord, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';

/**
 * A landing number written -0.0 (JSON allows it) is stored as 0 on Athena.
 * Trino's ORDER BY sorts doubles with Double.compare, -0.0 before 0.0, while
 * `=`, `<` and `>` hold them equal, as DuckDB does everywhere. The API's
 * keyset pages order readings by (serialNumber, timestamp, x, y, z) and
 * resume with `x > ? OR (x = ? AND …)`: two readings of one moment whose x
 * are -0.0 and 0.0 would be sorted one way and resumed the other, and a page
 * boundary between them would skip or repeat readings. With one zero, order
 * and comparison agree.
 */

const LAKE = 's3://example-bucket/stedi';

describe('negative zero in landing numbers on Athena', () => {
  it('stores -0.0 as 0 in the typed landing and the built tables', async () => {
    const root = writeSmallLanding();
    const reading = (x: string, y: number) => JSON.stringify(accelerometerRecord('alice', 1_655_000_003_000, 7, y, 1)).replace('"x":7', `"x":${x}`);
    writeLanding(root, 'accelerometer', [reading('-0.0', 5), reading('0.0', 1), reading('-0', 3), reading('-0e5', 4)], 'accelerometer-zero.json');
    const aws = fakeAws();
    const duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(root, s, 'landing')])));
    aws.athena.handler = duck.handler;
    try {
      const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
      const version = await runBuild(await engine.buildTarget({}), { consentPolicy: 'any' });
      const read = async (relation: string) =>
        (await duck.connection.runAndReadAll(`SELECT CAST("x" AS VARCHAR) AS x, "y" FROM ${relation} WHERE "timestamp" = 1655000003000 ORDER BY "y"`)).getRowsJS();
      const zeros = [['0.0', 1], ['0.0', 3], ['0.0', 4], ['0.0', 5]];
      expect(await read(`stedi."accelerometer_landing__${version.version}"`)).toEqual(zeros);
      expect(await read(`stedi."accelerometer_trusted__${version.version}"`)).toEqual(zeros);
    } finally {
      duck.close();
    }
  });
});
