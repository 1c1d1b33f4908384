import { spawn, spawnSync } from 'node:child_process';
import { AthenaClient, GetWorkGroupCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processStart } from '../../etl/dead-process-folders';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { manifestCopyOf } from '../../etl/engine/duckdb/local-manifest';
import { BUILT_TABLES } from '../../etl/tables';
import { builtSmallLake } from '../helpers/built-small-lake';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/bin-cli';
import { runCli } from '../helpers/run-cli';
import { REFERENCE_COUNTS, STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';

/** The one line a build prints once it has freed disk a dead build's leftovers held. */
const CLEARED = /^stedi: removed what an earlier build left on the lake \(stopped before finishing, or versions expired but not removed\): \d+(\.\d)? [KMG]B freed\n$/;

// Tests about what a later build or status makes of a built lake change a copy of this one.
const small = builtSmallLake();

describe('stedi build', () => {
  it('prints one JSON object with the version, all eight tables and the quarantine counts', async () => {
    const run = await runCli('build', '--landing', writeSmallLanding(), '--lake', makeTempDir(), '--json');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report.tables)).toHaveLength(8);
    expect(report.tables.machine_learning_curated).toEqual({ rows: 4 });
    expect(report.quarantined).toEqual({ customer: 0, accelerometer: 0, step_trainer: 0 });
    expect(typeof report.version).toBe('string');
    expect(report.durationMs).toBeGreaterThan(0);
  });

  it('prints a readable summary table without --json', async () => {
    const run = await runCli('build', '--landing', writeSmallLanding(), '--lake', makeTempDir(), '--consent-policy', 'as-of');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/consent policy as-of/);
    expect(run.stdout).toMatch(/machine_learning_curated\s+curated\s+4/);
  });

  it('keeps the live version\'s consent policy when none is given, and takes one given by flag or STEDI_CONSENT_POLICY', () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const policyOf = (args: string[], env: Record<string, string> = {}): string => {
      const run = runBin(['build', '--landing', landing, '--lake', lake, '--json', ...args], env);
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout).consentPolicy;
    };
    expect(policyOf(['--consent-policy', 'as-of'])).toBe('as-of');
    // A build by hand without a policy must not relax the lake to `any`.
    expect(policyOf([])).toBe('as-of');
    expect(policyOf([], { STEDI_CONSENT_POLICY: 'any' })).toBe('any');
    expect(policyOf([])).toBe('any');
  });

  it('takes over the lock of a build that died but is not reaped yet (a zombie, as under a PID 1 that never waits), as of one that is gone', async () => {
    const lake = makeTempDir();
    const landing = writeSmallLanding();
    // `sleep 0.3` runs in the background and exits once its parent has become `sleep 60`, which never waits for it
    // (exiting at once, it could be reaped by the shell before the exec).
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()))));
      const state = (): string => { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!; };
      for (let tries = 0; state() !== 'Z' && tries < 200; tries += 1) await new Promise((r) => setTimeout(r, 10));
      expect(state()).toBe('Z');
      mkdirSync(join(lake, '_stedi'), { recursive: true });
      writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify({ pid, host: hostname(), pidStart: processStart(pid), owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
      const run = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('removes what a build killed on another host (a container since replaced) left, once its lock is removed by hand as the refusal says', async () => {
    const lake = small.copy();
    const landing = small.landing;
    // What such a build leaves: its lock and record naming the other host, half its version, its copy of landing.
    const version = '20260101t000000000z_dead';
    const holder = { pid: process.pid, host: `${hostname()}-replaced`, pidStart: null, owner: `build ${version}`, since: '2026-01-01T00:00:00.000Z', token: 'gone' };
    mkdirSync(join(lake, '_stedi', 'builds', `${version}.spill`, 'landing'), { recursive: true });
    writeFileSync(join(lake, '_stedi', 'builds', `${version}.spill`, 'landing', '0.parquet'), 'x');
    writeFileSync(join(lake, '_stedi', 'builds', `${version}.json`), JSON.stringify({ version, holder, expiring: [] }));
    mkdirSync(join(lake, 'customer', 'trusted', `v=${version}`));
    writeFileSync(join(lake, 'customer', 'trusted', `v=${version}`, 'customer_trusted.parquet'), 'x');
    writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify(holder));
    const refused = runBin(['build', '--landing', landing, '--lake', lake]);
    expect(refused.stderr).toContain(`remove ${join(lake, '_stedi', 'build.lock')} if that process is gone`);
    rmSync(join(lake, '_stedi', 'build.lock'));
    expect(runBin(['build', '--landing', landing, '--lake', lake]).status).toBe(0);
    expect(existsSync(join(lake, 'customer', 'trusted', `v=${version}`))).toBe(false);
    expect(readdirSync(join(lake, '_stedi')).sort()).toEqual(['manifest.copy.json', 'manifest.json']);
  });

  it('exits non-zero with one clear line for a bad consent policy or a missing landing folder', async () => {
    const bad = await runCli('build', '--landing', writeSmallLanding(), '--lake', makeTempDir(), '--consent-policy', 'sometimes');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr.trim()).toBe('stedi: --consent-policy: consent policy must be one of any, as-of; received "sometimes" (run `stedi build --help` for usage)');
    const missing = await runCli('build', '--landing', '/definitely/not/here', '--lake', makeTempDir());
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('/definitely/not/here/customer/landing does not exist');
  });
});

