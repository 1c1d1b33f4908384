import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin } from '../helpers/bin-cli';

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
});
