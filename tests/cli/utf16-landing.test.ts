import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin } from '../helpers/bin-cli';
import { quarantineOf } from '../helpers/built-report';
import { customerRecord, makeTempDir, stepTrainerRecord, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A landing file saved as UTF-16 (Windows PowerShell 5's `>` and `Out-File`, Notepad's "Unicode"): through
 * `bin/stedi.js` as a user runs it (needs `npm run build`). Its lines were quarantined as "invalid UTF-8" (the first,
 * for its byte order mark) and "malformed JSON" (the rest: a NUL beside each character), which told no one what to fix.
 */

/** `lines` as Windows PowerShell 5 writes them: UTF-16 little-endian with its byte order mark, CRLF line ends. */
const powerShell = (lines: string[]): Buffer => Buffer.from(`\ufeff${lines.map((l) => `${l}\r\n`).join('')}`, 'utf16le');

describe('stedi build over a landing file saved as UTF-16', () => {
  it('quarantines its every line as "saved as UTF-16, not UTF-8", counts the file once in the summary and status, and still reads the emails in it', () => {
    const landing = writeSmallLanding();
    // alice's revocation, written by PowerShell: she stays hidden (doubt reads the email through the NULs).
    const customers = join(landing, 'customer', 'landing', 'customer-2.json');
    writeFileSync(customers, powerShell([JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))]));
    // Big-endian, without a byte order mark's help on later lines.
    const readings = join(landing, 'step_trainer', 'landing', 'step_trainer-2.json');
    const text = [1, 2, 3].map((k) => JSON.stringify(stepTrainerRecord('serial-bob', 1_655_000_010_000 + k))).join('\n');
    writeFileSync(readings, Buffer.from(`\ufeff${text}\n`, 'utf16le').swap16());
    const lake = makeTempDir();
    const run = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const reason = 'saved as UTF-16, not UTF-8';
    // One record and PowerShell's last line end (a lone NUL after it): two lines, both said to be UTF-16.
    expect(quarantineOf(report, 'customer').map((q) => [q.sourceFile, q.reason])).toEqual([
      [customers, reason],
      [customers, reason],
    ]);
    expect(quarantineOf(report, 'step_trainer').map((q) => q.reason)).toEqual([reason, reason, reason]);
    expect(report.quarantineReasons.customer).toEqual([{ reason, count: 2, files: 1 }]);
    expect(report.quarantineReasons.step_trainer).toEqual([{ reason, count: 3, files: 1 }]);
    // alice is uncertain (and carol, as before, does not consent): bob alone is served.
    expect(report.consentUncertain).toBe(1);
    expect(report.tables.customer_trusted.rows).toBe(1);

    const advice = (source: string) =>
      `${source}/landing/ holds a file saved as UTF-16: save it as UTF-8 under its .json name and build again (the quarantine names it as sourceFile); until then no record in it is read`;
    const summary = runBin(['build', '--landing', landing, '--lake', lake]).stdout;
    expect(summary).toContain(`\n${advice('customer')}\n`);
    expect(summary).toContain(`\n${advice('step_trainer')}\n`);
    const status = runBin(['status', '--lake', lake]).stdout;
    expect(status).toContain(`\n${advice('customer')}\n`);
    expect(status).toContain(`\n${advice('step_trainer')}\n`);
  });
});
