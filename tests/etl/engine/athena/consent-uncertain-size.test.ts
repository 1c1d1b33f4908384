import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConsentUncertainView } from '../../../../etl/engine/athena/consent-uncertain-statements';
import { createCheckedView, createLandingJsonTable } from '../../../../etl/engine/athena/landing-statements';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { FakeS3 } from '../../../helpers/fake-s3';
import { customerRecord, makeTempDir } from '../../../helpers/landing-fixture';

/**
 * The Athena consent view's size on a hostile landing: many accepted emails of one spelling (and bad lines keying
 * them) are counted per spelling, not paired, so no step of the query holds n² rows (run on the DuckDB stand-in,
 * whose profile gives each operator's row count).
 */

const LOCATION = 's3://example-bucket/stedi/landing/';

/** The most rows any operator of the view's query produced. */
function largestOperator(node: { operator_cardinality?: number; children?: unknown[] }): number {
  const children = (node.children ?? []) as Array<Parameters<typeof largestOperator>[0]>;
  return Math.max(node.operator_cardinality ?? 0, ...children.map(largestOperator));
}

describe('the Athena consent-uncertain view on many spellings of one address', () => {
  it('hides them all without pairing every accepted spelling with every other (n² rows)', async () => {
    const n = 150;
    // n accepted respellings of n@test.com (zero-width spaces after it), and n bad lines keying yet other respellings.
    const accepted = Array.from({ length: n }, (_, i) => JSON.stringify({ ...customerRecord({ name: 'n', serial: `s${i}` }), email: `n@test.com${'\u200b'.repeat(i)}` }));
    const keyed = Array.from({ length: n }, (_, i) => JSON.stringify({ email: `n@test.com\u2060${'\u200b'.repeat(i)}`, phone: 5 }));
    const folder = makeTempDir();
    writeFileSync(join(folder, 'customer.json'), `${[...accepted, ...keyed].join('\n')}\n`);
    const duck = await AthenaOnDuckDb.create(new FakeS3(), { [LOCATION]: folder });
    try {
      const run = async (sql: string): Promise<void> => {
        const outcome = await duck.handler({ id: 'q', sql });
        if (outcome.error) throw new Error(outcome.error.reason);
      };
      await run('CREATE DATABASE IF NOT EXISTS `stedi`');
      await run(createLandingJsonTable('stedi', 'customer', 'v1', LOCATION).sql);
      await run(createCheckedView('stedi', 'customer', 'v1', 2_048).sql);
      // The stand-in computes the view's rows when it is created (athena-on-duckdb.ts): that statement runs its query.
      const profile = join(makeTempDir(), 'profile.json');
      await duck.connection.run(`PRAGMA enable_profiling = 'json'`);
      await duck.connection.run(`PRAGMA profiling_output = '${profile}'`);
      await run(createConsentUncertainView('stedi', 'v1').sql);
      await duck.connection.run('PRAGMA disable_profiling');
      const rows = (await duck.connection.runAndReadAll('SELECT count(*) FROM "stedi"."consent_uncertain__v1"')).getRows();
      // Every accepted spelling, and every keyed one (no accepted record has it).
      expect(Number(rows[0][0])).toBe(2 * n);
      const largest = largestOperator(JSON.parse(readFileSync(profile, 'utf8')));
      // At least the landing's 2n lines: the profile is of the view's query, not of a statement that only named it.
      expect(largest).toBeGreaterThanOrEqual(2 * n);
      expect(largest).toBeLessThan(20 * n);
    } finally {
      duck.close();
    }
  });
});
