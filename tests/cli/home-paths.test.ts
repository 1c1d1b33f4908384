import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin } from '../helpers/spawn-cli';

/**
 * `--lake=~/lake`, a quoted "~/lake" and `STEDI_LAKE=~/lake` in an env or unit file reach stedi without a
 * shell to expand the `~`: it is the home folder, as in a shell, not a folder named `~` in the working folder.
 */

describe('paths starting with ~', () => {
  jest.setTimeout(60_000);

  it('are under the home folder for generate --out, build --landing and --lake, and STEDI_LAKE', async () => {
    const home = makeTempDir('stedi-home-');
    const cwd = makeTempDir('stedi-cwd-');
    const env = { HOME: home };
    const generated = await runBin(['generate', '--out=~/landing', '--customers', '3'], env, { cwd });
    expect(generated.stderr).toBe('');
    expect(generated.stdout).toContain(`into ${join(home, 'landing')}`);
    const built = await runBin(['build', '--landing=~/landing', '--lake=~/lake', '--json'], env, { cwd });
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const status = await runBin(['status'], { ...env, STEDI_LAKE: '~/lake' }, { cwd });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Live version ${JSON.parse(built.stdout).version}`);
    expect(status.stdout).toContain(`Landing: ${join(home, 'landing')}`);
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(join(home, 'lake', '_stedi', 'manifest.json'))).toBe(true);
  });
});
