import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import { BuildLockedError, acquireBuildLock } from '../../../../etl/engine/duckdb/build-lock';
import { type LockHolder } from '../../../../etl/engine/duckdb/lock-holder';
import { processStart } from '../../../../etl/dead-process-folders';
import { DuckDbBuildTarget } from '../../../../etl/engine/duckdb/duckdb-build-target';
import { LakeLayout } from '../../../../etl/engine/duckdb/lake-layout';
import { buildLake, manifestOf } from '../../../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../../../helpers/landing-fixture';

/** A pid no process has: above the kernel's pid_max ceiling (2^22). */
const DEAD_PID = 2 ** 22 + 7;

function plantLock(lake: string, holder: Partial<LockHolder>): string {
  const path = new LakeLayout(lake).lockPath;
  mkdirSync(join(lake, '_stedi'), { recursive: true });
  writeFileSync(path, JSON.stringify({ pid: DEAD_PID, host: hostname(), pidStart: null, owner: 'planted', since: '2026-01-01T00:00:00.000Z', token: 'planted', ...holder }));
  return path;
}

describe('the build lock', () => {
  it('is created whole, naming host, pid, process start and a token of its own', async () => {
    const lake = makeTempDir();
    const lock = await acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    const content = JSON.parse(readFileSync(new LakeLayout(lake).lockPath, 'utf8'));
    expect(content).toEqual({ pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'test', since: expect.any(String), token: expect.stringMatching(/^[0-9a-f]{16}$/) });
    await lock.release();
    expect(existsSync(new LakeLayout(lake).lockPath)).toBe(false);
  });

  it('takes over a lock whose process is gone from this host, or whose pid now belongs to another process', async () => {
    const lake = makeTempDir();
    plantLock(lake, {});
    const first = await acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    await first.release();
    // This process's pid, but recorded with another start time: the pid was reused.
    plantLock(lake, { pid: process.pid, pidStart: '1' });
    const second = await acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    expect(JSON.parse(readFileSync(new LakeLayout(lake).lockPath, 'utf8')).token).toBe(second.holder.token);
    await second.release();
  });

  it('never takes over a live holder, nor a holder on another host, and says who holds it', async () => {
    const lake = makeTempDir();
    plantLock(lake, { pid: process.pid, pidStart: processStart(process.pid) });
    await expect(acquireBuildLock(new LakeLayout(lake).lockPath, 'test')).rejects.toThrow(new RegExp(`^another build is running \\(pid ${process.pid} on ${hostname()}, since `));
    plantLock(lake, { host: 'another-machine' });
    const refusal = acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    await expect(refusal).rejects.toBeInstanceOf(BuildLockedError);
    await expect(refusal).rejects.toThrow(/\(pid 4194311 on another-machine, since 2026-01-01T00:00:00\.000Z\) on this lake; wait for it to finish, or remove .*build\.lock if that process is gone/);
  });

  it('on release removes only its own lock', async () => {
    const lake = makeTempDir();
    const lock = await acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    // Someone broke this lock and took it: releasing the old one must leave theirs.
    const theirs = plantLock(lake, { pid: process.pid, token: 'theirs' });
    await lock.release();
    expect(JSON.parse(readFileSync(theirs, 'utf8')).token).toBe('theirs');
  });

  it('is released when a build fails to start after taking it, so the next build runs', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const begin = target.begin.bind(target);
    target.begin = async (version) => {
      await begin(version);
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    await expect(runBuild(target)).rejects.toThrow('EACCES');
    expect(existsSync(new LakeLayout(lake).lockPath)).toBe(false);
    await expect(buildLake(landing, lake)).resolves.toBeDefined();
    expect((await manifestOf(lake))!.versions).toHaveLength(1);
  });
});
