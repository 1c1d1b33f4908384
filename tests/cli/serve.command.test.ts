import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { writeBuildRecord } from '../../etl/engine/duckdb/build-records';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { writeLocalManifest } from '../../etl/engine/duckdb/local-manifest';
import { liveVersion } from '../../etl/manifest';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { ADMIN_KEY, ANALYST_KEY } from '../helpers/http-app';
import { customerRecord, emailOf, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { metricNamingProblems } from '../helpers/prometheus-names';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { runCli } from '../helpers/run-cli';
import { spawnBin } from '../helpers/spawn-cli';
import { runBin } from '../helpers/bin-cli';
import { serveLake } from '../helpers/served-lake';
import { smallLakeCopies } from '../helpers/small-lake-copies';

/** The processes `pid` started, as the kernel lists them. */
const childPids = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

// The small lake the serving tests start from is built once; each takes a cp -r copy of it and of its landing.
const smallLake = smallLakeCopies();

describe('stedi serve', () => {
  it('refuses to start without API keys, saying how to set them', async () => {
    const previous = { keys: process.env.STEDI_API_KEYS, file: process.env.STEDI_API_KEYS_FILE };
    delete process.env.STEDI_API_KEYS;
    delete process.env.STEDI_API_KEYS_FILE;
    try {
      const run = await runCli('serve', '--lake', makeTempDir(), '--port', '0');
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^stedi: no API keys are configured.*STEDI_API_KEYS=/);
    } finally {
      Object.assign(process.env, { STEDI_API_KEYS: previous.keys, STEDI_API_KEYS_FILE: previous.file });
      if (previous.keys === undefined) delete process.env.STEDI_API_KEYS;
      if (previous.file === undefined) delete process.env.STEDI_API_KEYS_FILE;
    }
  });

  it('refuses one key given two roles, in STEDI_API_KEYS and the keys file, naming where and never the key', async () => {
    // The first role won silently: a key "downgraded" by adding key:analyst to the file stayed admin.
    const file = join(makeTempDir(), 'keys');
    writeFileSync(file, `# rotated\n${ANALYST_KEY}:admin\n`);
    const envs: Record<string, string>[] = [{ STEDI_API_KEYS: `${ANALYST_KEY}:analyst`, STEDI_API_KEYS_FILE: file }, { STEDI_API_KEYS: `${ANALYST_KEY}:admin,other-key-0123456789:analyst,${ANALYST_KEY}:analyst` }];
    for (const env of envs) {
      const run = runBin(['serve', '--lake', makeTempDir(), '--port', '0'], { ...env, STEDI_WORKERS: '1' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^stedi: one key is given the role (analyst|admin) \((STEDI_API_KEYS entry 1)\) and the role (admin|analyst) \((.*keys entry 1|STEDI_API_KEYS entry 3)\); give each key one role\n$/);
      expect(run.stderr).not.toContain(ANALYST_KEY);
    }
  });

  it('refuses more STEDI_WORKERS than 4 a core before forking any, naming the setting and the value received', async () => {
    const bound = 4 * availableParallelism();
    const run = runBin(['serve', '--lake', makeTempDir(), '--port', '0'], { STEDI_API_KEYS: `${ANALYST_KEY}:analyst`, STEDI_WORKERS: '10000' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`stedi: STEDI_WORKERS must be a whole number from 1 to ${bound}; received "10000"\n`);
    expect(run.stdout).toBe('');
  });

  it('leaves STEDI_WORKERS to serve: build, status and doctor run with a value exported for a bigger server', () => {
    // Its bound is this host's cores, for forking workers: a value meant for another host stopped every command.
    const env = { STEDI_WORKERS: String(4 * availableParallelism() + 1) };
    const lake = makeTempDir();
    const landing = writeSmallLanding();
    const build = runBin(['build', '--lake', lake, '--landing', landing], env);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const status = runBin(['status', '--lake', lake], env);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/live/i);
    const doctor = runBin(['doctor', '--lake', lake], env);
    expect(doctor.stderr).toBe('stedi: stedi doctor checks an Athena set-up only (the embedded duckdb engine needs none); use it with --engine athena (or STEDI_ENGINE=athena)\n');
    const serve = runBin(['serve', '--lake', lake, '--port', '0'], { ...env, STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    expect(serve.stderr).toMatch(/^stedi: STEDI_WORKERS must be a whole number from 1 to \d+; received/);
  });

  it('refuses a STEDI_BODY_LIMIT over its 64mb bound before serving, in one line naming the setting', async () => {
    const run = runBin(['serve', '--lake', makeTempDir(), '--port', '0'], { STEDI_API_KEYS: `${ANALYST_KEY}:analyst`, STEDI_WORKERS: '1', STEDI_BODY_LIMIT: '2gb' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`stedi: STEDI_BODY_LIMIT must be at most 64mb (each request body is held whole in a server process's memory; the default 1mb holds any query); received "2gb"\n`);
    expect(run.stdout).toBe('');
  });

  it('refuses more STEDI_DUCKDB_THREADS than 4 a core before starting DuckDB, naming the setting and the value received', async () => {
    // Each is an OS thread in every worker: 100000 made threads until the host refused forks.
    const bound = 4 * availableParallelism();
    const run = runBin(['serve', '--lake', makeTempDir(), '--port', '0'], { STEDI_API_KEYS: `${ANALYST_KEY}:analyst`, STEDI_DUCKDB_THREADS: String(bound + 1) });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`stedi: STEDI_DUCKDB_THREADS must be a whole number from 0 to ${bound}; received "${bound + 1}"\n`);
    expect(run.stdout).toBe('');
  });

  it('rejects a port that is not a number', async () => {
    const run = await runCli('serve', '--port', 'eighty');
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/--port takes a whole number from 0 to 65535/);
  });

  it('serves a lake on the port from PORT and exits cleanly on SIGTERM, logging JSON without the key', async () => {
    const { landing, lake } = smallLake();
    const server = spawnBin(['serve', '--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      const [, url] = await server.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
        body: JSON.stringify({ query: '{ customers(first: 5) { totalCount } }' }),
      });
      expect(((await res.json()) as { data: { customers: { totalCount: number } } }).data.customers.totalCount).toBe(2);
      const exported = await fetch(`${url}/export/machine_learning_curated?format=ndjson`, { headers: { authorization: `Bearer ${ANALYST_KEY}` } });
      const lines = (await exported.text()).trim().split('\n');
      expect([exported.status, lines.length]).toEqual([200, Number(exported.headers.get('x-row-count'))]);
      // Every metric, Node's process metrics included, as Prometheus names them (a gauge named _total reads as a counter).
      expect(metricNamingProblems(await (await fetch(`${url}/metrics`)).text())).toEqual([]);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const logs = server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.some((l) => l.msg === 'request' && typeof l.requestId === 'string' && l.path === '/graphql')).toBe(true);
      expect(logs.some((l) => l.msg === 'shut down cleanly')).toBe(true);
      // One export, one line saying how it ended.
      expect(logs.filter((l) => typeof l.msg === 'string' && /^export (sent|cut|cancelled|failed)/.test(l.msg)).map((l) => l.msg)).toEqual(['export sent']);
      expect(server.stdout()).not.toContain(ANALYST_KEY);
      // Nothing on stderr: no warning (an export once reported a possible listener leak on every request).
      expect(server.stderr()).toBe('');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('drains and exits 0 when its terminal hangs up (SIGHUP, a dropped SSH session), as on SIGTERM', async () => {
    const { landing, lake } = smallLake();
    const server = spawnBin(['serve', '--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      await server.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      server.child.kill('SIGHUP');
      expect(await server.exited).toBe(0);
      const messages = server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { msg?: string; signal?: string }));
      expect(messages).toContainEqual(expect.objectContaining({ msg: 'shutting down: finishing in-flight requests', signal: 'SIGHUP' }));
      expect(messages).toContainEqual(expect.objectContaining({ msg: 'shut down cleanly' }));
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM during a rebuild says it waits for it, then exits 0 once it has published', async () => {
    // It went quiet for as long as the build took (minutes at scale), and `docker stop` or a second Ctrl+C followed.
    const { landing, lake, version } = smallLake();
    const server = spawnBin(['serve', '--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', STEDI_API_KEYS: `${ADMIN_KEY}:admin` });
    let rebuild: number | undefined;
    let held = false;
    try {
      const [, url] = await server.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      const asked = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query: 'mutation { rebuildZones { id } }' }) });
      const { id } = ((await asked.json()) as { data: { rebuildZones: { id: string } } }).data.rebuildZones;
      // The rebuild's process, held still so the server is surely stopping while it runs.
      while (rebuild === undefined) {
        rebuild = childPids(server.child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('rebuild-child'));
        if (rebuild === undefined) await new Promise((r) => setTimeout(r, 5));
      }
      process.kill(rebuild, 'SIGSTOP');
      held = true;
      server.child.kill('SIGTERM');
      const [line] = await server.waitFor(/\{[^\n]*"msg":"waiting for the running rebuild[^\n]*/);
      expect(JSON.parse(line)).toMatchObject({ rebuildJob: id, msg: expect.stringContaining('a second signal exits now, and the rebuild process goes on') });
      process.kill(rebuild, 'SIGCONT');
      held = false;
      expect(await server.exited).toBe(0);
      const live = liveVersion((await manifestOf(lake))!)!.version;
      expect(live).not.toBe(version);
      expect(server.stdout()).toContain(`"rebuildJob":"${id}","version":"${live}"`);
    } finally {
      if (held) process.kill(rebuild!, 'SIGCONT');
      server.child.kill('SIGKILL');
    }
  });

  it('warns once, without a stack, that it serves the versions the copy names when the manifest is damaged under it', async () => {
    const { landing, lake } = smallLake();
    const { manifestPath } = new LakeLayout(lake);
    const server = spawnBin(['serve', '--lake', lake, '--landing', landing], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      const [, url] = await server.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      const count = async (): Promise<unknown> =>
        (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` }, body: JSON.stringify({ query: '{ customers { totalCount } }' }) })).json();
      expect(await count()).toEqual({ data: { customers: { totalCount: 2 } } });
      writeFileSync(manifestPath, '{"formatVersion":2,');
      expect(await count()).toEqual({ data: { customers: { totalCount: 2 } } });
      expect(await count()).toEqual({ data: { customers: { totalCount: 2 } } });
      const warnings = server.stdout().split('\n').filter((l) => l.includes('manifest')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown });
      expect(warnings).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/^the lake manifest .*manifest\.json is not valid.*; serving the versions its copy names until a build writes it again/) })]);
      expect(warnings[0].err).toBeUndefined();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('says in one warning line without a stack that a lake never built has no customer landing to read consent from', async () => {
    const lake = makeTempDir('stedi-serve-unbuilt-');
    const server = spawnBin(['serve', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      await server.waitFor(/Serving .* at http/);
      const warnings = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; reason?: string; err?: unknown });
      expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringMatching(/^consent registry not loaded yet/), reason: expect.stringContaining('customer/landing does not exist; point --landing at') })]);
      expect(warnings[0].err).toBeUndefined();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('says at start that a lake folder which does not exist is missing, naming --lake, not only the landing it lacks', async () => {
    // A mistyped --lake: the one warning told the operator to point --landing somewhere, and every request answered LAKE_NOT_BUILT.
    const lake = join(makeTempDir('stedi-serve-typo-'), 'lkae');
    const server = spawnBin(['serve', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      await server.waitFor(/Serving .* at http/);
      const warnings = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; lake?: string });
      expect(warnings[0]).toMatchObject({ lake, msg: expect.stringMatching(/^the lake folder does not exist: check --lake \(or STEDI_LAKE\), or run `stedi build`/) });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('drains and exits 0 on SIGTERM while its workers are still starting, with no stack trace and no worker left', async () => {
    const { lake } = smallLake();
    const server = spawnBin(['serve', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STEDI_WORKERS: '2', STEDI_SPARE_WORKER_IDLE_MS: '0', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      // The first worker listens while the primary still starts the second: the cluster is not started yet.
      await server.waitFor(/"worker":1,.*"msg":"listening"/, 60_000);
      const workers = readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('"msg":"shut down cleanly"');
      expect(server.stderr()).not.toMatch(/Error|\n\s+at /);
      for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('says in one line that Ctrl+C stopped it, exiting 130, when the terminal\'s SIGINT also reached a worker still starting', async () => {
    const { lake } = smallLake();
    const server = spawnBin(['serve', '--lake', lake], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '2', STEDI_SPARE_WORKER_IDLE_MS: '0', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` });
    try {
      const children = (): number[] => readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      while (children().length === 0) await new Promise((r) => setTimeout(r, 5));
      // Ctrl+C signals the terminal's whole process group: the primary, and a worker that has not installed its handlers.
      server.child.kill('SIGINT');
      for (const pid of children()) process.kill(pid, 'SIGINT');
      expect({ code: await server.exited, stderr: server.stderr() }).toEqual({ code: 130, stderr: 'stedi: interrupted (SIGINT) while the server started; nothing is served\n' });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('erases at once a revocation that reached landing while it was down: it cannot know how long ago it was read', async () => {
    const { landing, lake } = smallLake();
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await expectErasedOnStart(lake, landing);
  }, 60_000);

  it('erases at once what a build killed after publishing left on disk: the expired version holding a revoked customer', async () => {
    const dead = spawnSync('true').pid!;
    await expectDeadBuildErasedOnStart({ pid: dead, host: hostname(), token: 'dead' });
  }, 60_000);

  it('erases at once what such a build left when it ran on another host (a container since replaced) whose lock was removed by hand, as its message says', async () => {
    // Its host is not this one, so its pid says nothing here; no lock names it any more.
    await expectDeadBuildErasedOnStart({ pid: process.pid, host: `${hostname()}-replaced`, token: 'gone' });
  }, 60_000);

  it('serves a version published in the same second as the one it served, on a filesystem keeping whole-second mtimes', async () => {
    const { landing, lake, version: first } = smallLake();
    const manifest = join(lake, '_stedi', 'manifest.json');
    // What such a filesystem (ext4 with 128-byte inodes, some network mounts) records: whole seconds.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    utimesSync(manifest, second, second);
    const served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', STEDI_CONSENT_REFRESH_MS: '600000' });
    try {
      expect((await served.graphql('{ lake { liveVersion } }')).data.lake.liveVersion).toBe(first);
      const built = runBin(['build', '--lake', lake, '--json']);
      expect(built.status).toBe(0);
      const next = JSON.parse(built.stdout).version as string;
      // The next publish within that second: the same mtime, another file (a rename).
      utimesSync(manifest, second, second);
      expect(statSync(manifest).mtimeMs).toBe(second.getTime());
      expect((await served.graphql('{ lake { liveVersion } }')).data.lake.liveVersion).toBe(next);
      expect((await served.readyz()).body.version).toBe(next);
    } finally {
      await served.stop();
    }
  }, 60_000);

  it('says in one line, with no warning or stack, that its port is in use or its HOST is not an address here', async () => {
    const { lake } = smallLake();
    const env = { HOST: '127.0.0.1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst` };
    const first = spawnBin(['serve', '--lake', lake, '--port', '0'], { STEDI_WORKERS: '1', ...env });
    try {
      const [, port] = await first.waitFor(/Serving \S+ at http:\/\/127\.0\.0\.1:(\d+)\/graphql/);
      const second = spawnBin(['serve', '--lake', lake, '--port', port], { STEDI_WORKERS: '1', ...env });
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toBe(`stedi: port ${port} is in use; pick another with --port or PORT\n`);
      // The live version's load, started before the listen failed, stops with the engine: no warning about it.
      expect(second.stdout()).toBe('');
    } finally {
      first.child.kill('SIGKILL');
    }
    const elsewhere = spawnBin(['serve', '--lake', lake, '--port', '0'], { STEDI_WORKERS: '1', ...env, HOST: '192.0.2.1' });
    expect(await elsewhere.exited).toBe(1);
    expect(elsewhere.stderr()).toBe('stedi: HOST "192.0.2.1" is not an address of this machine (EADDRNOTAVAIL); set HOST to one of its addresses, 0.0.0.0 for all or 127.0.0.1 for this machine only\n');
  });
});

/**
 * Serves `lake` with a bound of 10 minutes (a revocation the server read itself would wait a third of it): the
 * erasure rebuild must start at once, and leave no Parquet file holding alice's serial or email.
 */
/**
 * What an erasure rebuild killed between writing the manifest and removing the version it expired leaves (a manifest
 * without the old version, the old version's folders, and the dead build's record naming them), erased at start.
 */
async function expectDeadBuildErasedOnStart(holder: { pid: number; host: string; token: string }): Promise<void> {
  const { landing, lake, version: old } = smallLake();
  const layout = new LakeLayout(lake, landing);
  writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
  const live = await buildLake(landing, lake);
  const manifest = (await manifestOf(lake))!;
  await writeLocalManifest(layout.manifestPath, { ...manifest, versions: manifest.versions.filter((v) => v.version !== old) });
  await writeBuildRecord(layout, { version: live.version, holder: { ...holder, pidStart: null, owner: `build ${live.version}`, since: new Date().toISOString() }, expiring: [old] });
  expect(await parquetFilesHolding(lake, 'serial-alice')).not.toEqual([]);
  await expectErasedOnStart(lake, landing);
}

async function expectErasedOnStart(lake: string, landing: string): Promise<void> {
  const server = spawnBin(['serve', '--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', PORT: '0', HOST: '127.0.0.1', STEDI_API_KEYS: `${ANALYST_KEY}:analyst`, STEDI_ERASURE_MS: '600000' });
  try {
    await server.waitFor(/Serving \S+ at http/);
    await server.waitFor(/"msg":"erasure rebuild starting"/, 20_000);
    const deadline = Date.now() + 30_000;
    while ((await parquetFilesHolding(lake, 'serial-alice')).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    expect(await parquetFilesHolding(lake, emailOf('alice'))).toEqual([]);
  } finally {
    server.child.kill('SIGKILL');
  }
}
