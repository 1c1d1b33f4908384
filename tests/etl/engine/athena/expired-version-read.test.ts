import { join } from 'node:path';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { AthenaQueryError } from '../../../../etl/engine/athena/athena-errors';
import { StaleVersionError } from '../../../../etl/engine/engine-errors';
import { clientError } from '../../../../src/graphql/error-mapping';
import { fakeAws } from '../../../helpers/fake-aws';
import { makeTempDir } from '../../../helpers/landing-fixture';
import { manifestOfVersions } from '../../../helpers/manifest-fixture';

const LAKE = 's3://example-bucket/stedi';
const MANIFEST = `${LAKE}/_stedi/manifest.json`;
const V1 = '20260101t000000000z_aaaa';
const V2 = '20260102t000000000z_bbbb';
const V3 = '20260103t000000000z_cccc';

// What Athena answers when a version's table was dropped, or its files deleted, under a running query.
const GONE = [
  `TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.stedi.customer_trusted__${V1}' does not exist`,
  `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://example-bucket/stedi/customer/trusted/v=${V1}/part-0 (offset=0, length=512): NoSuchKey`,
];

/**
 * Another process's build (the builder on another machine, or another API
 * worker's rebuild) expires a version while this server, its manifest cached,
 * still reads it. The embedded engine then answers STALE_CURSOR; so must Athena.
 */
describe('reading a version that expires under the Athena engine', () => {
  it.each(GONE)('reports a version no longer kept as stale, not as an internal error, when Athena fails with %s', async (reason) => {
    const aws = fakeAws(() => ({ error: { category: 2, retryable: false, reason } }));
    aws.s3.put(MANIFEST, JSON.stringify(manifestOfVersions(V2, V1)));
    const engine = new AthenaEngine({ lake: LAKE, manifestCacheMs: 60_000 }, aws.clients);
    const ref = await engine.tableRef('customer_trusted', V1);
    // The other build publishes V3 and expires V1 (dropping its tables); this server's manifest is still cached.
    aws.s3.put(MANIFEST, JSON.stringify(manifestOfVersions(V3, V2)));

    const read = engine.query(`SELECT "email" FROM ${ref} WHERE "serialNumber" = ?`, ['s-1']);
    await expect(read).rejects.toBeInstanceOf(StaleVersionError);
    await expect(read).rejects.toMatchObject({ version: V1 });
    expect(clientError(await read.catch((e: unknown) => e))?.code).toBe('STALE_CURSOR');
    const exported = engine.exportToFile(`SELECT "email" FROM ${ref}`, [], 'csv', join(makeTempDir('stedi-stale-'), 'out.csv'));
    await expect(exported).rejects.toBeInstanceOf(StaleVersionError);
    // The manifest was read again for the verdict, so the next page is refused before Athena is asked.
    const asked = aws.athena.queries.length;
    await expect(engine.tableRef('customer_trusted', V1)).rejects.toBeInstanceOf(StaleVersionError);
    expect(aws.athena.queries).toHaveLength(asked);
  });

  it('keeps Athena’s own failure when every version the query reads is still kept', async () => {
    const aws = fakeAws(() => ({ error: { category: 2, retryable: false, reason: GONE[0] } }));
    aws.s3.put(MANIFEST, JSON.stringify(manifestOfVersions(V2, V1)));
    const engine = new AthenaEngine({ lake: LAKE, manifestCacheMs: 60_000 }, aws.clients);
    const ref = await engine.tableRef('customer_trusted', V1);
    await expect(engine.query(`SELECT "email" FROM ${ref}`)).rejects.toBeInstanceOf(AthenaQueryError);
    // A query naming no version (the live views, the probe) is never taken for a stale read.
    aws.s3.put(MANIFEST, JSON.stringify(manifestOfVersions(V3)));
    await expect(engine.query('SELECT 1 FROM "stedi"."customer_trusted"')).rejects.toBeInstanceOf(AthenaQueryError);
  });
});
