import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin } from '../helpers/bin-cli';
import { runCli } from '../helpers/run-cli';

describe('stedi generate', () => {
  it('writes the landing folders and prints the report as one JSON object with --json', async () => {
    const out = makeTempDir('stedi-gen-cli-');
    const run = await runCli('generate', '--out', out, '--customers', '25', '--seed', 'demo', '--dirty', '0.1', '--json');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ out, seed: 'demo', customers: 25, dirty: 0.1 });
    expect(report.records.step_trainer).toBe(25 * 30);
    expect(report.bad.accelerometer.duplicate).toBeGreaterThan(0);
    for (const source of ['customer', 'accelerometer', 'step_trainer']) expect(readdirSync(join(out, source, 'landing'))).toEqual([`${source}-0001.json`]);
  });

  it('ends with a one-line summary of what it wrote', async () => {
    const run = await runCli('generate', '--out', makeTempDir('stedi-gen-cli-'), '--customers', '10', '--lines-per-file', '100');
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/^Generated 10 customers \(\d+ consenting\) with seed 42 into .+: customer 10 lines \(1 file\), accelerometer [\d,]+ lines \(\d+ files\), step_trainer 300 lines \(3 files\); no bad lines\.\n$/);
  });

  it('exits non-zero with a clear message for a bad --dirty or --customers, or a landing folder already in use', async () => {
    const out = makeTempDir('stedi-gen-cli-');
    const dirty = await runCli('generate', '--out', out, '--dirty', 'lots');
    expect(dirty.exitCode).not.toBe(0);
    expect(dirty.stderr).toContain('--dirty takes a number from 0 to 1; received "lots"');
    const customers = await runCli('generate', '--out', out, '--customers', '-3');
    expect(customers.exitCode).not.toBe(0);
    expect(customers.stderr).toContain('--customers takes a whole number of at least 1');
    expect((await runCli('generate', '--out', out, '--customers', '2')).exitCode).toBe(0);
    const again = await runCli('generate', '--out', out, '--customers', '2');
    expect(again.exitCode).toBe(1);
    expect(again.stderr.trim()).toBe(`stedi: ${join(out, 'customer', 'landing')} already holds files; pass --force to replace them or choose another --out folder`);
    expect((await runCli('generate', '--out', out, '--customers', '2', '--force')).exitCode).toBe(0);
  });

  it('names a file given as --out, or in the way of a landing folder, in one line saying what to do instead of EEXIST', () => {
    const root = makeTempDir('stedi-gen-cli-');
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const onFile = runBin(['generate', '--out', file, '--customers', '2']);
    expect(onFile.status).toBe(1);
    expect(onFile.stderr).toBe(`stedi: --out ${file} is a file, not a folder; give --out the path of a folder (one that is missing is made)\n`);
    const under = runBin(['generate', '--out', join(file, 'landing'), '--customers', '2']);
    expect(under.stderr).toBe(`stedi: --out ${join(file, 'landing')} runs through a file, not a folder; give --out the path of a folder (one that is missing is made)\n`);
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'customer'), 'in the way');
    const blocked = runBin(['generate', '--out', out, '--customers', '2']);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toBe(`stedi: ${join(out, 'customer', 'landing')} runs through a file, not a folder; move that file away or choose another --out folder\n`);
    expect(readdirSync(out)).toEqual(['customer']);
  });

  it('refuses, before writing anything, a run that cannot fit on the disk holding --out', async () => {
    // --customers 1e12 was accepted and wrote until the disk was full (41 GB in ten minutes on a shared machine).
    const out = join(makeTempDir('stedi-gen-cli-'), 'not yet made');
    const run = await runCli('generate', '--out', out, '--customers', '1000000000000');
    expect(run.exitCode).toBe(1);
    expect(run.stderr.trim()).toMatch(/^stedi: --customers 1000000000000 would write about [\d,.]+ GB into .+not yet made, and its disk has [\d,.]+ GB free; ask for fewer customers or choose an --out folder on a larger disk$/);
    expect(existsSync(out)).toBe(false);
    // Node's recursive mkdir never returns under /proc: the filesystem is refused first.
    const virtual = await runCli('generate', '--out', '/proc/stedi-sample', '--customers', '1');
    expect(virtual.exitCode).toBe(1);
    expect(virtual.stderr).toBe('stedi: /proc/stedi-sample is on a virtual filesystem that holds no files; point --out at a folder on a disk\n');
  });
});
