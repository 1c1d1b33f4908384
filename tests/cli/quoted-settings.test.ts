import { readdirSync } from 'node:fs';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/spawn-cli';

/**
 * `docker run --env-file` passes `STEDI_LAKE="./lake"` with its quotes: a build made a folder named `".` and published a
 * lake in it, and quoted STEDI_API_KEYS was refused for a role `analyst"`. A setting wrapped in quotes is one line, exit 1.
 */

const QUOTED = 'is written in quotes, which reached stedi as part of its value (docker run --env-file keeps them): remove them';

describe('a setting that reached stedi in quotes', () => {
  jest.setTimeout(60_000);

  it('stops the command in one line naming the variable, writing nothing', async () => {
    const landing = writeSmallLanding();
    const cases: [string[], Record<string, string>, string][] = [
      [['build', '--landing', landing], { STEDI_LAKE: '"./lake"' }, `stedi: STEDI_LAKE ${QUOTED}; received "\\"./lake\\""\n`],
      [['build', '--lake', 'lake'], { STEDI_LANDING: `'${landing}'` }, `stedi: STEDI_LANDING ${QUOTED}; received ${JSON.stringify(`'${landing}'`)}\n`],
      [['status', '--lake', 'lake'], { PORT: '"4000"' }, `stedi: PORT ${QUOTED}; received "\\"4000\\""\n`],
    ];
    for (const [args, env, line] of cases) {
      const cwd = makeTempDir('stedi-cwd-');
      const run = await runBin(args, env, { cwd });
      expect({ env, code: run.code, stderr: run.stderr, written: readdirSync(cwd) }).toEqual({ env, code: 1, stderr: line, written: [] });
    }
  });

  it('never echoes quoted API keys back', async () => {
    const keys = 'adminkey-0123456789abcdef:admin,analystkey-0123456789abcdef:analyst';
    const run = await runBin(['serve', '--lake', makeTempDir(), '--port', '0'], { STEDI_API_KEYS: `"${keys}"`, HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: `stedi: STEDI_API_KEYS ${QUOTED}\n` });
  });

  it('leaves a value holding quotes inside it, and the Python client\'s variables, to be read as they are', async () => {
    const cwd = makeTempDir('stedi-cwd-');
    const lake = `lake "one"`;
    const built = await runBin(['build', '--landing', writeSmallLanding()], { STEDI_LAKE: lake, STEDI_API_KEY: '"not read here"' }, { cwd });
    expect({ code: built.code, stderr: built.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(cwd)).toEqual([lake]);
  });
});
