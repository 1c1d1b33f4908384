import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BuildCheckError, runBuild } from '../../etl/build';
import { checksFor } from '../../etl/checks';
import { DEFAULT_CONSENT_POLICY } from '../../etl/consent-policy';
import { BUILT_TABLES, SOURCES } from '../../etl/tables';
import { BuildLockedError, acquireBuildLock } from '../../etl/engine/duckdb/build-lock';
import { DuckDbBuildTarget } from '../../etl/engine/duckdb/duckdb-build-target';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { buildLake, manifestOf, readTable, rowCounts, tableFile } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

const versionDirs = (lake: string): string[] => readdirSync(join(lake, 'machine_learning', 'curated')).sort();

/** The target as an engine without violationsOfAll (Athena) drives it: one violations() call per check. */
const oneByOne = (target: DuckDbBuildTarget): DuckDbBuildTarget => Object.assign(target, { violationsOfAll: undefined });

describe('versioned builds', () => {
  it('gives the same counts on a re-run and keeps exactly one live version', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const first = await buildLake(landing, lake);
    const second = await buildLake(landing, lake);
    expect(rowCounts(second)).toEqual(rowCounts(first));
    const manifest = await manifestOf(lake);
    expect(manifest?.versions.map((v) => v.version)).toEqual([second.version, first.version]);
    expect(await readTable(second, 'machine_learning_curated')).toHaveLength(first.tables.machine_learning_curated.rows);
  });

  it('keeps only the newest versions and removes the data of older ones', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const built = [];
    for (let i = 0; i < 4; i += 1) built.push(await buildLake(landing, lake, { keepVersions: 2 }));
    expect((await manifestOf(lake))?.versions.map((v) => v.version)).toEqual([built[3].version, built[2].version]);
    expect(versionDirs(lake)).toEqual([`v=${built[2].version}`, `v=${built[3].version}`]);
    expect(existsSync(tableFile(built[0], 'customer_trusted'))).toBe(false);
  });

  it('leaves the previous version live and unchanged when a build fails half way', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const previous = await buildLake(landing, lake);
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const materialize = target.materialize.bind(target);
    target.materialize = async (table, select, params) => {
      if (table === 'customer_curated') throw new Error('disk full');
      return materialize(table, select, params);
    };
    await expect(runBuild(target)).rejects.toThrow('disk full');
    const manifest = await manifestOf(lake);
    expect(manifest?.versions.map((v) => v.version)).toEqual([previous.version]);
    expect(rowCounts(manifest!.versions[0])).toEqual(rowCounts(previous));
    expect(await readTable(previous, 'machine_learning_curated')).toHaveLength(previous.tables.machine_learning_curated.rows);
    expect(versionDirs(lake)).toEqual([`v=${previous.version}`]);
    expect(readdirSync(join(lake, 'customer', 'trusted'))).toEqual([`v=${previous.version}`]);
  });

  it('fails the build and switches nothing when a check finds a violation', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const previous = await buildLake(landing, lake);
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const violationsOfAll = target.violationsOfAll.bind(target);
    target.violationsOfAll = async (checks) => (await violationsOfAll(checks)).map((n, k) => (checks[k].select.includes('machine_learning_curated AS m') ? 3 : n));
    const failure = runBuild(target);
    await expect(failure).rejects.toBeInstanceOf(BuildCheckError);
    await expect(failure).rejects.toThrow('every training sample pairs the step trainer and the phone of the same curated customer (3 violations)');
    expect((await manifestOf(lake))?.versions.map((v) => v.version)).toEqual([previous.version]);
  });

  it('runs the checks in one statement per zone, beside the zones after it, and reports each with its own count, in the catalogue order', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const violationsOfAll = target.violationsOfAll.bind(target);
    const asked: string[][] = [];
    target.violationsOfAll = async (checks) => {
      asked.push(checks.map((c) => c.select));
      return violationsOfAll(checks);
    };
    const built = await runBuild(target);
    // The checks and the ambiguous-serial count, each asked once, grouped by the last zone each reads.
    expect(asked.flat()).toHaveLength(checksFor(DEFAULT_CONSENT_POLICY).length + 1);
    expect(new Set(asked.flat()).size).toBe(asked.flat().length);
    const lastZoneOf = (select: string): number => Math.max(0, ...BUILT_TABLES.map((t, z) => (new RegExp(`\\b${t}\\b`).test(select) ? z : -1)));
    const zonesOfGroups = asked.map((group) => new Set(group.map(lastZoneOf)));
    expect(zonesOfGroups.every((zones) => zones.size === 1)).toBe(true);
    expect(new Set(zonesOfGroups.map((zones) => [...zones][0])).size).toBe(asked.length);
    const names = [...SOURCES.map((s) => `${s}_landing_accounted`), ...checksFor(DEFAULT_CONSENT_POLICY).map((c) => c.name)];
    expect(built.checks.map((c) => c.name)).toEqual(names);
    expect(built.checks.every((c) => c.violations === 0)).toBe(true);
    const failing = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const real = failing.violationsOfAll.bind(failing);
    failing.violationsOfAll = async (checks) => (await real(checks)).map((n, k) => (checks[k].select.includes('step_trainer_trusted AS r WHERE r."serialNumber" NOT IN') ? 2 : n));
    await expect(runBuild(failing)).rejects.toThrow('every trusted step trainer reading belongs to a curated customer (2 violations)');
  });

  it('starts each zone once what it reads is built, two at a time on a small landing, and in the old order beside a serving process', async () => {
    const landing = writeSmallLanding();
    // `together`: zones each held, once built, until all have started (at most 10 s), so whether the
    // schedule lets them run at once does not hang on which finishes first on a tiny landing.
    const watch = (target: DuckDbBuildTarget, together: readonly string[] = []): { log: string[]; most: () => number } => {
      const log: string[] = [];
      let running = 0;
      let most = 0;
      const started = new Set<string>();
      const allStarted = (): Promise<void> =>
        new Promise((resolve) => {
          const deadline = Date.now() + 10_000;
          const poll = (): void => void (together.every((t) => started.has(t)) || Date.now() > deadline ? resolve() : setTimeout(poll, 5));
          poll();
        });
      const load = target.loadLanding.bind(target);
      target.loadLanding = async (source) => {
        const counted = await load(source);
        log.push(`loaded ${source}`);
        return counted;
      };
      const materialize = target.materialize.bind(target);
      target.materialize = async (table, select, params) => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${table}`);
        started.add(table);
        try {
          const made = await materialize(table, select, params);
          if (together.includes(table)) await allStarted();
          return made;
        } finally {
          running -= 1;
          log.push(`end ${table}`);
        }
      };
      return { log, most: () => most };
    };
    const eager = new DuckDbBuildTarget(new LakeLayout(makeTempDir(), landing));
    const seen = watch(eager, ['step_trainer_trusted', 'customer_curated']);
    const built = await runBuild(eager);
    expect(eager.concurrentSteps).toBe(2);
    // step_trainer_trusted and customer_curated both wait for accelerometer_trusted only, and run together.
    expect(seen.most()).toBe(2);
    for (const table of ['step_trainer_trusted', 'customer_curated']) expect(seen.log.indexOf(`start ${table}`)).toBeGreaterThan(seen.log.indexOf('end accelerometer_trusted'));
    expect(seen.log.indexOf('start accelerometer_trusted')).toBeGreaterThan(seen.log.indexOf('loaded accelerometer'));
    const background = new DuckDbBuildTarget(new LakeLayout(makeTempDir(), landing), { background: true });
    const old = watch(background);
    const rebuilt = await runBuild(background);
    expect(background.concurrentSteps).toBeUndefined();
    expect(old.most()).toBe(1);
    const firstZone = old.log.findIndex((line) => line.startsWith('start'));
    expect(old.log.slice(0, firstZone).filter((line) => line.startsWith('loaded'))).toHaveLength(SOURCES.length);
    expect(old.log.filter((line) => line.startsWith('start'))).toEqual(BUILT_TABLES.map((t) => `start ${t}`));
    // The same rows either way.
    expect(Object.fromEntries(Object.entries(rebuilt.tables).map(([t, v]) => [t, v.rows]))).toEqual(Object.fromEntries(Object.entries(built.tables).map(([t, v]) => [t, v.rows])));
  });

  it('runs the checks two at a time and reports each with its own count, in the catalogue order, on an engine that runs them one by one', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const target = oneByOne(new DuckDbBuildTarget(new LakeLayout(lake, landing)));
    expect(target.checkConcurrency).toBe(2);
    const violations = target.violations.bind(target);
    let running = 0;
    let most = 0;
    // Every other check answers late, so answers arrive out of order.
    target.violations = async (sql, unique) => {
      running += 1;
      most = Math.max(most, running);
      try {
        const count = await violations(sql, unique);
        if (sql.length % 2 === 0) await new Promise((r) => setTimeout(r, 20));
        return count;
      } finally {
        running -= 1;
      }
    };
    const built = await runBuild(target);
    expect(most).toBe(2);
    const names = [...SOURCES.map((s) => `${s}_landing_accounted`), ...checksFor(DEFAULT_CONSENT_POLICY).map((c) => c.name)];
    expect(built.checks.map((c) => c.name)).toEqual(names);
    expect(built.checks.every((c) => c.violations === 0)).toBe(true);
    // One check failing among concurrent ones still fails the build, named with its count.
    const failing = oneByOne(new DuckDbBuildTarget(new LakeLayout(lake, landing)));
    const real = failing.violations.bind(failing);
    failing.violations = async (sql, unique) => (sql.includes('step_trainer_trusted AS r WHERE r."serialNumber" NOT IN') ? 2 : real(sql, unique));
    await expect(runBuild(failing)).rejects.toThrow('every trusted step trainer reading belongs to a curated customer (2 violations)');
  });

  it('waits for the other running check before giving up a build whose check query failed', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const previous = await buildLake(landing, lake);
    const target = oneByOne(new DuckDbBuildTarget(new LakeLayout(lake, landing)));
    const violations = target.violations.bind(target);
    const asked: string[] = [];
    let slowDone = false;
    target.violations = async (sql, unique) => {
      asked.push(sql);
      if (asked.length === 1) {
        // The first check is still running when the second one fails.
        await new Promise((r) => setTimeout(r, 50));
        const count = await violations(sql, unique);
        slowDone = true;
        return count;
      }
      throw new Error('check query failed');
    };
    await expect(runBuild(target)).rejects.toThrow('check query failed');
    expect(slowDone).toBe(true);
    // No further check starts once one has failed.
    expect(asked).toHaveLength(2);
    expect((await manifestOf(lake))?.versions.map((v) => v.version)).toEqual([previous.version]);
    expect(versionDirs(lake)).toEqual([`v=${previous.version}`]);
  });

  it('runs one check at a time beside a serving process', () => {
    expect(new DuckDbBuildTarget(new LakeLayout(makeTempDir()), { background: true }).checkConcurrency).toBe(1);
  });

  it('finds duplicate keys through the engine\'s cheaper uniqueness screen', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing));
    const materialize = target.materialize.bind(target);
    // Every trusted accelerometer reading written twice.
    target.materialize = (table, select, params) =>
      table === 'accelerometer_trusted' ? materialize(table, `SELECT * FROM (${select}) UNION ALL SELECT * FROM (${select})`, [...params, ...params]) : materialize(table, select, params);
    const failure = runBuild(target);
    await expect(failure).rejects.toThrow(/accelerometer_trusted has at most one row per \(user, timestamp, x, y, z\) \([1-9]\d* violations\)/);
    expect(await manifestOf(lake)).toBeNull();
  });

  it('removes what an interrupted build left behind, without touching the live version', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const live = await buildLake(landing, lake);
    // A build killed half way leaves its folders and its record, naming a process that is gone.
    const dead = '20200101t000000000z_dead';
    mkdirSync(join(lake, 'machine_learning', 'curated', `v=${dead}`), { recursive: true });
    mkdirSync(join(lake, '_stedi', 'builds'), { recursive: true });
    const holder = { pid: 2 ** 22 + 1, host: hostname(), pidStart: null, owner: 'test', since: '', token: 'x' };
    writeFileSync(join(lake, '_stedi', 'builds', `${dead}.json`), JSON.stringify({ version: dead, holder, expiring: [] }));
    // An earlier build of this same process (a server's rebuild) that could not remove its record.
    const mine = '20200101t000000000z_0e1e'; // a version id, as every build's is (records naming anything else are not read)
    mkdirSync(join(lake, 'machine_learning', 'curated', `v=${mine}`), { recursive: true });
    writeFileSync(join(lake, '_stedi', 'builds', `${mine}.json`), JSON.stringify({ version: mine, holder: { ...holder, pid: process.pid, token: 'earlier' }, expiring: [] }));
    // A folder no build record names is not known garbage: it is kept.
    const unknown = join(lake, 'machine_learning', 'curated', 'v=20200102t000000000z_keep');
    mkdirSync(unknown, { recursive: true });
    const next = await buildLake(landing, lake);
    expect(existsSync(join(lake, 'machine_learning', 'curated', `v=${dead}`))).toBe(false);
    expect(existsSync(join(lake, '_stedi', 'builds', `${dead}.json`))).toBe(false);
    expect(existsSync(join(lake, 'machine_learning', 'curated', `v=${mine}`))).toBe(false);
    expect(existsSync(unknown)).toBe(true);
    expect(versionDirs(lake)).toEqual([`v=${live.version}`, `v=${next.version}`, 'v=20200102t000000000z_keep'].sort());
  });

  it('refuses to start a second build on the same lake while one holds the lock', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const lock = await acquireBuildLock(new LakeLayout(lake).lockPath, 'test');
    try {
      await expect(buildLake(landing, lake)).rejects.toBeInstanceOf(BuildLockedError);
      expect(await manifestOf(lake)).toBeNull();
    } finally {
      await lock.release();
    }
    await expect(buildLake(landing, lake)).resolves.toBeDefined();
  });

  it('leaves nothing behind and frees the lock when DuckDB fails to start while the landing is being parsed', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    // The landing is parsed (its files and quarantine written) while DuckDB starts: here it never does.
    const target = new DuckDbBuildTarget(new LakeLayout(lake, landing), { memoryLimit: 'not a size' });
    const loaded: string[] = [];
    const loadLanding = target.loadLanding.bind(target);
    target.loadLanding = async (source) => {
      try {
        return await loadLanding(source);
      } finally {
        loaded.push(source);
      }
    };
    await expect(runBuild(target)).rejects.toThrow();
    expect(loaded.sort()).toEqual([...SOURCES].sort());
    expect(readdirSync(lake)).toEqual([]);
    await expect(buildLake(landing, lake)).resolves.toBeDefined();
  });

  it('leaves nothing behind when one landing source fails while another is still writing its quarantine', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const layout = new LakeLayout(lake, landing);
    const target = new DuckDbBuildTarget(layout);
    const loadLanding = target.loadLanding.bind(target);
    let version = '';
    const begin = target.begin.bind(target);
    target.begin = async (v) => {
      version = v;
      await begin(v);
    };
    target.loadLanding = async (source) => {
      if (source === 'step_trainer') throw new Error('step_trainer landing unreadable');
      const counted = await loadLanding(source);
      // A slow source writes its quarantine after the failing one has already failed.
      await new Promise((r) => setTimeout(r, 100));
      mkdirSync(layout.quarantineDir(version), { recursive: true });
      writeFileSync(join(layout.quarantineDir(version), `${source}.ndjson`), '{}\n');
      return counted;
    };
    await expect(runBuild(target)).rejects.toThrow('step_trainer landing unreadable');
    // Longer than the slow source takes: anything it wrote after the build gave up would be here by now.
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(lake)).toEqual([]);
  });
});
