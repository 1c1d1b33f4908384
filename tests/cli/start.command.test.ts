import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { devKeysFile } from '../../src/auth/dev-keys';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { ensureLake, SAMPLE } from '../../src/commands/start.command';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { waitForLakeState } from '../helpers/lake-state-wait';
import { runBin, spawnBin } from '../helpers/spawn-cli';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

/** ensureLake as start runs it; resolves with what it wrote on stdout. */
async function ensure(lake: string, landing: string = lake, env: Record<string, string> = {}): Promise<string> {
  const config = loadConfig({ lake, landing, logLevel: 'silent' }, env);
  const engine = await openConfiguredEngine(config);
  let said = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    said += String(chunk);
    return true;
  });
  try {
    await ensureLake(config, engine);
    return said;
  } finally {
    write.mockRestore();
    await engine.close();
  }
}

describe('stedi start: the lake it serves', () => {
  it('generates a sample landing and builds it when the lake is empty', async () => {
    const lake = makeTempDir('stedi-start-');
    await ensure(lake);
    expect(readdirSync(join(lake, 'customer', 'landing')).length).toBeGreaterThan(0);
    const manifest = await manifestOf(lake);
    expect(manifest?.versions).toHaveLength(1);
    // Every generated customer, plus the few exact duplicates the sample's dirty lines add.
    expect(manifest!.versions[0]!.landingCounts.customer.accepted).toBeGreaterThanOrEqual(SAMPLE.customers);
    expect(manifest!.versions[0]!.tables.customer_curated.rows).toBeGreaterThan(0);
  });

  it('names its own flags, never generate\'s --out or --force, when the sample cannot be generated into the landing folder', async () => {
    const lake = makeTempDir('stedi-start-');
    // No landing data (a build reads none of it), but not an empty folder: the sample is not written over it.
    mkdirSync(join(lake, 'customer', 'landing'), { recursive: true });
    writeFileSync(join(lake, 'customer', 'landing', 'notes.txt'), 'kept');
    const run = await runBin(['start', '--lake', lake, '--port', '0'], { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `stedi: ${join(lake, 'customer', 'landing')} already holds files; move them away or choose another --landing folder\n`,
    });
  });

  it('builds existing landing data without generating anything', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-start-');
    const before = readdirSync(join(landing, 'customer', 'landing'));
    await ensure(lake, landing);
    expect(readdirSync(join(landing, 'customer', 'landing'))).toEqual(before);
    expect((await manifestOf(lake))!.versions[0]!.tables.customer_curated.rows).toBe(2);
  });

  it('builds under STEDI_MAX_LINE_BYTES, as `stedi build` and the consent registry read landing', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'Long.Line', serial: 'serial-long' }), pad: 'x'.repeat(2_000) }], 'customer-long.json');
    const lake = makeTempDir('stedi-start-');
    await ensure(lake, landing, { STEDI_MAX_LINE_BYTES: '1024' });
    const counts = (await manifestOf(lake))!.versions[0]!.landingCounts.customer;
    expect(counts.quarantined).toBe(1);
  });

  it('leaves a lake with a live version as it is, and says so: landing added since is not built', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-start-');
    const built = await buildLake(landing, lake);
    const said = await ensure(lake, landing);
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([built.version]);
    expect(said).toBe(`The lake at ${lake} is built (live version ${built.version}, ${built.builtAt}): serving it as it is; \`stedi build\` makes a new version from landing\n`);
  });
});