describe('stedi status', () => {
  it('shows the live version with every table’s row count and build time', async () => {
    const lake = small.copy();
    const built = { version: small.version };
    const run = await runCli('status', '--lake', lake, '--json');
    const status = JSON.parse(run.stdout);
    expect(status.version).toBe(built.version);
    expect(status.state).toBe('built');
    expect(status.tables.customer_curated.rows).toBe(2);
    expect(typeof status.tables.customer_curated.builtAt).toBe('string');
    const text = await runCli('status', '--lake', lake);
    expect(text.stdout).toContain(`Live version ${built.version}`);
  });

  it('says no line was quarantined, rather than naming a quarantine folder that was never written', async () => {
    const lake = small.copy();
    const text = (await runCli('status', '--lake', lake)).stdout;
    expect(text).toMatch(/^No landing lines were quarantined\.$/m);
    expect(text).not.toMatch(/Quarantined lines/);
    expect(existsSync(join(lake, '_quarantine'))).toBe(false);
  });

  it('shows the lines each landing source quarantined, and where they are', async () => {
    const lake = makeTempDir();
    const landing = writeSmallLanding();
    appendFileSync(join(landing, 'customer', 'landing', 'bad.json'), '{"not json\n');
    await runCli('build', '--landing', landing, '--lake', lake);
    const text = (await runCli('status', '--lake', lake)).stdout;
    expect(text).toMatch(/^customer\s+4\s+3\s+1$/m);
    expect(text).toMatch(/^accelerometer\s+5\s+5\s+0$/m);
    expect(text).toMatch(/^Quarantined lines \(file, line number, reason\): \S+/m);
    expect(JSON.parse((await runCli('status', '--lake', lake, '--json')).stdout).quarantined.customer).toBe(1);
  });

  it('says when a build is running on the lake, and when one was killed before it finished', async () => {
    const lake = small.copy();
    const lock = (pid: number, pidStart: string | null): void =>
      writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify({ pid, host: hostname(), pidStart, owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
    const status = async (): Promise<{ text: string; json: { build: unknown } }> => ({
      text: (await runCli('status', '--lake', lake)).stdout,
      json: JSON.parse((await runCli('status', '--lake', lake, '--json')).stdout),
    });
    expect((await status()).json.build).toBeNull();

    lock(process.pid, processStart(process.pid));
    const running = await status();
    expect(running.text).toMatch(new RegExp(`^A build is running \\(pid ${process.pid} on .+, since 2026-12-04T10:00:00.000Z\\); the live version changes when it publishes\\.$`, 'm'));
    expect(running.json.build).toEqual({ pid: process.pid, host: hostname(), since: '2026-12-04T10:00:00.000Z', running: true });

    const gone = spawnSync('true').pid!;
    lock(gone, null);
    const killed = await status();
    expect(killed.text).toMatch(new RegExp(`^A build was interrupted \\(pid ${gone} on .+\\): the next build takes its lock over and removes what it left\\.$`, 'm'));
    expect(killed.json.build).toMatchObject({ pid: gone, running: false });
  });

  it('refuses a build over a running holder\'s lock that records no start time, saying so as status does, not "since )"', async () => {
    const lake = small.copy();
    const lock = join(lake, '_stedi', 'build.lock');
    // A holder that is alive (this test's process) in a lock without its time: one hand-written, or of an older release.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'build x', token: 't' }));
    const refused = runBin(['build', '--lake', lake, '--landing', small.landing]);
    expect({ status: refused.status, stderr: refused.stderr }).toEqual({
      status: 1,
      stderr: `stedi: another build is running (pid ${process.pid} on ${hostname()}, since an unknown time) on this lake; wait for it to finish, or remove ${lock} if that process is gone\n`,
    });
    expect((await runCli('status', '--lake', lake)).stdout).toContain(`A build is running (pid ${process.pid} on ${hostname()}, since an unknown time)`);
  });

  it('names the versions a build over a broken manifest left on disk, which no build removes and no erasure reaches, and none while a build owns them', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const first = small.version;
    const status = async (): Promise<{ text: string; unlisted: unknown }> => ({
      text: (await runCli('status', '--lake', lake)).stdout,
      unlisted: JSON.parse((await runCli('status', '--lake', lake, '--json')).stdout).unlistedVersions,
    });
    expect((await status()).unlisted).toEqual([]);
    // A build running (its record names its version, whose folders it is writing) owns them.
    mkdirSync(join(lake, '_stedi', 'builds'), { recursive: true });
    mkdirSync(join(lake, 'customer', 'trusted', 'v=20260101t000000000z_abcd'));
    writeFileSync(join(lake, '_stedi', 'builds', '20260101t000000000z_abcd.json'), JSON.stringify({ version: '20260101t000000000z_abcd', holder: { pid: process.pid, host: hostname() }, expiring: [] }));
    expect((await status()).unlisted).toEqual([]);
    // A damaged record still owns the version its file name gives (the next build removes it), not one without a record.
    writeFileSync(join(lake, '_stedi', 'builds', '20260101t000000000z_abcd.json'), '{"version":');
    expect((await status()).unlisted).toEqual([]);
    mkdirSync(join(lake, 'customer', 'trusted', 'v=20260101t000000000z_abce'));
    expect((await status()).unlisted).toEqual(['20260101t000000000z_abce']);
    rmSync(join(lake, 'customer', 'trusted', 'v=20260101t000000000z_abce'), { recursive: true });
    rmSync(join(lake, '_stedi', 'builds'), { recursive: true });
    rmSync(join(lake, 'customer', 'trusted', 'v=20260101t000000000z_abcd'), { recursive: true });
    // Without its copy (a lake built before copies): with one, the build goes on from the versions it names.
    rmSync(manifestCopyOf(new LakeLayout(lake).manifestPath));
    writeFileSync(join(lake, '_stedi', 'manifest.json'), '{"format":');
    const second = JSON.parse((await runCli('build', '--landing', landing, '--lake', lake, '--json')).stdout).version as string;
    const after = await status();
    expect(after.unlisted).toEqual([first]);
    expect(after.text).toContain(`Versions on disk that no manifest keeps: ${first} (a build over a broken or missing manifest, or over an older copy restored, leaves them). No build removes them and no erasure reaches them`);
    expect(after.text).not.toContain(second + ' (a build');
  });

  it('does not call column text alone in an expired version\'s folder (made again by an earlier server) a version, and the next build removes it', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const layout = new LakeLayout(lake);
    const stray = layout.versionDir('machine_learning_curated', '20260101t000000000z_abcd');
    mkdirSync(stray, { recursive: true });
    for (const name of ['batch.json', 'batch.0', 'batch.rows', 'batch.lock']) writeFileSync(join(stray, `machine_learning_curated.${name}`), '"serial-of-a-withdrawn-customer"');
    // Beside anything else, it is the operator's: a version folder holding other files is named as before.
    const other = layout.versionDir('machine_learning_curated', '20260101t000000000z_abce');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'machine_learning_curated.batch.json'), '{}');
    writeFileSync(join(other, 'machine_learning_curated.parquet'), '');
    expect(JSON.parse((await runCli('status', '--lake', lake, '--json')).stdout).unlistedVersions).toEqual(['20260101t000000000z_abce']);
    await runCli('build', '--landing', landing, '--lake', lake, '--json');
    expect(existsSync(stray)).toBe(false);
    expect(readdirSync(other).sort()).toEqual(['machine_learning_curated.batch.json', 'machine_learning_curated.parquet']);
  });

  it('names a manifest that is not JSON without sending the terminal the control characters its parser quotes', () => {
    const lake = makeTempDir();
    mkdirSync(join(lake, '_stedi'), { recursive: true });
    // An escape sequence that would clear the screen, where the parser stops.
    writeFileSync(join(lake, '_stedi', 'manifest.json'), '{"formatVersion": \x1b[2J\x07}');
    const run = runBin(['status', '--lake', lake]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('is not valid JSON');
    expect(run.stderr).toContain('\\x1b');
    expect(run.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  });

  it('takes over a dead build\'s lock though a folder was left where a build breaks such a lock, or names that folder when it holds files', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const lock = join(lake, '_stedi', 'build.lock');
    const guard = `${lock}.takeover`;
    const deadLock = (): void => writeFileSync(lock, JSON.stringify({ pid: spawnSync('true').pid!, host: hostname(), pidStart: null, owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
    deadLock();
    mkdirSync(guard);
    const taken = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    expect({ status: taken.status, stderr: taken.stderr }).toEqual({ status: 0, stderr: '' });
    expect(existsSync(guard)).toBe(false);
    expect(existsSync(lock)).toBe(false);

    deadLock();
    mkdirSync(join(guard, 'kept'), { recursive: true });
    const refused = runBin(['build', '--landing', landing, '--lake', lake]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `stedi: the lock ${lock} is a dead build's, but ${guard} (where a build takes such a lock over) cannot be removed (ENOTEMPTY): no build uses it; remove it (rm -r ${guard}) and build again\n`,
    );
    expect(existsSync(join(guard, 'kept'))).toBe(true);
  });

  it('removes an empty folder left where the lock file goes, and names one that holds files, rather than calling it a running build', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const lock = join(lake, '_stedi', 'build.lock');
    mkdirSync(lock);
    const taken = runBin(['build', '--landing', landing, '--lake', lake, '--json']);
    expect({ status: taken.status, stderr: taken.stderr }).toEqual({ status: 0, stderr: '' });
    expect(existsSync(lock)).toBe(false);

    mkdirSync(join(lock, 'kept'), { recursive: true });
    const refused = runBin(['build', '--landing', landing, '--lake', lake]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `stedi: ${lock} is a folder, not a build's lock file (no build makes one), and it cannot be removed (ENOTEMPTY); remove it (rm -r ${lock}) and build again\n`,
    );
    expect(existsSync(join(lock, 'kept'))).toBe(true);
    expect(existsSync(`${lock}.takeover`)).toBe(false);
  });

  it.each([
    ['cut short', (record: string) => writeFileSync(record, '{"version":"2026120')],
    ['zeroed', (record: string) => writeFileSync(record, Buffer.alloc(120))],
    ['a folder', (record: string) => mkdirSync(record)],
  ])('removes a dead build\'s version whose record in _stedi/builds is %s, and status does not call it unlisted', async (_damage, damage) => {
    const lake = small.copy();
    const landing = small.landing;
    const layout = new LakeLayout(lake);
    const dead = '20261204t100000000z_dead';
    for (const table of BUILT_TABLES) {
      mkdirSync(layout.versionDir(table, dead), { recursive: true });
      writeFileSync(layout.tableFile(table, dead), 'half a file');
    }
    mkdirSync(join(layout.spillDir(dead), 'landing'), { recursive: true });
    damage(layout.buildRecord(dead));

    const status = runBin(['status', '--lake', lake, '--json']);
    expect(JSON.parse(status.stdout).unlistedVersions).toEqual([]);
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(CLEARED) });
    expect(BUILT_TABLES.filter((table) => existsSync(layout.versionDir(table, dead)))).toEqual([]);
    expect(existsSync(layout.spillDir(dead))).toBe(false);
    expect(existsSync(layout.buildRecord(dead))).toBe(false);
  });

  it.each([
    ['its record left whole', (record: string, version: string) => writeFileSync(record, JSON.stringify({ version, holder: { pid: 999_999_999, host: hostname() }, expiring: [] }))],
    ['its record zeroed', (record: string) => writeFileSync(record, Buffer.alloc(120))],
  ])('never removes a version a broken manifest may have listed, named by a dead build (%s), in any later build', async (_record, plant) => {
    const lake = small.copy();
    const landing = small.landing;
    const first = small.version;
    const layout = new LakeLayout(lake);
    // Its build was killed after writing the manifest and before removing its record; the manifest was then damaged.
    mkdirSync(layout.buildsDir, { recursive: true });
    plant(layout.buildRecord(first), first);
    rmSync(manifestCopyOf(layout.manifestPath));
    writeFileSync(join(lake, '_stedi', 'manifest.json'), '{"format":');
    for (let build = 0; build < 2; build += 1) {
      const built = runBin(['build', '--landing', landing, '--lake', lake]);
      expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
      expect(BUILT_TABLES.filter((table) => !existsSync(layout.tableFile(table, first)))).toEqual([]);
    }
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).unlistedVersions).toEqual([first]);
  });

  it('keeps, in a lake whose manifest is gone, a version a dead build\'s damaged record names as it keeps the others: a restored manifest may list it', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const older = small.version;
    const live = JSON.parse((await runCli('build', '--landing', landing, '--lake', lake, '--json')).stdout).version as string;
    const layout = new LakeLayout(lake);
    // Its publish was killed before removing its record, which was then damaged; the manifest was lost.
    mkdirSync(layout.buildsDir, { recursive: true });
    writeFileSync(layout.buildRecord(live), Buffer.alloc(120));
    rmSync(layout.manifestPath);
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
    expect(BUILT_TABLES.filter((table) => !existsSync(layout.tableFile(table, live)))).toEqual([]);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).unlistedVersions).toEqual([older, live]);
  });

  it.each([
    ['a first build', [] as string[], false],
    ['a build keeping one version (--keep 1)', ['--keep', '1'], false],
    ['a first build (its record then zeroed)', [] as string[], true],
  ])('keeps, in a lake whose manifest is gone, the version %s published before it was killed, as status says: a restored manifest lists it', async (_build, flags, zeroed) => {
    const lake = small.copy();
    const landing = small.landing;
    // The copy's version is the first build's, or the older one a second build keeps beside its own.
    const older = flags.length > 0 ? [small.version] : [];
    const live = flags.length > 0 ? JSON.parse((await runCli('build', '--landing', landing, '--lake', lake, '--json', ...flags)).stdout).version as string : small.version;
    const layout = new LakeLayout(lake);
    // Its publish was killed after writing the manifest and before removing its record (as publish writes it); the manifest was then lost.
    mkdirSync(layout.buildsDir, { recursive: true });
    writeFileSync(layout.buildRecord(live), zeroed ? Buffer.alloc(120) : JSON.stringify({ version: live, holder: { pid: 999_999_999, host: hostname() }, expiring: older, publishing: true }));
    const gone = spawnSync('true').pid!;
    writeFileSync(layout.lockPath, JSON.stringify({ pid: gone, host: hostname(), pidStart: null, owner: `build ${live}`, since: '2026-12-04T10:00:00.000Z', token: 't' }));
    const copy = readFileSync(layout.manifestPath);
    rmSync(layout.manifestPath);
    expect(runBin(['status', '--lake', lake]).stderr).toContain(`has no manifest, though versions ${live} are on disk: restore its _stedi/manifest.json from a copy, or a build was interrupted (pid ${gone}`);
    const status = runBin(['status', '--lake', lake, '--json']);
    // The older version's folders went before the kill (its removal had finished): only the live one is on disk.
    expect(JSON.parse(status.stdout).unlistedVersions).toEqual([live]);
    for (let build = 0; build < 2; build += 1) {
      const built = runBin(['build', '--landing', landing, '--lake', lake, ...flags]);
      expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
    }
    writeFileSync(layout.manifestPath, copy);
    expect(BUILT_TABLES.filter((table) => !existsSync(layout.tableFile(table, live)))).toEqual([]);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).state).toBe('built');
  });

  it('keeps the version a build published before it was killed when an older copy of the manifest is restored over its own, as status says; one killed before publishing still goes', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const layout = new LakeLayout(lake);
    const older = readFileSync(layout.manifestPath);
    const live = JSON.parse((await runCli('build', '--landing', landing, '--lake', lake, '--json')).stdout).version as string;
    // Its publish was killed after the manifest rename, before its record went; then yesterday's copy of the manifest was restored.
    mkdirSync(layout.buildsDir, { recursive: true });
    writeFileSync(layout.buildRecord(live), JSON.stringify({ version: live, holder: { pid: 999_999_999, host: hostname() }, expiring: [], publishing: true }));
    const beforeRename = new Date(Date.now() - 10_000);
    utimesSync(layout.buildRecord(live), beforeRename, beforeRename);
    writeFileSync(layout.manifestPath, older);
    // A build killed just before its rename: its record is newer than the manifest it never replaced.
    const dead = '20261204t100000000z_dead';
    for (const table of BUILT_TABLES) {
      mkdirSync(layout.versionDir(table, dead), { recursive: true });
      writeFileSync(layout.tableFile(table, dead), 'a whole file');
    }
    writeFileSync(layout.buildRecord(dead), JSON.stringify({ version: dead, holder: { pid: 999_999_999, host: hostname() }, expiring: [], publishing: true }));
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).unlistedVersions).toEqual([live]);
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(CLEARED) });
    expect(BUILT_TABLES.filter((table) => !existsSync(layout.tableFile(table, live)))).toEqual([]);
    expect(BUILT_TABLES.filter((table) => existsSync(layout.versionDir(table, dead)))).toEqual([]);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).unlistedVersions).toEqual([live]);
  });

  it('removes nothing outside the lake that a damaged build record names as its version or as expiring, and still removes its own unkept version', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const layout = new LakeLayout(lake);
    const outside = makeTempDir();
    writeFileSync(join(outside, 'keep.txt'), 'not the lake');
    const dead = '20261204t100000000z_dead';
    mkdirSync(layout.versionDir('customer_trusted', dead), { recursive: true });
    // As many `..` as lead to the root, then the folder outside: what a version's folder path became.
    const escape = `x/${'../'.repeat(64)}${outside.slice(1)}`;
    mkdirSync(layout.buildsDir, { recursive: true });
    writeFileSync(layout.buildRecord(dead), JSON.stringify({ version: dead, holder: { pid: 999_999_999, host: hostname() }, expiring: [escape] }));
    writeFileSync(layout.buildRecord('20261204t100000000z_0bad'), JSON.stringify({ version: escape, holder: { pid: 999_999_999, host: hostname() }, expiring: [] }));
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('not the lake');
    expect(existsSync(layout.versionDir('customer_trusted', dead))).toBe(false);
    expect(existsSync(layout.buildsDir)).toBe(false);
  });

  it('removes the scratch folder of a build killed after removing its record and before its scratch, which no record names', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const layout = new LakeLayout(lake);
    const dead = '20261204t100000000z_dead';
    mkdirSync(join(layout.spillDir(dead), 'landing'), { recursive: true });
    writeFileSync(join(layout.spillDir(dead), 'landing', 'customer.json'), '{"serialnumber":"x"}');
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(CLEARED) });
    expect(existsSync(layout.spillDir(dead))).toBe(false);
  });

  it('removes a first build\'s version when that build died before any manifest was written, saying once how much disk that freed', async () => {
    const lake = makeTempDir();
    const landing = writeSmallLanding();
    const layout = new LakeLayout(lake);
    const dead = '20261204t100000000z_dead';
    for (const table of BUILT_TABLES) {
      mkdirSync(layout.versionDir(table, dead), { recursive: true });
      writeFileSync(layout.tableFile(table, dead), table === 'machine_learning_curated' ? Buffer.alloc(3_000_000, 1) : 'half a file');
    }
    mkdirSync(layout.buildsDir, { recursive: true });
    writeFileSync(layout.buildRecord(dead), JSON.stringify({ version: dead, holder: { pid: 999_999_999, host: hostname() }, expiring: [] }));
    const built = runBin(['build', '--landing', landing, '--lake', lake]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: 'stedi: removed what an earlier build left on the lake (stopped before finishing, or versions expired but not removed): 3.0 MB freed\n' });
    expect(BUILT_TABLES.filter((table) => existsSync(layout.versionDir(table, dead)))).toEqual([]);
  });

  it('says a first build is running rather than asking for one', async () => {
    const lake = makeTempDir();
    mkdirSync(join(lake, '_stedi'), { recursive: true });
    writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify({ pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
    const run = await runCli('status', '--lake', lake);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/has not been built yet; a first build is running \(pid \d+ on .+\); wait for it/);
  });

  it('says a first build was interrupted, as --json reports it, rather than only that the lake was never built', () => {
    const lake = makeTempDir();
    mkdirSync(join(lake, '_stedi'), { recursive: true });
    const gone = spawnSync('true').pid!;
    writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify({ pid: gone, host: hostname(), pidStart: null, owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
    const run = runBin(['status', '--lake', lake]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `stedi: the lake at ${lake} has not been built yet; a first build was interrupted (pid ${gone} on ${hostname()}, since 2026-12-04T10:00:00.000Z); run \`stedi build --lake ${lake}\`: it takes the lock over and removes what that one left\n`,
    );
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout)).toMatchObject({ state: 'not built', build: { pid: gone, running: false } });
  });

  it('prints the state as JSON with --json while a first build runs, exiting 1 as without it', async () => {
    const lake = makeTempDir();
    mkdirSync(join(lake, '_stedi'), { recursive: true });
    writeFileSync(join(lake, '_stedi', 'build.lock'), JSON.stringify({ pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'build x', since: '2026-12-04T10:00:00.000Z', token: 't' }));
    const run = runBin(['status', '--lake', lake, '--json']);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      state: 'building',
      version: null,
      message: expect.stringMatching(/has not been built yet; a first build is running \(pid \d+ on .+\); wait for it/),
      build: { pid: process.pid, host: hostname(), since: '2026-12-04T10:00:00.000Z', running: true },
      keptVersions: [],
      unlistedVersions: [],
    });
    expect(run.stderr).toMatch(/^stedi: the lake at .* has not been built yet; a first build is running/);
  });

  it('prints "not built" as JSON with --json over an empty lake', async () => {
    const run = runBin(['status', '--lake', makeTempDir(), '--json']);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'not built', version: null, build: null, message: expect.stringContaining('run `stedi build') });
  });

  it('says a lake whose manifest was removed is not unbuilt: it names the versions on disk and how to restore them, with --json too', async () => {
    const lake = small.copy();
    const landing = small.landing;
    const { version } = small;
    rmSync(join(lake, '_stedi', 'manifest.json'));
    const said = `the lake at ${lake} has no manifest, though versions ${version} are on disk: restore its _stedi/manifest.json from a copy, or run \`stedi build --lake ${lake}\` (it builds a new version and deletes none of those)`;
    const run = runBin(['status', '--lake', lake]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 1, stderr: `stedi: ${said}\n` });
    const json = runBin(['status', '--lake', lake, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ state: 'not built', version: null, message: said, build: null, keptVersions: [], unlistedVersions: [version] });
    // As said: a build keeps them, and status names them as versions no manifest keeps.
    expect(runBin(['build', '--lake', lake, '--landing', landing]).status).toBe(0);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).unlistedVersions).toEqual([version]);
  });

  it('suggests commands a shell reads as the lake folder whatever its name: pasted, they touch nothing else', async () => {
    const parent = makeTempDir();
    // Unquoted, `rm -r <parent>/my lake's copy/*/*/v=…` names <parent>/my too.
    const decoy = join(parent, 'my');
    mkdirSync(decoy);
    const lake = join(parent, "my lake's copy");
    const landing = small.landing;
    const { version } = small;
    small.copy(lake);
    rmSync(join(lake, '_stedi', 'manifest.json'));
    const quoted = `'${parent}/my lake'\\''s copy'`;
    expect(runBin(['status', '--lake', lake]).stderr).toContain(`or run \`stedi build --lake ${quoted}\``);
    const { version: live } = await buildLake(landing, lake);
    const text = runBin(['status', '--lake', lake]).stdout;
    const command = /remove their folders \((rm -r .*)\)$/m.exec(text)?.[1];
    expect(command).toBe(`rm -r ${quoted}/*/*/v=<version> ${quoted}/_quarantine/v=<version>`);
    spawnSync('sh', ['-c', command!.replaceAll('<version>', version)]);
    expect(existsSync(decoy)).toBe(true);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout)).toMatchObject({ state: 'built', version: live, unlistedVersions: [] });
  });

  it('prints "manifest invalid" as JSON with --json over a lake whose manifest is not JSON, exiting 1 as without it', async () => {
    const lake = makeTempDir();
    mkdirSync(join(lake, '_stedi'), { recursive: true });
    writeFileSync(join(lake, '_stedi', 'manifest.json'), 'garbage\n');
    const run = runBin(['status', '--lake', lake, '--json']);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'manifest invalid', version: null, message: expect.stringContaining('is not valid JSON') });
    expect(run.stderr).toMatch(/^stedi: the lake manifest .* is not valid JSON/);
  });

  it('says how to build when the lake is empty', async () => {
    const run = await runCli('status', '--lake', makeTempDir());
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/has not been built yet; run `stedi build/);
  });

  it('says a lake folder that does not exist does not exist (a mistyped path), rather than that it was never built, with --json too', async () => {
    const lake = join(makeTempDir(), 'no-such-lake');
    const said = `the lake folder ${lake} does not exist; check the --lake path, or run \`stedi build --lake ${lake}\` to create it`;
    const run = await runCli('status', '--lake', lake);
    expect({ code: run.exitCode, stderr: run.stderr }).toEqual({ code: 1, stderr: `stedi: ${said}\n` });
    expect(JSON.parse((await runCli('status', '--lake', lake, '--json')).stdout)).toMatchObject({ state: 'not built', message: said });
    expect(existsSync(lake)).toBe(false);
  });
});

