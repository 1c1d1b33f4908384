import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin, spawnBin } from '../helpers/spawn-cli';

/**
 * `STEDI_LAKE=` or `HOST=` left empty (a blank line of an env file, `--lake "$LAKE"` with LAKE unset)
 * is an unset setting, as every other one is: not the working folder, not an empty address.
 */

describe('an empty lake or host setting', () => {
  jest.setTimeout(60_000);

  it('STEDI_LAKE= or --lake "" is ./lake, not the working folder', async () => {
    const cwd = makeTempDir('stedi-empty-lake-');
    const built = await buildLake(writeSmallLanding(), join(cwd, 'lake'));
    for (const [args, env] of [
      [['status'], { STEDI_LAKE: '' }],
      [['status', '--lake', ''], {}],
    ] as const) {
      const run = await runBin([...args], env, { cwd });
      expect({ args, env, stderr: run.stderr, code: run.code }).toEqual({ args, env, stderr: '', code: 0 });
      expect(run.stdout).toContain(`Live version ${built.version}`);
    }
  });

  it('--port "" (or blank) is PORT, never a random free port', async () => {
    const lake = makeTempDir('stedi-empty-port-');
    await buildLake(writeSmallLanding(), lake);
    const port = await new Promise<number>((done) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => done(free));
      });
    });
    const env = { HOST: '127.0.0.1', STEDI_WORKERS: '1', LOG_LEVEL: 'warn', STEDI_API_KEYS: 'adminkey-0123456789abcdef:admin' };
    for (const blank of ['', ' ']) {
      const serve = spawnBin(['serve', '--lake', lake, '--port', blank], { ...env, PORT: String(port) });
      try {
        const [, url] = await Promise.race([serve.waitFor(/^Serving .* at (\S+)\/graphql$/m), serve.exited.then(() => [null, `exited: ${serve.stderr()}`])]);
        expect(url).toBe(`http://127.0.0.1:${port}`);
        serve.child.kill('SIGTERM');
        expect(await serve.exited).toBe(0);
      } finally {
        serve.child.kill('SIGKILL');
      }
    }
  });

  it('HOST= is unset: the default, this machine only, and prints a URL that works', async () => {
    const lake = makeTempDir('stedi-empty-host-');
    await buildLake(writeSmallLanding(), lake);
    const serve = spawnBin(['serve', '--lake', lake, '--port', '0'], { HOST: '', STEDI_WORKERS: '1', LOG_LEVEL: 'warn', STEDI_API_KEYS: 'adminkey-0123456789abcdef:admin' });
    try {
      const [, url] = await serve.waitFor(/^Serving .* at (\S+)\/graphql$/m);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});
