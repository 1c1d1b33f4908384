import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunningServer } from '../../src/http/server';
import { ADMIN_KEY, ANALYST_KEY } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';

/** clients/python's unittest suite (python3 -m unittest) against a live server on a small lake. */

const CLIENT_DIR = resolve(__dirname, '..', '..', 'clients', 'python');
const works = (python: string, code = 'pass'): boolean => spawnSync(python, ['-c', code]).status === 0;
const PYTHON = works('python3') ? 'python3' : undefined;
// Debian's python3-pandas installs for /usr/bin/python3, which may not be the python3 first on PATH.
const PANDAS_PYTHON = [PYTHON, '/usr/bin/python3'].find((p): p is string => Boolean(p) && works(p!, 'import pandas'));

if (!PYTHON && process.env.CI === 'true') throw new Error('the Python client tests need python3 on CI, and none was found');
const describeWithPython: jest.Describe = PYTHON ? describe : describe.skip;

async function unittest(python: string, server: RunningServer, ...args: string[]): Promise<{ status: number | null; output: string }> {
  const env = { ...process.env, STEDI_TEST_URL: server.url, STEDI_TEST_ANALYST_KEY: ANALYST_KEY, STEDI_TEST_ADMIN_KEY: ADMIN_KEY, PYTHONDONTWRITEBYTECODE: '1' };
  // Asynchronous: the server answering the tests runs in this process.
  const { spawn } = await import('node:child_process');
  return new Promise((done) => {
    const child = spawn(python, ['-m', 'unittest', ...args, '-v'], { cwd: CLIENT_DIR, env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (status) => done({ status, output }));
  });
}

describeWithPython('the Python notebook client (clients/python)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // One version kept: the suite's last test rebuilds until its pull's version has expired, once instead of three times.
    server = await startLiveServer(writeSmallLanding(), { keepVersions: 1 });
  });
  afterAll(() => server.shutdown());

  it('passes its unittest suite against a live server, skipping nothing that needs the server', async () => {
    const { status, output } = await unittest(PYTHON!, server, 'discover', '-s', 'tests', '-t', '.');
    expect(output).toMatch(/^OK/m);
    expect(status).toBe(0);
    // Only the pandas tests may skip, and only where pandas is missing.
    const skipped = output.split('\n').filter((l) => / skipped /.test(l));
    expect(skipped.every((l) => /pandas is not installed/.test(l))).toBe(true);
  }, 120_000);

  (PANDAS_PYTHON ? it : it.skip)('returns DataFrames with stable dtypes where pandas is installed', async () => {
    const { status, output } = await unittest(PANDAS_PYTHON!, server, 'tests.test_pandas');
    expect(output).toMatch(/^OK$/m);
    expect(status).toBe(0);
  }, 60_000);
});
