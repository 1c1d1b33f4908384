import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runBin, spawnBin } from '../helpers/spawn-cli';
import { readPosition } from '../helpers/read-position';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { customerRecord, makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * `stedi build` (through `bin/stedi.js`) on landing files a writer changes while the build reads them: no version is
 * built from half a file or a mix of two contents; the build goes again from the files as they are then, and refuses
 * in one line, the previous version live, when they still change.
 */

/** A long run of NUL bytes (sparse: no disk), one overlong line, so a build is still reading `file` when a writer acts. */
const padded = (file: string): void => {
  truncateSync(file, statSync(file).size + 200 * 1024 * 1024);
  appendFileSync(file, '\n');
};

/** Every `v=<version>` folder under `lake`, relative to it. */
const versionFolders = (lake: string, dir = lake): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    !e.isDirectory() ? [] : e.name.startsWith('v=') ? [relative(lake, join(dir, e.name))] : versionFolders(lake, join(dir, e.name)),
  );

/** Settle bounds (STEDI_LANDING_SETTLE_MS, _MAX_MS) short enough that a build waiting out a writer that never stops takes seconds. */
const SHORT_SETTLE = { STEDI_LANDING_SETTLE_MS: '200', STEDI_LANDING_SETTLE_MAX_MS: '500' };

/** The `k`th customer line a writer appends: a new consenting customer each time. */
const customerLine = (k: number): string => `${JSON.stringify(customerRecord({ name: `writer${k}`, serial: `serial-writer${k}` }))}\n`;

describe('stedi build on landing files changed while it reads them', () => {
  jest.setTimeout(180_000);

  it('builds again when a customer file is rewritten mid-read, so a revocation at its end is never lost to a half-read file', async () => {
    const landing = writeSmallLanding();
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    const revocation = `${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))}\n`;
    const rewritten = `${readFileSync(customers, 'utf8')}${revocation}`;
    // alice consents, then (after the padding) revokes: before the writer and after it, landing says she withdrew.
    padded(customers);
    appendFileSync(customers, revocation);
    const lake = makeTempDir();
    const running = spawnBin(['build', '--landing', landing, '--lake', lake, '--json']);
    let done = false;
    void running.exited.then(() => (done = true));
    while (!done && !(readPosition(running.child.pid!, customers)! > 0)) await new Promise((resolve) => setTimeout(resolve, 1));
    running.child.kill('SIGSTOP');
    const position = readPosition(running.child.pid!, customers);
    // Mid-read: past the few bytes the rewrite leaves, short of the revocation.
    expect(position).toBeGreaterThan(rewritten.length);
    expect(position).toBeLessThan(statSync(customers).size);
    // The writer rewrites the file in place, shorter: the build's next read finds its end (the revocation unread).
    writeFileSync(customers, rewritten);
    running.child.kill('SIGCONT');

    expect(await running.exited).toBe(0);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    expect(JSON.parse(running.stdout()).tables.customer_trusted.rows).toBe(1);
    expect(running.stderr()).toMatch(/^stedi: landing file \S*customer-1\.json was cut short while it was read; building again once it has stayed unchanged for a second \(build 2 of at most 3\)\n$/);
  });

  it('waits for a writer still at work on a customer file to finish, then builds from the whole file', async () => {
    const landing = writeSmallLanding();
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    const before = readFileSync(customers, 'utf8').trim().split('\n').length;
    padded(customers);
    let appended = 0;
    const writer = setInterval(() => void (appendFileSync(customers, customerLine(appended)), (appended += 1)), 5);
    const lake = makeTempDir();
    const running = spawnBin(['build', '--landing', landing, '--lake', lake, '--json']);
    try {
      let done = false;
      void running.exited.then(() => (done = true));
      while (!done && !(readPosition(running.child.pid!, customers)! > 0)) await new Promise((resolve) => setTimeout(resolve, 1));
      // The writer goes on for longer than three builds read the file, then stops, as a copy finishing would.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    } finally {
      clearInterval(writer);
    }

    expect(await running.exited).toBe(0);
    expect(running.stderr()).toMatch(/^stedi: landing file \S*customer-1\.json was appended to while it was read; building again once it has stayed unchanged for a second \(build 2 of at most 3\)\n$/);
    const report = JSON.parse(running.stdout());
    expect({ accepted: report.tables.customer_landing.rows, quarantined: report.quarantined.customer }).toEqual({ accepted: before + appended, quarantined: 1 });
  });

  it('refuses in one line naming the file, the previous version live, when a writer appends to a customer file through every build', async () => {
    const landing = writeSmallLanding();
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    const lake = makeTempDir();
    const first = await runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    expect(first.code).toBe(0);
    const folders = versionFolders(lake).sort();
    // Padded once the live version is built: only the builds the writer races need to be slow to read it.
    padded(customers);

    let appended = 0;
    const writer = setInterval(() => void (appendFileSync(customers, customerLine(appended)), (appended += 1)), 5);
    // Small settle bounds: the writer never stops, so each wait is the most a build waits (10 s twice by default).
    const run = await runBin(['build', '--landing', landing, '--lake', lake, '--json'], SHORT_SETTLE).finally(() => clearInterval(writer));

    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2)).toEqual([2, 3].map((k) => expect.stringMatching(new RegExp(`^stedi: landing file \\S*customer-1\\.json was appended to while it was read; building again once it has stayed unchanged for 200 ms \\(build ${k} of at most 3\\)$`))));
    expect(lines[2]).toMatch(/^stedi: landing file \S*customer-1\.json was appended to while it was read, in each of 3 builds in a row; the previous version stays live\. Build again once its writer has finished/);
    expect(run.stdout).toBe('');
    const status = JSON.parse((await runBin(['status', '--lake', lake, '--json'])).stdout);
    expect(status.keptVersions.map((v: { version: string }) => v.version)).toEqual([JSON.parse(first.stdout).version]);
    expect(versionFolders(lake).sort()).toEqual(folders);
  });

  it('builds once from a reading file a sensor stream appends to for ever, read as it was when opened', async () => {
    const landing = writeSmallLanding();
    const readings = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    const before = readFileSync(readings, 'utf8').trim().split('\n').length;
    padded(readings);
    const line = `${JSON.stringify({ user: 'bob@test.com', timestamp: 1_655_000_009_000, x: 1, y: 2, z: 3 })}\n`;
    const writer = setInterval(() => appendFileSync(readings, line), 5);
    const lake = makeTempDir();
    const run = await runBin(['build', '--landing', landing, '--lake', lake, '--json']).finally(() => clearInterval(writer));

    expect(run.code).toBe(0);
    // No build again: appends to a reading file decide no consent, and a stream that never stops would stop every build.
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    // What the file held when opened: its lines (and perhaps some appended before the open), the padding quarantined.
    expect(report.tables.accelerometer_landing.rows).toBeGreaterThanOrEqual(before);
    expect(report.quarantined.accelerometer).toBeGreaterThanOrEqual(1);
  });
});
