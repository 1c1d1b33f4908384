import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/bin-cli';
import { runBin as runBinAs } from '../helpers/spawn-cli';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';

/**
 * A landing or lake folder whose name holds a newline: `stedi generate`'s one summary line, the quarantine line of
 * `stedi build` and the "Landing" line of `stedi status` were each split in two, and a script reading them broke.
 */
describe('paths with control characters in the CLI summaries', () => {
  jest.setTimeout(120_000);

  it('prints such a path JSON-quoted, so generate, build and status keep one line each', () => {
    const root = makeTempDir('stedi-control-path-');
    const landing = join(root, 'land\ning');
    const lake = join(root, 'la\rke\u2028');
    mkdirSync(landing);

    const generate = runBin(['generate', '--out', landing, '--customers', '5', '--dirty', '0.5']);
    expect(generate.status).toBe(0);
    expect(generate.stdout).toMatch(/^Generated [^\n]*\n$/);
    expect(generate.stdout).toContain(` into ${JSON.stringify(landing)} in `);

    const build = runBin(['build', '--landing', landing, '--lake', lake]);
    expect(build.status).toBe(0);
    const quarantine = build.stdout.split('\n').filter((line) => line.startsWith('Quarantined landing lines'));
    expect(quarantine).toEqual([expect.stringMatching(/^Quarantined landing lines \(see "[^"]*la\\rke\\u2028\/_quarantine\/v=[^"]+"\):$/)]);
    expect(build.stdout).not.toMatch(/[\r\u2028]/);

    const status = runBin(['status', '--lake', lake]);
    expect(status.status).toBe(0);
    expect(status.stdout.split('\n').filter((line) => line.startsWith('Landing'))).toEqual([`Landing: ${JSON.stringify(landing)}`]);
    expect(status.stdout).not.toMatch(/[\r\u2028]/);
  });

  it("keeps status's LANDING line and its error for a missing lake on one line, the suggested command pasteable", () => {
    const root = makeTempDir('stedi-control-path-');
    const landing = join(root, 'land\ning');
    const lake = join(root, 'la\nke');
    mkdirSync(landing);
    expect(runBin(['generate', '--out', landing, '--customers', '5']).status).toBe(0);
    expect(runBin(['build', '--landing', landing, '--lake', lake]).status).toBe(0);
    renameSync(join(landing, 'step_trainer'), join(root, 'moved'));

    const status = runBin(['status', '--lake', lake]);
    expect(status.status).toBe(1);
    expect(status.stdout.split('\n').filter((line) => line.startsWith('LANDING '))).toEqual([
      expect.stringMatching(/^LANDING landing folder .*land\\u000aing\/step_trainer\/landing does not exist; /),
    ]);

    const missing = runBin(['status', '--lake', `${lake}-not-here`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `stedi: the lake folder ${JSON.stringify(`${lake}-not-here`)} does not exist; check the --lake path, or run \`stedi build --lake $'${root}/la\\x0ake-not-here'\` to create it\n`,
    );
  });

  it("quotes a seed holding a control character in generate's summary, which a line break split in two", () => {
    const run = runBin(['generate', '--out', makeTempDir('stedi-control-path-'), '--customers', '1', '--seed', 'a\nb\u001b[2J']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Generated [^\n]*\n$/);
    expect(run.stdout).toContain(' with seed "a\\nb\\u001b[2J" into ');
  });

  it('escapes each control character of a path in an engine\'s error line, as the LANDING line does (it was collapsed to a space, or sent raw)', () => {
    const root = makeTempDir('stedi-control-path-');
    const landing = join(root, 'lan\u001b[2Jding');
    mkdirSync(join(landing, 'customer', 'landing'), { recursive: true });
    const empty = runBin(['build', '--landing', landing, '--lake', join(root, 'lake')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe(`stedi: landing folder ${root}/lan\\u001b[2Jding/customer/landing holds no .json files; add the landing data or point --landing elsewhere\n`);

    const missing = runBin(['build', '--landing', join(root, 'not\nhere'), '--lake', join(root, 'lake')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^stedi: landing folder ${root}/not\\\\u000ahere/customer/landing does not exist; [^\\n]*\\n$`));
  });

  it('escapes them in a `stedi: warning:` line too: an expired version the build could not remove from a lake named with a line break', async () => {
    const asRoot = process.getuid?.() === 0;
    const root = makeTempDir('stedi-control-path-');
    const lake = join(root, 'la\nke');
    const landing = writeSmallLanding();
    const as = asRoot ? { uid: 65534, gid: 65534 } : {};
    const first = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    const old = JSON.parse(first.stdout).version as string;
    // Root may remove anything: the lake is nobody's and the build runs as nobody, but one folder stays root's.
    const refusing = new LakeLayout(lake).versionDir('customer_trusted', old);
    chmodSync(root, 0o755);
    execFileSync('chmod', ['-R', 'a+rX', landing]);
    if (asRoot) execFileSync('chown', ['-R', '65534:65534', lake]);
    if (asRoot) execFileSync('chown', ['0:0', refusing]);
    else chmodSync(refusing, 0o555);
    const built = await runBinAs(['build', '--landing', landing, '--lake', lake, '--keep', '1', '--json'], {}, as);
    if (!asRoot) chmodSync(refusing, 0o755);
    expect(built.code).toBe(0);
    expect(built.stderr).toMatch(/^stedi: warning: expired versions \S+ could not all be removed [^\n]*: cannot write [^\n]*\/la\\u000ake\/[^\n]*\n$/);
  });
});
