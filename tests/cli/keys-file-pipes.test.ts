import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { STEDI_BIN, spawnBin } from '../helpers/spawn-cli';

/**
 * STEDI_API_KEYS_FILE as a pipe: a shell's `<(…)` is a legitimate keys file and serves, while a pipe nothing writes
 * to (or a device) is one line naming it within a bounded wait: the blocking read stalled startup for ever.
 */

const KEY = 'pipe-admin-key-0123456789abcdef';
const ENV = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '1' };

/** `stedi serve` with the keys file given, killed after `ms`: a start that waits for ever shows as code null. */
async function serveWithin(lake: string, keysFile: string, ms: number): Promise<{ code: number | null; stderr: string }> {
  const run = spawnBin(['serve', '--lake', lake, '--port', '0'], { ...ENV, STEDI_API_KEYS_FILE: keysFile });
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stderr: run.stderr() };
}

describe('an API keys file that is a pipe or a device', () => {
  jest.setTimeout(90_000);
  let lake: string;

  beforeAll(async () => {
    lake = makeTempDir('stedi-keys-pipe-');
    await buildLake(writeSmallLanding(), lake);
  });

  it("serves with the keys a shell's process substitution <(…) gives", async () => {
    const child = spawn('bash', ['-c', `STEDI_API_KEYS_FILE=<(printf '%s\\n' "$KEYS") exec "$NODE" "$BIN" serve --lake "$LAKE" --port 0`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ENV, KEYS: `${KEY}:admin`, NODE: process.execPath, BIN: STEDI_BIN, LAKE: lake },
    });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /at (http:\/\/\S+\/graphql)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.on('exit', () => reject(new Error(`serve exited before serving: ${err}`)));
      });
      const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names a pipe nothing writes to in one line and exits 1, instead of waiting for ever on the read', async () => {
    const fifo = join(makeTempDir('stedi-keys-pipe-'), 'keys');
    execFileSync('mkfifo', [fifo]);
    expect(await serveWithin(lake, fifo, 40_000)).toEqual({
      code: 1,
      stderr: `stedi: the API keys file ${fifo} is a pipe that nothing wrote to within 10 s; start what writes the keys first, or give a regular file\n`,
    });
  });

  it('refuses a device (/dev/zero) in one line instead of reading it until memory runs out', async () => {
    expect(await serveWithin(lake, '/dev/zero', 40_000)).toEqual({
      code: 1,
      stderr: 'stedi: the API keys file /dev/zero is a device, not a file; give a file (or a pipe) of key:role lines\n',
    });
  });
});
