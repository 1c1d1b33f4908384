import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunningServer } from '../../src/http/server';
import { startLiveServer } from '../helpers/live-server';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { serveLake, untilReady } from '../helpers/served-lake';
import { runBin } from '../helpers/bin-cli';

// No Docker daemon runs the tests: the Dockerfile is read as text, and the health probe it names is run as the image runs it.
const ROOT = resolve(__dirname, '..', '..');
const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
/** Instructions of the last stage (the image), continuation lines joined. */
const runtime = dockerfile.replace(/\\\n/g, ' ').split(/^FROM /m).pop()!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const instruction = (name: string): string[] => runtime.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

function probe(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [resolve(ROOT, 'bin', 'healthcheck.js')], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
}

/** A small lake built and served by `serve --port 0`, its listening file under its own TMPDIR. */
async function servedOnAnyPort() {
  const tmp = makeTempDir('stedi-run-');
  const lake = makeTempDir('stedi-lake-');
  expect(runBin(['build', '--lake', lake, '--landing', writeSmallLanding()]).status).toBe(0);
  return { tmp, lake, served: await serveLake(['--lake', lake, '--port', '0'], { TMPDIR: tmp }) };
}

describe('the Docker image', () => {
  it('runs tini as PID 1 in front of the CLI, installed from Debian in the image stage', () => {
    expect(instruction('RUN').some((r) => /apt-get install\b.*\btini\b/.test(r))).toBe(true);
    expect(JSON.parse(instruction('ENTRYPOINT')[0])).toEqual(['/usr/bin/tini', '--', 'node', 'bin/stedi.js']);
  });

  it('listens on every address (HOST=0.0.0.0), which a container needs and the CLI no longer does by default', () => {
    const env = instruction('ENV').join(' ');
    expect(env).toMatch(/(^|\s)HOST=0\.0\.0\.0(\s|$)/);
  });

  it('checks health with bin/healthcheck.js, which the image holds with the compiled modules it loads', () => {
    const [check] = instruction('HEALTHCHECK');
    expect(check).toMatch(/--start-period=\d+s/);
    expect(JSON.parse(check.replace(/^.*?\bCMD\s+/, ''))).toEqual(['node', 'bin/healthcheck.js']);
    expect(instruction('COPY')).toEqual(expect.arrayContaining(['bin ./bin', '--from=build /app/dist ./dist']));
    const loaded = [...readFileSync(resolve(ROOT, 'bin', 'healthcheck.js'), 'utf8').matchAll(/require\('\.\.\/(dist\/[^']+)'\)/g)].map((m) => m[1]);
    expect(loaded).toEqual(['dist/src/config.js', 'dist/src/http/listening-file.js', 'dist/src/http/readiness-url.js']);
  });
});

describe('the image health check (bin/healthcheck.js)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    if (!existsSync(resolve(ROOT, 'dist', 'src', 'config.js'))) throw new Error('bin/healthcheck.js needs the compiled sources: run `npm run build` first');
    server = await startLiveServer(writeSmallLanding());
  });
  afterAll(() => server?.shutdown());

  it('is healthy when the ready server listens on the PORT it reads, on a wildcard HOST through loopback', async () => {
    expect(await probe({ PORT: String(server.port), HOST: '127.0.0.1' })).toEqual({ code: 0, stderr: '' });
    expect((await probe({ PORT: String(server.port), HOST: '0.0.0.0' })).code).toBe(0);
  });

  it('is unhealthy, saying where it asked, when nothing answers on that port', async () => {
    const other = server.port === 65_535 ? 65_534 : server.port + 1;
    const result = await probe({ PORT: String(other), HOST: '127.0.0.1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`http://127.0.0.1:${other}/readyz did not answer`);
  });

  it('is unhealthy with the reason when a setting cannot name the port (PORT 0, a bad PORT)', async () => {
    expect(await probe({ PORT: '0' })).toEqual({ code: 1, stderr: expect.stringContaining('set PORT to a fixed port') });
    expect(await probe({ PORT: 'http' })).toEqual({ code: 1, stderr: expect.stringContaining('PORT must be a whole number') });
  });

  it('finds the port `serve --port` listens on, where no setting names it, and is unhealthy once that server stops', async () => {
    // The image's check read only PORT and HOST: `docker run … serve --port 8080` was reported unhealthy for ever.
    const { tmp, lake, served } = await servedOnAnyPort();
    try {
      await untilReady(served);
      expect(await probe({ TMPDIR: tmp, STEDI_LAKE: lake })).toEqual({ code: 0, stderr: '' });
      // Another lake's server says nothing of this one: the probe asks where PORT says.
      const other = await probe({ TMPDIR: tmp, STEDI_LAKE: makeTempDir('stedi-lake-'), PORT: '1' });
      expect(other).toEqual({ code: 1, stderr: expect.stringContaining('http://127.0.0.1:1/readyz did not answer') });
    } finally {
      await served.stop();
    }
    expect(readdirSync(join(tmp, `stedi-${process.getuid?.() ?? 'user'}`))).toEqual([]);
    const stopped = await probe({ TMPDIR: tmp, STEDI_LAKE: lake, PORT: '1' });
    expect(stopped).toEqual({ code: 1, stderr: expect.stringContaining('http://127.0.0.1:1/readyz did not answer') });
  });

  it('names a running server\'s listening file that cannot be read, and how to write it again, when it falls back to PORT', async () => {
    const { tmp, lake, served } = await servedOnAnyPort();
    try {
      await untilReady(served);
      const file = join(tmp, `stedi-${process.getuid?.() ?? 'user'}`, `serve-${served.process.child.pid}.json`);
      const whole = readFileSync(file, 'utf8');
      for (const damaged of [whole.slice(0, whole.length / 2), '\0'.repeat(whole.length), '']) {
        writeFileSync(file, damaged);
        const result = await probe({ TMPDIR: tmp, STEDI_LAKE: lake, PORT: '1' });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('http://127.0.0.1:1/readyz did not answer (');
        expect(result.stderr).toContain(
          `); ${file} cannot be read: restart that server (pid ${served.process.child.pid}) to write it again, or set PORT and HOST to where it listens`,
        );
      }
      writeFileSync(file, whole);
      expect(await probe({ TMPDIR: tmp, STEDI_LAKE: lake })).toEqual({ code: 0, stderr: '' });
    } finally {
      await served.stop();
    }
  });

  it('skips what a killed server left and asks where PORT says; the next server to start removes it', async () => {
    const { tmp, lake, served } = await servedOnAnyPort();
    served.process.child.kill('SIGKILL');
    await served.process.exited;
    const folder = join(tmp, `stedi-${process.getuid?.() ?? 'user'}`);
    const [left] = readdirSync(folder);
    expect(left).toBe(`serve-${served.process.child.pid}.json`);
    expect(await probe({ TMPDIR: tmp, STEDI_LAKE: lake, PORT: '1' })).toEqual({ code: 1, stderr: expect.stringContaining('http://127.0.0.1:1/readyz did not answer') });
    // The next server to start removes what the killed one left.
    const next = await serveLake(['--lake', lake, '--port', '0'], { TMPDIR: tmp });
    try {
      expect(readdirSync(folder)).toEqual([`serve-${next.process.child.pid}.json`]);
    } finally {
      await next.stop();
    }
  });
});
