import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, statfsSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { runBuild } from '../../etl/build';
import { generateLanding } from '../../etl/generate/generate';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { createLogger } from '../../src/logger';
import { buildInThisProcess } from '../../src/rebuild/rebuild-process';
import { RebuildJobs } from '../../src/rebuild/rebuild-jobs';
import { DuckDbBuildTarget } from '../../etl/engine/duckdb/duckdb-build-target';
import { describeFilesystemError } from '../../etl/engine/duckdb/fs-errors';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { LakeDamagedError, LakeFilesystemError, READ_ACCESS_FIX } from '../../etl/engine/engine-errors';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { accelerometerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { serveLake, snapshotTree } from '../helpers/served-lake';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';
import { BUILT_TABLES } from '../../etl/tables';
import { runBin, spawnBin, STEDI_BIN } from '../helpers/spawn-cli';
import { STEDI_SAMPLE_DIR, hasStediSample } from '../helpers/stedi-sample';

/** A lake the filesystem refuses: one line naming the path and the fix, and nothing left behind. */

// The small lake most tests start from is built once; each test takes a copy (cp -r) of it and of its landing.
const smallLake = smallLakeCopies();

const asRoot = process.getuid?.() === 0;

describe('a lake folder the build cannot write', () => {
  jest.setTimeout(60_000);

  it('says whose it is and how to fix it, in one line, and changes nothing', async () => {
    const { landing, lake } = smallLake();
    chmodSync(lake, 0o755);
    const before = snapshotTree(lake);
    // Root may write anywhere: run the build as nobody on root's lake; otherwise make the lake read-only.
    if (!asRoot) execFileSync('chmod', ['-R', 'a-w', lake]);
    const run = await runBin(['build', '--lake', lake, '--landing', landing], {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    if (!asRoot) execFileSync('chmod', ['-R', 'u+w', lake]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const meta = join(lake, '_stedi');
    expect(run.stderr).toContain(
      asRoot
        ? `stedi: cannot write ${meta}: it belongs to uid 0 and stedi runs as uid 65534; give it to this user (chown -R 65534 ${lake}; for the Docker image, uid 1000) or use another --lake`
        : `stedi: cannot write ${meta}: permission denied; make the lake folder writable (chmod -R u+w ${lake}) or use another --lake`,
    );
    expect(snapshotTree(lake)).toEqual(before);
  });
});

describe('a lake folder that does not exist, under a folder the build cannot write', () => {
  jest.setTimeout(60_000);

  it('names the parent that refuses it and how to create the lake, not a chown of a folder that is not there', async () => {
    const landing = writeSmallLanding();
    const parent = makeTempDir('stedi-parent-owned-');
    chmodSync(parent, 0o755);
    const lake = join(parent, 'lake');
    // Root may write anywhere: run the build as nobody under root's folder; otherwise make the folder read-only.
    if (!asRoot) chmodSync(parent, 0o555);
    const run = await runBin(['build', '--lake', lake, '--landing', landing], {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    if (!asRoot) chmodSync(parent, 0o755);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toContain(
      asRoot
        ? `stedi: cannot create the lake folder ${lake}: ${parent} belongs to uid 0 and stedi runs as uid 65534; create it for this user (mkdir -p ${lake} && chown 65534 ${lake}, as uid 0 or root) or use another --lake`
        : `stedi: cannot create the lake folder ${lake}: ${parent} is not writable; make it writable (chmod u+w ${parent}) or use another --lake`,
    );
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('a lake file the user running stedi may not read', () => {
  jest.setTimeout(60_000);

  it('is reported as damage whose fix is its permissions, not another build', async () => {
    const { lake, version } = smallLake();
    execFileSync('chmod', ['-R', 'a+rX', lake]);
    const file = new LakeLayout(lake).tableFile('accelerometer_trusted', version);
    // Root reads any file: run status as nobody on root's lake; otherwise take the owner's read permission away.
    chmodSync(file, asRoot ? 0o600 : 0o000);
    const run = await runBin(['status', '--lake', lake], {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    chmodSync(file, 0o644);
    // The line ends with the permission fix: a build would write a new version the same user may not read either.
    expect(run.stdout).toMatch(/^DAMAGED live version .*accelerometer_trusted\.parquet cannot be read \(EACCES\): the user running stedi may not read it; give that user read access \(chmod, chown\) or run stedi as the lake's owner$/m);
    expect(run.stdout).not.toContain('stedi build');
  });

  it('gives the same fix, not a build, in the error the server reports for the live version', () => {
    const damage = "accelerometer/trusted/v=x/accelerometer_trusted.parquet cannot be read (EACCES): the user running stedi may not read it; " + READ_ACCESS_FIX;
    expect(new LakeDamagedError('x', damage).message).toBe(`the live lake version x is damaged (${damage})`);
    expect(new LakeDamagedError('x', 'accelerometer_trusted.parquet is missing').message).toContain('; run `stedi build`');
  });
});

describe('an expired version whose folder refuses its removal', () => {
  jest.setTimeout(60_000);

  it.each([
    ['belongs to another user', false],
    ['is sticky and holds another user\'s file (Node\'s rm called it a file in the way)', true],
  ])('when it %s, is named by the build that published (a warning), by status, and removed by the next build once it may be', async (_folder, sticky) => {
    const { landing, lake, version: old } = smallLake();
    const layout = new LakeLayout(lake);
    const refusing = layout.versionDir('customer_trusted', old);
    // Root may remove anything: the lake is nobody's and the build runs as nobody, but one folder stays root's.
    const as = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) execFileSync('chown', ['-R', '65534:65534', lake]);
    chmodSync(lake, 0o755);
    execFileSync('chmod', ['-R', 'a+rX', landing]);
    if (asRoot) execFileSync('chown', sticky ? ['-R', '0:0', refusing] : ['0:0', refusing]);
    else chmodSync(refusing, 0o555);
    if (asRoot && sticky) chmodSync(refusing, 0o1777);
    const built = await runBin(['build', '--lake', lake, '--landing', landing, '--keep', '1', '--json'], {}, as);
    expect({ code: built.code, stderr: built.code === 0 ? '' : built.stderr }).toEqual({ code: 0, stderr: '' });
    const fresh = JSON.parse(built.stdout).version as string;
    const fix = `cannot write ${refusing}: ${asRoot ? `it belongs to uid 0 and stedi runs as uid 65534; give it to this user (chown -R 65534 ${lake}; for the Docker image, uid 1000)` : `permission denied; make the lake folder writable (chmod -R u+w ${lake})`} or use another --lake`;
    expect(built.stderr).toBe(`stedi: warning: expired versions ${old} could not all be removed and stay on disk (they may hold customers who withdrew consent) until a build removes them: ${fix}\n`);
    // Only the refusing folder stays: the version's others went.
    expect(BUILT_TABLES.filter((table) => readdirSync(layout.tableRoot(table)).includes(`v=${old}`))).toEqual(['customer_trusted']);
    const status = await runBin(['status', '--lake', lake, '--json'], {}, as);
    expect(JSON.parse(status.stdout).abandonedVersions).toEqual([old]);
    expect((await runBin(['status', '--lake', lake], {}, as)).stdout).toContain(`Expired versions still on disk: ${old} (they may hold customers who withdrew consent); the next build removes them\n`);
    // Until then a build fails with that same fix, said of the refusing folder (not of the lake, nor chmod for another user's folder).
    const refused = await runBin(['build', '--lake', lake, '--landing', landing, '--keep', '1'], {}, as);
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 1, stderr: `stedi: ${fix}\n` });

    if (asRoot) execFileSync('chown', ['-R', '65534:65534', refusing]);
    else chmodSync(refusing, 0o755);
    const next = await runBin(['build', '--lake', lake, '--landing', landing, '--keep', '2', '--json'], {}, as);
    // It says what it removed: the version the last build expired but could not remove.
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^stedi: removed what an earlier build left on the lake \(stopped before finishing, or versions expired but not removed\): \d+(\.\d)? [KMG]B freed\n$/) });
    expect(readdirSync(layout.tableRoot('customer_trusted')).sort()).toEqual([`v=${fresh}`, `v=${JSON.parse(next.stdout).version}`].sort());
    expect(JSON.parse((await runBin(['status', '--lake', lake, '--json'], {}, as)).stdout).abandonedVersions).toEqual([]);
  });
});

describe('a landing folder the user running stedi may not list', () => {
  jest.setTimeout(60_000);

  it('says to give that user read access, not to point --landing at another folder', async () => {
    const landing = writeSmallLanding();
    execFileSync('chmod', ['-R', 'a+rX', landing]);
    const lake = makeTempDir('stedi-landing-unlisted-');
    chmodSync(lake, 0o777);
    const folder = join(landing, 'customer', 'landing');
    // Root lists any folder: build as nobody; otherwise take the owner's permissions away.
    chmodSync(folder, asRoot ? 0o700 : 0o000);
    const run = await runBin(['build', '--landing', landing, '--lake', lake], {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    chmodSync(folder, 0o755);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`stedi: landing folder ${folder} cannot be read (EACCES): give the user stedi runs as (uid ${asRoot ? 65534 : process.getuid?.()}) read access to it (chmod, chown)\n`);
  });
});

describe('a file where the lake needs a folder', () => {
  jest.setTimeout(60_000);

  it.each([['build'], ['status']])('stops `stedi %s --lake <a file>` with one line saying so', async (command) => {
    const file = join(makeTempDir('stedi-file-lake-'), 'lake');
    writeFileSync(file, 'not a lake');
    const run = await runBin([command, '--lake', file, ...(command === 'build' ? ['--landing', writeSmallLanding()] : [])]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`stedi: the lake ${file} is a file, not a folder; point --lake (STEDI_LAKE) at a folder (it is made if missing)\n`);
  });

  it('names the file in the way of one of its folders', async () => {
    const lake = makeTempDir('stedi-file-in-lake-');
    mkdirSync(join(lake, '_stedi'));
    writeFileSync(join(lake, '_stedi', 'builds'), '');
    const run = await runBin(['build', '--lake', lake, '--landing', writeSmallLanding()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`stedi: cannot make the folder ${join(lake, '_stedi', 'builds')}: ${join(lake, '_stedi', 'builds')} is a file, not a folder; move it away, or point --lake at a folder\n`);
  });

  it('names the file in place of a table folder of a built lake, keeps the live version and leaves no build record', async () => {
    const { landing, lake, version: live } = smallLake();
    const folder = join(lake, 'customer', 'trusted');
    rmSync(folder, { recursive: true });
    writeFileSync(folder, 'not a folder');
    const run = await runBin(['build', '--lake', lake, '--landing', landing]);
    expect(run.code).toBe(1);
    // Node's own words came out ("ENOTDIR: not a directory, lstat …"): the description itself failed on the path under a file.
    expect(run.stderr).toMatch(new RegExp(`^stedi: cannot make the folder ${folder}/v=[^:]+: ${folder} is a file, not a folder; move it away, or point --lake at a folder\\n$`));
    expect((await manifestOf(lake))?.versions[0].version).toBe(live);
    expect(readdirSync(join(lake, '_stedi')).sort()).toEqual(['manifest.copy.json', 'manifest.json']);
  });

  it('publishes a build that expires versions when a file stands in place of the quarantine folder, and says nothing failed', async () => {
    const { landing, lake, version: old } = smallLake();
    rmSync(join(lake, '_quarantine'), { recursive: true, force: true });
    writeFileSync(join(lake, '_quarantine'), 'not a folder');
    const run = await runBin(['build', '--lake', lake, '--landing', landing, '--keep', '1', '--json']);
    // It published, then failed removing the expired version's quarantine (which cannot exist under a file): exit 1 with
    // "ENOTDIR: not a directory, lstat …", its record left behind, and every later build failing the same way.
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const published = (JSON.parse(run.stdout) as { version: string }).version;
    expect((await manifestOf(lake))?.versions.map((v) => v.version)).toEqual([published]);
    const layout = new LakeLayout(lake, landing);
    for (const table of BUILT_TABLES) expect(readdirSync(layout.tableRoot(table))).toEqual([`v=${published}`]);
    expect(readdirSync(join(lake, '_stedi')).sort()).toEqual(['manifest.copy.json', 'manifest.json']);
    expect(old).not.toBe(published);
  });
});


describe('a full disk', () => {
  jest.setTimeout(60_000);
  afterEach(() => jest.restoreAllMocks());

  it('fails the build with one line naming the path, keeps the live version, and leaves nothing of the new one', async () => {
    const { landing, lake, version: live } = smallLake();
    const layout = new LakeLayout(lake);
    const before = snapshotTree(lake);
    const writeFile = fsPromises.writeFile;
    jest.spyOn(fsPromises, 'writeFile').mockImplementation(async (path, ...rest) => {
      if (String(path).startsWith(`${layout.manifestPath}.`)) throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(path)}'`), { code: 'ENOSPC' });
      return writeFile(path, ...rest);
    });
    const failure = runBuild(new DuckDbBuildTarget(new LakeLayout(lake, landing)));
    await expect(failure).rejects.toBeInstanceOf(LakeFilesystemError);
    // The least it needs: what it had written (its version's files), counted before they were removed.
    await expect(failure).rejects.toThrow(
      new RegExp(`^no space left on the device holding ${layout.manifestPath} \\(this build had written \\d+ KB when it filled, and needs more\\); free space there, or build into a folder on a larger disk \\(--lake\\)$`),
    );
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([live]);
    const after = snapshotTree(lake);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  });

  it('removes a temporary manifest that the full disk cut half way, so the lake is left as it was found', async () => {
    const { landing, lake } = smallLake();
    const layout = new LakeLayout(lake);
    const before = snapshotTree(lake);
    const writeFile = fsPromises.writeFile;
    // As a full disk does it: the file is made and some of it written before the write fails.
    jest.spyOn(fsPromises, 'writeFile').mockImplementation(async (path, ...rest) => {
      if (!String(path).startsWith(`${layout.manifestPath}.`)) return writeFile(path, ...rest);
      await writeFile(path, '{"format":');
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    });
    await expect(runBuild(new DuckDbBuildTarget(new LakeLayout(lake, landing)))).rejects.toBeInstanceOf(LakeFilesystemError);
    expect(Object.keys(snapshotTree(lake)).sort()).toEqual(Object.keys(before).sort());
  });

  it('tells the admin of a server rebuild the same line with the lake written <lake>, and the next rebuild runs (the lock was released)', async () => {
    const { landing, lake } = smallLake();
    const config = loadConfig({ lake, landing, logLevel: 'silent' }, {});
    const engine = await openConfiguredEngine(config);
    // In this process: the full disk is faked here, where a rebuild process would not see it.
    const jobs = new RebuildJobs(engine, config, createLogger('silent'), undefined, buildInThisProcess(engine));
    try {
      const writeFile = fsPromises.writeFile;
      const full = jest.spyOn(fsPromises, 'writeFile').mockImplementation(async (path, ...rest) => {
        if (String(path).startsWith(join(lake, '_stedi', 'manifest.json.'))) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return writeFile(path, ...rest);
      });
      const failed = await jobs.start();
      await jobs.settled();
      expect(failed.state).toBe('FAILED');
      expect(failed.error).toMatch(
        /^the build failed; the previous version stays live: no space left on the device holding <lake>\/_stedi\/manifest\.json \(this build had written \d+ KB when it filled, and needs more\); free space there, or build into a folder on a larger disk \(--lake\)$/,
      );
      full.mockRestore();
      const next = await jobs.start();
      await jobs.settled();
      expect(next.state).toBe('SUCCEEDED');
    } finally {
      await jobs.close();
      await engine.close();
    }
  });

  it('reads DuckDB’s own words for a full disk, a read-only filesystem and a refused write', () => {
    const say = (message: string): string => (describeFilesystemError(new Error(message), '/lake/x.parquet', '/lake') as Error).message;
    expect(say('IO Error: Could not write file "/lake/x.parquet": No space left on device')).toBe('no space left on the device holding /lake/x.parquet; free space there, or build into a folder on a larger disk (--lake)');
    expect(say('IO Error: Cannot open file "/lake/x.parquet": Read-only file system')).toMatch(/^cannot write \/lake\/x\.parquet: the filesystem is read-only; a read-only lake can be served but not built/);
    const other = new Error('Binder Error: no such column');
    expect(describeFilesystemError(other, '/lake/x.parquet', '/lake')).toBe(other);
  });
});

// A real full disk: a 512 KiB tmpfs, where root may mount one.
(canMountTmpfs && hasStediSample ? describe : describe.skip)('a build onto a tiny filesystem', () => {
  jest.setTimeout(60_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-', 'size=512k');

  it('stops at the first full write with one line, and leaves the filesystem as it found it', async () => {
    const lake = join(mountPoint, 'lake');
    const run = await runBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^stedi: no space left on the device holding ${lake}/\\S+ \\(this build had written [\\d.]+ [KM]B when it filled, and needs more\\); free space there, or build into a folder on a larger disk \\(--lake\\)$`, 'm'));
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});

// A sort past the build's memory limit spills into _stedi/builds/<version>.spill, on the lake's disk: DuckDB said
// "Out of Memory Error: failed to offload data block", with no word of the disk or which folder to free.
(canMountTmpfs ? describe : describe.skip)('a build whose DuckDB spill the lake\'s disk cannot take', () => {
  jest.setTimeout(60_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-spill-', 'size=1m');

  it('says the device of its spill folder is full, not out of memory, and leaves the filesystem as it found it', async () => {
    const lake = join(mountPoint, 'lake');
    const layout = new LakeLayout(lake, writeSmallLanding());
    const target = new DuckDbBuildTarget(layout, { memoryLimit: '32MB', threads: 1 });
    // A zone's statement that sorts far more than 32 MB: the small landing itself never spills.
    const materialize = target.materialize.bind(target);
    target.materialize = async (table, select, params) => {
      if (table === 'customer_curated') await target.violations('SELECT md5(i::varchar) AS m FROM range(3000000) t(i) ORDER BY m');
      return materialize(table, select, params);
    };
    const failure = runBuild(target);
    await expect(failure).rejects.toBeInstanceOf(LakeFilesystemError);
    await expect(failure).rejects.toThrow(
      new RegExp(`^no space left on the device holding ${lake}/_stedi/builds/\\S+\\.spill( \\(this build had written \\d+ KB when it filled, and needs more\\))?; free space there, or build into a folder on a larger disk \\(--lake\\)$`),
    );
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});

// The disk fills while the landing is read: the quarantine and the landing's Parquet copy are the lake's writes, made on
// the main thread (the customer source) and in the reader's worker threads (a source of 8 MiB or more).
(canMountTmpfs ? describe : describe.skip)('a build whose disk fills while it reads the landing', () => {
  jest.setTimeout(180_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-reading-', 'size=24m');

  it('names the lake\'s device, never a landing file, whatever was left free', async () => {
    const landing = makeTempDir('stedi-landing-filling-');
    await generateLanding({ out: landing, customers: 1500, seed: 'disk-fills', dirty: 0.05 });
    const lake = join(mountPoint, 'lake');
    const filler = join(mountPoint, 'filler');
    const said: string[] = [];
    for (const freeKiB of [16, 64, 256, 1024, 4096]) {
      const { bavail, bsize } = statfsSync(mountPoint);
      writeFileSync(filler, Buffer.alloc(bavail * bsize - freeKiB * 1024));
      const run = await runBin(['build', '--lake', lake, '--landing', landing]);
      rmSync(filler);
      expect(run.code).toBe(1);
      said.push(run.stderr);
    }
    // Said of the landing file it was reading, it sent the operator to a landing that is fine.
    for (const line of said) expect(line).toMatch(new RegExp(`^stedi: no space left on the device holding ${lake}/\\S+( \\(this build had written [\\d.]+ [KMG]B when it filled, and needs more\\))?; free space there, or build into a folder on a larger disk \\(--lake\\)\n$`));
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});

// A lake already built on a filesystem then filled up to its last few pages: each of the build's first writes fails in turn.
(canMountTmpfs ? describe : describe.skip)('a build of a lake whose filesystem is full to the last page', () => {
  jest.setTimeout(120_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-full-', 'size=2m');

  it.each([0, 1, 2])('stops with one line and leaves the lake as it found it, not even a file half written (%i pages free)', async (pages) => {
    rmSync(join(mountPoint, 'lake'), { recursive: true, force: true });
    const { landing, lake } = smallLake(join(mountPoint, 'lake'));
    // Fills what is left (dd stops with an error once the filesystem is full), then frees `pages` 4 KiB pages of it.
    const filler = join(mountPoint, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
    } catch {
      // full: that is the point
    }
    truncateSync(filler, statSync(filler).size - pages * 4096);
    const before = snapshotTree(lake);
    const run = await runBin(['build', '--lake', lake, '--landing', landing]);
    rmSync(filler);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^stedi: no space left on the device holding ${lake}/\\S+( \\(this build had written [\\d.]+ [KMG]B when it filled, and needs more\\))?; free space there, or build into a folder on a larger disk \\(--lake\\)\n$`));
    // Every file as it was (a folder's time moves: temporary files were made there, then removed).
    const files = (tree: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(tree).filter(([, entry]) => !entry.startsWith('dir ')));
    expect(Object.keys(snapshotTree(lake)).sort()).toEqual(Object.keys(before).sort());
    expect(files(snapshotTree(lake))).toEqual(files(before));
  });
});

// Out of inodes: each new file or folder of the build fails in turn, a folder too (Node's recursive mkdir says ENOENT there).
(canMountTmpfs ? describe : describe.skip)('a build of a lake whose filesystem has no inode left', () => {
  jest.setTimeout(300_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-inodes-', 'size=8m,nr_inodes=400');

  it('says the device has no inode left (not no space: df -h shows room), in one line, whichever file or folder was the first refused, until the build fits', async () => {
    const { landing, lake } = smallLake(join(mountPoint, 'lake'));
    const fillers = join(mountPoint, 'fillers');
    mkdirSync(fillers);
    let made = 0;
    for (;;) {
      try {
        writeFileSync(join(fillers, String(made)), '');
        made += 1;
      } catch {
        break;
      }
    }
    const said: string[] = [];
    let free = 0;
    for (; free <= made; free += 1) {
      if (free > 0) rmSync(join(fillers, String(made - free)));
      const run = await runBin(['build', '--lake', lake, '--landing', landing]);
      if (run.code === 0) break;
      said.push(run.stderr.replace(/v=\w+|\d{8}t\w+/g, 'V'));
    }
    expect(free).toBeLessThan(made);
    expect(said.length).toBeGreaterThan(3);
    for (const line of said) {
      expect(line).toMatch(new RegExp(`^stedi: no free inodes left on the device holding ${lake}/\\S+ \\(it has space, but no room for another file: see df -i\\); remove files there, or build into a folder on another filesystem \\(--lake\\)\n$`));
    }
  });
});

describe('a file size limit (ulimit -f)', () => {
  jest.setTimeout(60_000);

  it('stops the build with one line naming the file and the limit, and leaves nothing of the new version', async () => {
    const landing = writeSmallLanding();
    // Enough readings that the build's copy of them outgrows a 16 KiB limit.
    writeLanding(landing, 'accelerometer', Array.from({ length: 5_000 }, (_, i) => accelerometerRecord('alice', 1_655_000_000_000 + i * 1_000, i, -i, i / 2)), 'accelerometer-2.json');
    const lake = makeTempDir('stedi-fsize-');
    await buildLake(landing, lake);
    const before = snapshotTree(lake);
    const run = spawnSync('sh', ['-c', 'ulimit -f 16 && exec "$0" "$@"', process.execPath, STEDI_BIN, 'build', '--lake', lake, '--landing', landing], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^stedi: cannot write ${lake}/_stedi/builds/\\S+\\.parquet: it would grow past the largest file this process may write \\(ulimit -f\\) or its filesystem holds; raise the limit \\(ulimit -f unlimited\\), or build into a folder on another filesystem \\(--lake\\)\n$`),
    );
    expect(Object.keys(snapshotTree(lake)).sort()).toEqual(Object.keys(before).sort());
  });
});

describe('a lake folder that cannot be made', () => {
  jest.setTimeout(60_000);

  it('names the file its path runs through, in one line, for build and status alike', async () => {
    const file = join(makeTempDir('stedi-file-in-path-'), 'not-a-folder');
    writeFileSync(file, 'x');
    const lake = join(file, 'lake');
    for (const args of [['build', '--lake', lake, '--landing', writeSmallLanding()], ['status', '--lake', lake]]) {
      const run = await runBin(args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({
        args,
        code: 1,
        stderr: `stedi: the lake ${lake} cannot be made: ${file} is a file, not a folder; point --lake (STEDI_LAKE) at a folder (it is made if missing)\n`,
      });
    }
  });

  const procHoldsNoFiles = ((): boolean => {
    try {
      return statfsSync('/proc').blocks === 0;
    } catch {
      return false;
    }
  })();

  (procHoldsNoFiles ? it : it.skip)('stops at once with one line for a lake on a filesystem that holds no files (/proc), where Node\'s own mkdir spun for ever', async () => {
    for (const lake of ['/proc/stedi-lake', '/proc/stedi/nested/lake']) {
      const build = spawnBin(['build', '--lake', lake, '--landing', writeSmallLanding()]);
      const timer = setTimeout(() => build.child.kill('SIGKILL'), 20_000);
      const code = await build.exited.finally(() => clearTimeout(timer));
      expect({ lake, code, stderr: build.stderr() }).toEqual({
        lake,
        code: 1,
        stderr: `stedi: cannot create the lake folder ${lake}: /proc is on a virtual filesystem that holds no files; point --lake at a folder on a disk\n`,
      });
    }
    // `stedi start` makes the folder of its development keys, and of the sample it generates, there too.
    const start = spawnBin(['start', '--lake', '/proc/stedi-lake', '--port', '0'], { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    const timer = setTimeout(() => start.child.kill('SIGKILL'), 20_000);
    expect(await start.exited.finally(() => clearTimeout(timer))).toBe(1);
    // Named by start's own flag (it has no --out), and by why, before it writes the sample (sample-room.ts).
    expect(start.stderr()).toBe('stedi: /proc/stedi-lake is on a virtual filesystem that holds no files; point --landing at a folder on a disk\n');
  });

  it('names the link that points at nothing (a lake linked to a disk not mounted), itself or on the way, in build and status', async () => {
    // Node's own words were "ENOTDIR: not a directory, mkdir '<lake>'"; status said the lake did not exist and to build it.
    const dir = makeTempDir('stedi-broken-link-');
    const target = join(dir, 'not-mounted', 'lake');
    const link = join(dir, 'lake');
    symlinkSync(target, link);
    for (const lake of [link, join(link, 'inner')]) {
      // start said first that its development keys could not be kept there (EEXIST), a line about nothing to fix.
      for (const command of [['build', '--landing', writeSmallLanding()], ['status'], ['start', '--port', '0']]) {
        const run = await runBin([...command, '--lake', lake], { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
        expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
          code: 1,
          stdout: '',
          stderr: `stedi: cannot read the lake manifest ${lake}/_stedi/manifest.json: ${link} is a link to ${target}, which does not exist (a disk not mounted?); mount it, or point --lake at a folder\n`,
        });
      }
    }
    // A server over it is not ready, and not "not built" (a rebuild there would fail the same way).
    const served = await serveLake(['--lake', link], { STEDI_WORKERS: '1' });
    try {
      expect(await served.readyz()).toEqual({ status: 503, body: { status: 'not ready', reason: 'lake manifest cannot be read: the lake folder is a link to nothing (a disk not mounted?); the server log names it' } });
    } finally {
      await served.stop();
    }
  });
});

// A read-only filesystem, where root may mount one: Node says ENOENT when it cannot make a folder there.
(canMountTmpfs ? describe : describe.skip)('a new lake folder on a read-only filesystem', () => {
  jest.setTimeout(60_000);
  const mountPoint = tmpfsForSuite('stedi-ro-', 'ro,size=64k');

  it('says the filesystem is read-only, in one line, and not that a folder is missing', async () => {
    const lake = join(mountPoint, 'new', 'lake');
    const run = await runBin(['build', '--lake', lake, '--landing', writeSmallLanding()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`stedi: cannot write ${lake}/_stedi: the filesystem is read-only; a read-only lake can be served but not built: build into a writable folder (--lake)\n`);
  });
});
