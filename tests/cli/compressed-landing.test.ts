import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runBin } from '../helpers/bin-cli';
import { builtReport, quarantineOf } from '../helpers/built-report';
import { accelerometerRecord, customerRecord, makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

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

  it('quarantines the file\'s lines as "compressed file (gzip)", not "invalid UTF-8", and its summary (and status) tell the operator to decompress it', () => {
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
    // Each of its lines carries the reason; the file is counted once.
    const lines = quarantineOf(report, 'customer');
    expect(report.quarantineReasons.customer).toEqual([{ reason: 'compressed file (gzip)', count: lines.length, files: 1 }]);
    expect(report.quarantineReasons.accelerometer).toEqual([]);
  });

  it('quarantines every bad line of a compressed file as "compressed file (...)", counts each file once in the summary and status, and keeps lines = accepted + quarantined + blank', () => {
    const landing = writeSmallLanding();
    const folder = join(landing, 'accelerometer', 'landing');
    // Many lines of gzip (random readings compress poorly, so their bytes hold many line feeds), and a bzip2 file's start.
    let seed = 7;
    const random = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const readings = Array.from({ length: 4000 }, (_, k) => JSON.stringify(accelerometerRecord('alice', 1_655_000_000_000 + k, random(), random(), random()))).join('\n');
    const gzipped = join(folder, 'accelerometer-2.json');
    writeFileSync(gzipped, gzipSync(readings));
    const bzipped = join(folder, 'accelerometer-3.json');
    writeFileSync(bzipped, Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.from([0x8b, 0x0a, 0x27, 0xff, 0x0a, 0x7b, 0x0a, 0xc3, 0x28])]));
    const lake = makeTempDir();
    const run = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const lines = quarantineOf(report, 'accelerometer');
    const inGzip = lines.filter((q) => q.sourceFile === gzipped);
    // Not just its first line: its other lines read as "invalid UTF-8" or "malformed JSON", which told no one to decompress it.
    expect(inGzip.length).toBeGreaterThan(20);
    expect(new Set(inGzip.map((q) => q.reason))).toEqual(new Set(['compressed file (gzip)']));
    expect(lines.filter((q) => q.sourceFile === bzipped).map((q) => q.reason)).toEqual(Array(4).fill('compressed file (bzip2)'));
    expect(report.quarantineReasons.accelerometer).toEqual([
      { reason: 'compressed file (gzip)', count: inGzip.length, files: 1 },
      { reason: 'compressed file (bzip2)', count: 4, files: 1 },
    ]);
    expect(report.quarantined.accelerometer).toBe(inGzip.length + 4);
    // Every line is still counted once: the small landing's five readings are accepted, the rest quarantined or blank.
    const linesOf = (bytes: Buffer): number => bytes.filter((b) => b === 0x0a).length + (bytes.at(-1) === 0x0a ? 0 : 1);
    const written = [join(folder, 'accelerometer-1.json'), gzipped, bzipped].reduce((sum, f) => sum + linesOf(readFileSync(f)), 0);
    expect(report.tables.accelerometer_landing.rows).toBe(5);
    expect(5 + report.quarantined.accelerometer + report.blank.accelerometer).toBe(written);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).quarantined.accelerometer).toBe(inGzip.length + 4);
    const human = runBin(['build', '--landing', landing, '--lake', lake]).stdout;
    const advice = `accelerometer/landing/ holds 2 compressed files (gzip, bzip2): decompress each under its .json name and build again (the quarantine names them as sourceFile); until then no record in them is read`;
    expect(human).toContain(advice);
    expect(runBin(['status', '--lake', lake]).stdout).toContain(`\n${advice}\n`);
  });
});