describeWithStediSample('stedi build on the real data', () => {
  it('prints the reference counts', async () => {
    const run = await runCli('build', '--landing', STEDI_SAMPLE_DIR, '--lake', makeTempDir(), '--json');
    const report = JSON.parse(run.stdout);
    expect(Object.fromEntries(Object.entries(report.tables).map(([t, v]) => [t, (v as { rows: number }).rows]))).toEqual(REFERENCE_COUNTS.any);
  });
});

describe('stedi build --engine athena --dry-run', () => {
  it('takes the Glue database from its flag', async () => {
    const run = await runCli('build', '--engine', 'athena', '--lake', 's3://example-bucket/stedi', '--glue-database', 'research_lake', '--dry-run', '--json');
    expect(run.exitCode).toBe(0);
    const { statements, preflight }: { statements: string[]; preflight: { action: string; resource: string }[] } = JSON.parse(run.stdout);
    expect(preflight).toContainEqual(expect.objectContaining({ action: 'GetTables', resource: 'research_lake' }));
    expect(statements.some((s) => s.includes('"research_lake"'))).toBe(true);
    expect(statements.some((s) => s.includes('"stedi".'))).toBe(false);
  });
});

describe('stedi build --engine athena when AWS fails on its side', () => {
  const LAKE = 's3://example-bucket/stedi';
  const ON_AWS_SIDE = "a failure on AWS's side (HTTP 500, request id REQ-1), not in the request, the lake or the set-up: retry in a few minutes";
  const serverError = (name: string): Error => Object.assign(new Error('We encountered an internal error. Please try again.'), { name, $fault: 'server', $metadata: { httpStatusCode: 500, requestId: 'REQ-1' } });
  let athena: AwsClientStub<AthenaClient>;
  let glue: AwsClientStub<GlueClient>;
  let s3: AwsClientStub<S3Client>;
  // Every client the CLI creates answers from these (aws-sdk-client-mock patches the class): a lake not built yet, whose pre-flight passes.
  beforeEach(() => {
    athena = mockClient(AthenaClient);
    glue = mockClient(GlueClient);
    s3 = mockClient(S3Client);
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'primary', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } } });
    glue.on(GetTablesCommand).resolves({ TableList: [] });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => (input.Prefix?.endsWith('/landing/') ? { Contents: [{ Key: `${input.Prefix}part-0.json` }], KeyCount: 1 } : { KeyCount: 0 }));
    s3.on(PutObjectCommand).resolves({ ETag: '"lock-etag"' });
    s3.on(DeleteObjectCommand).callsFake((input: { IfMatch?: string }) => {
      if (input.IfMatch === '"lock-etag"') return {};
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    });
  });
  afterEach(() => [athena, glue, s3].forEach((m) => m.restore()));

  it('prints one line naming S3, its error and request id, saying it is AWS’s side and to retry, when reading the manifest fails', async () => {
    s3.on(GetObjectCommand).rejects(serverError('InternalError'));
    const run = await runCli('build', '--engine', 'athena', '--lake', LAKE, '--json');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`stedi: cannot read the lake's manifest ${LAKE}/_stedi/manifest.json: S3 answered InternalError, ${ON_AWS_SIDE}\n`);
    expect(run.stdout).toBe('');
  });

  it('prints one line naming Athena, its error and request id, saying it is AWS’s side and to retry, when starting a query fails, and gives the lock back', async () => {
    athena.on(StartQueryExecutionCommand).rejects(serverError('InternalServerException'));
    const run = await runCli('build', '--engine', 'athena', '--lake', LAKE, '--json');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`stedi: cannot run the Athena query: Athena answered InternalServerException, ${ON_AWS_SIDE}\n`);
    // The start is asked again only with its own token (Athena may have started it): no second query.
    expect(new Set(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken)).size).toBe(1);
    expect(s3.commandCalls(DeleteObjectCommand).filter((c) => c.args[0].input.Key === 'stedi/_stedi/build.lock' && c.args[0].input.IfMatch === '"lock-etag"')).toHaveLength(1);
  });
});
