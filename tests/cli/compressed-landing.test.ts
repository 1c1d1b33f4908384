import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runBin } from '../helpers/bin-cli';
import { customerRecord, makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A customer file saved compressed under a .json name (`gzip -c`, a log shipper writing gzip to `.json` keys):
 * through `bin/stedi.js` as a user runs it (needs `npm run build`). Its lines are quarantined as bytes no search
 * can read, so a revocation inside it must hide every customer until the file is decompressed.
 */

const build = (landing: string) => runBin(['build', '--landing', landing, '--lake', makeTempDir(), '--json']);

describe('stedi build over a compressed customer landing file', () => {
  it('hides every customer while a gzip file named customer-2.json holds a revocation no one can read, and serves them again once it is decompressed', () => {
    const landing = writeSmallLanding();
    const revocation = `${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))}\n`;
    const file = join(landing, 'customer', 'landing', 'customer-2.json');
    writeFileSync(file, gzipSync(revocation));
    const run = build(landing);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    // alice, bob and carol (whose record withholds consent already).
    expect(report.consentUncertain).toBe(3);
    expect(report.tables.customer_trusted.rows).toBe(0);
    expect(report.tables.machine_learning_curated.rows).toBe(0);

    writeFileSync(file, revocation);
    const decompressed = JSON.parse(build(landing).stdout);
    expect(decompressed.consentUncertain).toBe(0);
    // bob alone: alice revoked.
    expect(decompressed.tables.customer_trusted.rows).toBe(1);
  });
});
