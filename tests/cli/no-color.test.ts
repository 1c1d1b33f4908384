import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { ADMIN_KEY } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * `stedi serve` on a terminal (util-linux's `script` gives it one) logs readable lines, coloured unless NO_COLOR is
 * set (no-color.org): a terminal that cannot show colour, or a person who turned it off, got escape codes.
 */

const BIN = resolve(__dirname, '..', '..', 'bin', 'stedi.js');
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
if (!SCRIPT && process.env.CI === 'true') throw new Error('the terminal tests need util-linux\'s script on CI, and none was found');
const describeWithTerminal: jest.Describe = SCRIPT ? describe : describe.skip;

// An SGR foreground colour, as pino-pretty writes them.
const COLOUR = /\x1b\[3\dm/;

/** What `stedi serve` writes to a terminal from its start until Ctrl+C two seconds later. */
function onTerminal(lake: string, env: Record<string, string>): string {
  const command = `timeout -s INT 2 "${process.execPath}" "${BIN}" serve --lake "${lake}" --port 0`;
  const run = spawnSync(SCRIPT!, ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', STEDI_WORKERS: '1', STEDI_API_KEYS: `${ADMIN_KEY}:admin`, TERM: 'xterm', ...env },
    timeout: 30_000,
  });
  return run.stdout;
}

describeWithTerminal('stedi serve logs on a terminal', () => {
  const lake = makeTempDir('stedi-no-color-');
  beforeAll(async () => {
    await buildLake(writeSmallLanding(), lake);
  });

  it('are coloured by default, and not at all with NO_COLOR set', () => {
    const coloured = onTerminal(lake, {});
    expect(coloured).toMatch(/INFO.*listening/);
    expect(coloured).toMatch(COLOUR);
    const plain = onTerminal(lake, { NO_COLOR: '1' });
    expect(plain).toMatch(/INFO: listening/);
    expect(plain).not.toMatch(COLOUR);
  }, 60_000);
});
