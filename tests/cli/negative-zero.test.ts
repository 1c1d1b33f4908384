import { ANALYST_KEY } from '../helpers/http-app';
import { runBin } from '../helpers/bin-cli';
import { exportedRows } from '../helpers/export-download';
import { accelerometerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { serveLake } from '../helpers/served-lake';

/**
 * A landing number written -0.0 (JSON allows it) is stored as 0 by the
 * embedded engine, as the Athena landing stores it (tests/etl/engine/athena/
 * negative-zero.test.ts): the same landing gives the same lake and the same
 * exports on both engines. The landing reader makes it 0 (tests/etl/landing/
 * landing-reader.test.ts); the zones' sorted COPY also happens to, as DuckDB's
 * sort keys hold one zero, so this end-to-end check fails only if both stop.
 * Exports show the sign (CSV writes -0.0, Parquet keeps the bit); GraphQL's
 * JSON cannot, as JSON.stringify(-0) is "0".
 */

describe('negative zero in landing numbers on the embedded engine', () => {
  it('is built by `stedi build` and exported as 0', async () => {
    const root = writeSmallLanding();
    // alice's reading at 1_655_000_002_000 meets her step trainer reading there: it reaches machine_learning_curated.
    // -0.0 and -0 take the fast reader's path; -0e0 (an exponent) the strict one.
    const reading = JSON.stringify(accelerometerRecord('alice', 1_655_000_002_000, 3, 3, 3)).replace('"x":3', '"x":-0.0').replace('"y":3', '"y":-0').replace('"z":3', '"z":-0e0');
    writeLanding(root, 'accelerometer', [accelerometerRecord('alice', 1_655_000_001_000, 1, 1, 1), reading, accelerometerRecord('bob', 1_655_000_001_000, 4, 4, 4)]);
    const lake = makeTempDir('stedi-zero-lake-');
    const built = runBin(['build', '--landing', root, '--lake', lake]);
    expect(built.status).toBe(0);
    const served = await serveLake(['--lake', lake, '--landing', root], { STEDI_WORKERS: '1' });
    try {
      const exported = async (format: 'csv' | 'parquet') => {
        const res = await fetch(`${served.url}/export/machine_learning_curated?format=${format}`, { headers: { authorization: `Bearer ${ANALYST_KEY}` } });
        expect(res.status).toBe(200);
        return Buffer.from(await res.arrayBuffer());
      };
      const csv = (await exported('csv')).toString('utf8');
      const line = csv.split('\n').find((l) => l.includes('1655000002000'));
      expect(line).toBeDefined();
      expect(line).not.toContain('-0');
      const rows = await exportedRows(await exported('parquet'), 'parquet');
      const zero = rows.find((r) => r.timestamp === 1_655_000_002_000 || r.sensorReadingTime === 1_655_000_002_000);
      expect(zero).toBeDefined();
      for (const axis of ['x', 'y', 'z']) expect(Object.is(zero![axis], 0)).toBe(true);
    } finally {
      await served.stop();
    }
  }, 120_000);
});