describe('stedi start (npm start)', () => {
  it('with no keys configured, prints an admin and an analyst key last, in a box, and a curl line that works', async () => {
    const lake = makeTempDir('stedi-start-e2e-');
    const start = spawnBin(['start', '--lake', lake], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      const [, analyst] = await start.waitFor(/analyst (\S+)/, 55_000);
      const [, admin] = await start.waitFor(/admin {3}(\S+)/);
      const [curl, url, key] = await start.waitFor(/curl -s (\S+) -H "authorization: Bearer (\S+)" -H 'content-type: application\/json' -d '(.*)'/);
      expect(key).toBe(analyst);
      expect(admin).not.toBe(analyst);
      // The box comes last, after every start-up log line (JSON, since stdout is a pipe here).
      await start.waitFor(/└─+┘/);
      const out = start.stdout();
      expect(out.lastIndexOf('{"level"')).toBeLessThan(out.indexOf('┌'));
      expect(out.trimEnd()).toMatch(/┘$/);
      expect(out).toContain(`Kept in ${devKeysFile(lake)}`);
      const body = /-d '(.*)'$/.exec(curl)![1]!;
      const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
      const json = (await res.json()) as { data: { customers: { totalCount: number } }; errors?: unknown };
      expect(json.errors).toBeUndefined();
      expect(json.data.customers.totalCount).toBeGreaterThan(0);
      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);

      // The next start on the same lake reuses the kept keys.
      expect(statSync(devKeysFile(lake)).mode & 0o777).toBe(0o600);
      const again = spawnBin(['start', '--lake', lake], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      try {
        expect((await again.waitFor(/analyst (\S+)/, 30_000))[1]).toBe(analyst);
        expect((await again.waitFor(/admin {3}(\S+)/))[1]).toBe(admin);
        // Built already: it says it serves the lake as it is, rather than seeming to build what landing holds now.
        expect(again.stdout()).toMatch(/^The lake at \S+ is built \(live version \S+, [0-9T:.Z-]+\): serving it as it is; `stedi build` makes a new version from landing$/m);
        again.child.kill('SIGTERM');
        expect(await again.exited).toBe(0);
      } finally {
        again.child.kill('SIGKILL');
      }
    } finally {
      start.child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('stedi start with a kept development keys file it cannot use', () => {
  jest.setTimeout(60_000);

  // Node's words were "EISDIR: illegal operation on a directory, read" (no file named) and "EACCES: permission denied, open …".
  it.each([
    ['a folder in its place', (file: string) => mkdirSync(file), /^stedi: cannot read the development keys file (\S+) \(EISDIR\); delete it and npm start makes new ones, run as the user who made it, or set STEDI_API_KEYS\n$/],
    ['lines that are not keys', (file: string) => writeFileSync(file, 'hello world\n'), /^stedi: (\S+): entry 1 is not a key:role pair \(roles: analyst, admin\); delete it and npm start makes new ones\n$/],
  ])('refuses it in one line naming the file and how to get new keys (%s)', async (_what, damage, said) => {
    const lake = makeTempDir('stedi-start-keys-');
    await buildLake(writeSmallLanding(), lake);
    damage(devKeysFile(lake));
    const run = await runBin(['start', '--lake', lake, '--port', '0'], { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    expect(run.code).toBe(1);
    expect(said.exec(run.stderr)?.[1]).toBe(devKeysFile(lake));
  });

  (process.getuid?.() === 0 ? it : it.skip)('refuses another user’s file in one line naming it and the fix', async () => {
    const lake = makeTempDir('stedi-start-keys-');
    await buildLake(writeSmallLanding(), lake);
    execFileSync('chmod', ['-R', 'a+rX', lake]);
    writeFileSync(devKeysFile(lake), 'adminkey-0123456789abcdef:admin\nanalystkey-0123456789abcdef:analyst\n', { mode: 0o600 });
    const run = await runBin(['start', '--lake', lake, '--port', '0'], { HOST: '127.0.0.1', STEDI_WORKERS: '1' }, { uid: 65534, gid: 65534 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: `stedi: cannot read the development keys file ${devKeysFile(lake)} (EACCES); delete it and npm start makes new ones, run as the user who made it, or set STEDI_API_KEYS\n`,
    });
  });
});

// A lake mounted read-only (as in `docker run -v lake:/data/lake:ro`), where root may mount one.
(canMountTmpfs ? describe : describe.skip)('stedi start on a read-only lake', () => {
  const mountPoint = tmpfsForSuite('stedi-start-ro-', 'size=8m');

  it('serves it with development keys for this process only, and says why they are not kept', async () => {
    const lake = join(mountPoint, 'lake');
    await buildLake(writeSmallLanding(), lake);
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    const start = spawnBin(['start', '--lake', lake], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    try {
      const [curl, url, key] = await start.waitFor(/curl -s (\S+) -H "authorization: Bearer (\S+)" -H 'content-type: application\/json' -d '(.*)'/, 55_000);
      await start.waitFor(/└─+┘/);
      expect(start.stdout()).toContain(`Note: development keys cannot be kept in ${devKeysFile(lake)} (EROFS): they last as long as this server.`);
      expect(start.stdout()).toContain('They stop working when the server stops.');
      const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: /-d '(.*)'$/.exec(curl)![1]! });
      expect(((await res.json()) as { data: { customers: { totalCount: number } } }).data.customers.totalCount).toBe(2);
      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);
      expect(start.stderr()).toBe('');
    } finally {
      start.child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('stedi start stopped by Ctrl+C before it serves', () => {
  jest.setTimeout(120_000);

  it('while generating the sample, says so in one line, exits 130 and leaves no landing file and nothing staged', async () => {
    const lake = makeTempDir('stedi-start-int-');
    const start = spawnBin(['start', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    try {
      expect(await waitForLakeState(lake, () => readdirSync(lake).some((f) => f.startsWith('.stedi-generate-')), start.exited)).toBe(true);
      start.child.kill('SIGINT');
      expect(await start.exited).toBe(130);
      expect(start.stderr()).toBe('stedi: start interrupted (SIGINT) while generating the sample; nothing was written to the landing folders\n');
      expect(readdirSync(lake).filter((f) => f.startsWith('.stedi-generate-'))).toEqual([]);
      expect(existsSync(join(lake, 'customer', 'landing')) ? readdirSync(join(lake, 'customer', 'landing')) : []).toEqual([]);
    } finally {
      start.child.kill('SIGKILL');
    }
  });

  it('while it reads the lake before serving (no build needed), says so in one line and exits 130', async () => {
    // An Athena lake whose endpoint takes the connection and never answers holds start at its manifest read.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    const connected = new Promise<true>((done) => silent.once('connection', () => done(true)));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const start = spawnBin(['start'], {
      HOME: makeTempDir('stedi-aws-home-'), AWS_EC2_METADATA_DISABLED: 'true', STEDI_ENGINE: 'athena', STEDI_LAKE: 's3://example-bucket/stedi', AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', STEDI_AWS_TIMEOUT_MS: '100000',
      STEDI_API_KEYS: 'adminkey-0123456789abcdef:admin', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    });
    try {
      expect(await Promise.race([connected, start.exited.then(() => false)])).toBe(true);
      start.child.kill('SIGINT');
      expect(await start.exited).toBe(130);
      expect(start.stderr()).toBe('stedi: start interrupted (SIGINT) before the server started; nothing is served, the lake is as it was\n');
    } finally {
      start.child.kill('SIGKILL');
      sockets.forEach((s) => s.destroy());
      await new Promise((done) => silent.close(done));
    }
  });

  it('while building, says so in one line, exits 130 and publishes nothing', async () => {
    const lake = makeTempDir('stedi-start-int-');
    const layout = new LakeLayout(lake);
    const start = spawnBin(['start', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    try {
      expect(await waitForLakeState(lake, () => existsSync(layout.buildsDir) && readdirSync(layout.buildsDir).length > 0, start.exited)).toBe(true);
      start.child.kill('SIGINT');
      expect(await start.exited).toBe(130);
      expect(start.stderr()).toBe("stedi: build interrupted (SIGINT); nothing was published, the lake is as it was; the next build removes this one's partial files\n");
      expect(await manifestOf(lake)).toBeNull();
    } finally {
      start.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM as its cluster finishes starting, never says "Serving" nor prints the keys after shutting down began, and exits 0', async () => {
    const lake = makeTempDir('stedi-start-late-signal-');
    await buildLake(writeSmallLanding(), lake);
    // Both workers start at once (no spare workers): the first listens while the primary still waits for the second.
    const start = spawnBin(['start', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STEDI_WORKERS: '2', STEDI_SPARE_WORKER_IDLE_MS: '0' });
    try {
      await start.waitFor(/"worker":\d+,.*"msg":"listening"/, 60_000);
      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);
      const out = start.stdout();
      const stopping = out.indexOf('"worker":"primary","signal":"SIGTERM","msg":"shutting down');
      expect(stopping).toBeGreaterThanOrEqual(0);
      // Said before the signal was handled, or not at all.
      for (const line of ['Serving ', 'Bearer ']) expect({ line, after: out.indexOf(line, stopping) }).toEqual({ line, after: -1 });
    } finally {
      start.child.kill('SIGKILL');
    }
  }, 120_000);
});
