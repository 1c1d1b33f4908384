import { existsSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin } from '../helpers/bin-cli';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A landing file may be a link to a file elsewhere: it is read like any
 * other. Anything else by a data file's name (a link to nothing, a folder)
 * stops the build with one line naming it, never skipped without a word.
 */

const build = (landing: string, lake: string) => runBin(['build', '--landing', landing, '--lake', lake, '--json']);
const rowsOf = (stdout: string, table: string): number => JSON.parse(stdout).tables[table].rows;

describe('landing entries that are not plain files', () => {
  it('reads a landing file that is a link to a file elsewhere, as if it were there', () => {
    const landing = writeSmallLanding();
    const plain = build(landing, makeTempDir());
    expect(plain.status).toBe(0);
    const elsewhere = mkdtempSync(join(makeTempDir(), 'elsewhere-'));
    const file = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    renameSync(file, join(elsewhere, 'readings.json'));
    symlinkSync(join(elsewhere, 'readings.json'), file);
    const linked = build(landing, makeTempDir());
    expect(linked.stderr).toBe('');
    expect(linked.status).toBe(0);
    expect(rowsOf(linked.stdout, 'accelerometer_landing')).toBe(rowsOf(plain.stdout, 'accelerometer_landing'));
    expect(rowsOf(linked.stdout, 'accelerometer_trusted')).toBe(rowsOf(plain.stdout, 'accelerometer_trusted'));
  });

  it.each([
    ['a link whose target is missing', (path: string) => symlinkSync(join(makeTempDir(), 'gone.json'), path), /a link whose target is missing/],
    ['a folder', (path: string) => mkdirSync(path), /a folder/],
  ])('stops the build with one line naming %s, and publishes nothing', (_what, make, kind) => {
    const landing = writeSmallLanding();
    make(join(landing, 'customer', 'landing', 'customer-2.json'));
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).not.toBe(0);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`holds customer-2\\.json, which is ${kind.source}, not a file of JSON lines`));
  });

  it.each([
    ['a compressed file', 'customer-3.json.gz', 'customer-3.json.gz'],
    ['a partition folder', '2026', '2026/'],
    ['a file of another kind', 'notes.txt', 'notes.txt'],
  ])('stops the build with one line naming %s in a landing folder, which it would not read, and publishes nothing', (_what, name, named) => {
    const landing = writeSmallLanding();
    const path = join(landing, 'customer', 'landing', name);
    if (name === '2026') mkdirSync(join(path, '12'), { recursive: true });
    else writeFileSync(path, 'x');
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).not.toBe(0);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`holds ${named}, which a build would not read`);
  });

  it('names an entry whose name holds control characters without sending them to the terminal', () => {
    const landing = writeSmallLanding();
    // A name can carry a terminal's escape sequence (here: clear the screen, then red text).
    writeFileSync(join(landing, 'customer', 'landing', 'notes\x1b[2J\x1b[31m.txt'), 'x');
    const result = build(landing, makeTempDir());
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr).toContain('holds notes\\x1b[2J\\x1b[31m.txt, which a build would not read');
  });

  it('builds beside hidden entries, which no engine reads (.DS_Store, _SUCCESS)', () => {
    const landing = writeSmallLanding();
    writeFileSync(join(landing, 'customer', 'landing', '.DS_Store'), 'x');
    writeFileSync(join(landing, 'customer', 'landing', '_SUCCESS'), '');
    const result = build(landing, makeTempDir());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
