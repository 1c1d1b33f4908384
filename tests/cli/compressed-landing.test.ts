import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runBin } from '../helpers/bin-cli';
import { builtReport, quarantineOf } from '../helpers/built-report';
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

  it('quarantines the file\'s first line as "compressed file (gzip)", not "invalid UTF-8", and its summary (and status) tell the operator to decompress it', () => {
    const landing = writeSmallLanding();
    const file = join(landing, 'customer', 'landing', 'customer-2.json');
    writeFileSync(file, gzipSync(`${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))}\n`));
    const lake = makeTempDir();
    const run = runBin(['build', '--landing', landing, '--lake', lake]);
    expect(run.status).toBe(0);
    const advice =
      "customer/landing/ holds a compressed file (gzip): decompress it under its .json name and build again (the quarantine names it as sourceFile); until then no record in it is read, and every customer's consent is uncertain";
    expect(run.stdout).toContain(advice);
    // And `stedi status` says it again, for the operator who comes to the lake later.
    expect(runBin(['status', '--lake', lake]).stdout).toContain(`\n${advice}\n`);
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').find((q) => q.lineNumber === 1)).toMatchObject({ sourceFile: file, reason: 'compressed file (gzip)' });
    expect(report.quarantineReasons.customer).toContainEqual({ reason: 'compressed file (gzip)', count: 1 });
    expect(report.quarantineReasons.accelerometer).toEqual([]);
  });
});
