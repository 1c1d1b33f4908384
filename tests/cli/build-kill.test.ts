import { cpSync, existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../etl/engine/duckdb/duckdb-engine';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES, type BuiltTable } from '../../etl/tables';
import { buildLake, manifestOf, rowCounts } from '../helpers/etl-lake';
import { makeTempDir } from '../helpers/landing-fixture';
import { waitForLakeState } from '../helpers/lake-state-wait';
import { spawnBin } from '../helpers/spawn-cli';
import { REFERENCE_COUNTS, STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';

/**
 * `kill -9` of a `bin/stedi.js build` at ten points, seen from outside in the
 * lake folder: after each, the live version is whole, nothing reads as
 * damaged, and the next build succeeds and removes what the killed one left.
 */

type Point = { name: string; reached: (layout: LakeLayout, before: ReadonlySet<string>) => boolean };

const newVersion = (layout: LakeLayout, before: ReadonlySet<string>): string | undefined =>
  (existsSync(layout.buildsDir) ? readdirSync(layout.buildsDir) : []).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).find((v) => !before.has(v));
const tableWritten = (table: BuiltTable): Point => ({
  name: `writing ${table}`,
  reached: (layout, before) => {
    const version = newVersion(layout, before);
    return version !== undefined && existsSync(layout.tableFile(table, version));
  },
});
const manifestVersions = (layout: LakeLayout): string[] => {
  try {
    return (JSON.parse(readFileSync(layout.manifestPath, 'utf8')) as { versions: Array<{ version: string }> }).versions.map((v) => v.version);
  } catch {
    return [];
  }
};

const POINTS: Point[] = [
  { name: 'lock taken', reached: (layout) => existsSync(layout.lockPath) },
  { name: 'build recorded, reading landing', reached: (layout, before) => newVersion(layout, before) !== undefined },
  ...BUILT_TABLES.map(tableWritten),
  {
    name: 'publishing: expiry recorded',
    reached: (layout, before) => {
      const version = newVersion(layout, before);
      if (!version) return false;
      try {
        return (JSON.parse(readFileSync(layout.buildRecord(version), 'utf8')) as { expiring: string[] }).expiring.length > 0;
      } catch {
        return false;
      }
    },
  },
  { name: 'published, expired versions not yet removed', reached: (layout, before) => manifestVersions(layout).some((v) => !before.has(v)) },
  {
    name: 'removing expired versions',
    reached: (layout, before) => [...before].some((v) => !existsSync(layout.versionDir('customer_trusted', v))),
  },
];

// Every test starts from the same first build of the sample (how many versions a build keeps is no part of the lake):
// it is built once, on first use, and each test takes a cp -r copy of it.
let sampleTemplate: string | undefined;
async function builtSampleLake(prefix: string): Promise<{ lake: string; version: string }> {
  if (sampleTemplate === undefined) {
    const template = makeTempDir('stedi-kill-template-');
    await buildLake(STEDI_SAMPLE_DIR, template, { keepVersions: 1 });
    sampleTemplate = template;
  }
  const lake = makeTempDir(prefix);
  cpSync(sampleTemplate, lake, { recursive: true });
  return { lake, version: manifestVersions(new LakeLayout(lake))[0] };
}

/** Starts a build and kills it with SIGKILL once `point` is seen; false if the build finished first. */
async function killAt(point: Point, lake: string, before: ReadonlySet<string>): Promise<boolean> {
  const layout = new LakeLayout(lake);
  const build = spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake, '--keep', '1', '--json']);
  if (await waitForLakeState(lake, () => point.reached(layout, before), build.exited)) build.child.kill('SIGKILL');
  await build.exited;
  return build.child.signalCode === 'SIGKILL';
}

describeWithStediSample('a build killed with SIGKILL', () => {
  jest.setTimeout(600_000);

  it('loses no live row at any of ten points, and the next build cleans up after it', async () => {
    expect(POINTS).toHaveLength(10);
    const { lake } = await builtSampleLake('stedi-kill-');
    const layout = new LakeLayout(lake);

    for (const point of POINTS) {
      const before = new Set(manifestVersions(layout));
      let killed = false;
      // A point is a moment in a running build; a build that got past it before the kill landed is tried again.
      for (let attempt = 0; attempt < 4 && !killed; attempt += 1) killed = await killAt(point, lake, before);
      expect({ point: point.name, killed }).toEqual({ point: point.name, killed: true });

      // The live version (the previous one, or the new one once published) is whole and reads as such.
      const manifest = (await manifestOf(lake))!;
      expect(rowCounts(manifest.versions[0])).toEqual(REFERENCE_COUNTS.any);
      const engine = await DuckDbEngine.open({ lake, connections: 1 });
      try {
        for (const v of manifest.versions) expect({ point: point.name, damage: await engine.verifyVersion(v) }).toEqual({ point: point.name, damage: null });
        const [row] = await engine.query(`SELECT count(*) AS n FROM ${await engine.tableRef('machine_learning_curated', manifest.versions[0].version)}`);
        expect(row.n).toBe(REFERENCE_COUNTS.any.machine_learning_curated);
      } finally {
        await engine.close();
      }

      // The next build takes over the dead build's lock and leaves only what the manifest keeps.
      const next = await buildLake(STEDI_SAMPLE_DIR, lake, { keepVersions: 1 });
      expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([next.version]);
      for (const table of BUILT_TABLES) expect({ point: point.name, table, folders: readdirSync(layout.tableRoot(table)) }).toEqual({ point: point.name, table, folders: [`v=${next.version}`] });
      expect(readdirSync(join(lake, '_stedi')).filter((f) => f !== 'manifest.json' && f !== 'manifest.copy.json' && f !== 'builds')).toEqual([]);
      expect(existsSync(layout.buildsDir) ? readdirSync(layout.buildsDir) : []).toEqual([]);
    }
  });
});

describeWithStediSample('a build killed with SIGKILL after publishing, under an older copy of the manifest', () => {
  jest.setTimeout(600_000);

  it.each([
    ['', false],
    [', though its record was written under a clock an hour ahead (since set right)', true],
  ])('keeps the version it published, as status says, when the manifest it replaced is restored over its own%s', async (_clock, ahead) => {
    const { lake } = await builtSampleLake('stedi-kill-restore-');
    const layout = new LakeLayout(lake);
    const published: Point = {
      name: 'published, its record not yet removed',
      reached: (l, before) => manifestVersions(l).some((v) => !before.has(v) && existsSync(l.buildRecord(v))),
    };
    // The kill lands before the record goes in some tries only: each try that missed has published as usual.
    let fresh: string | undefined;
    let copy = readFileSync(layout.manifestPath);
    for (let attempt = 0; attempt < 8 && fresh === undefined; attempt += 1) {
      copy = readFileSync(layout.manifestPath);
      const before = new Set(manifestVersions(layout));
      await killAt(published, lake, before);
      fresh = manifestVersions(layout).find((v) => !before.has(v) && existsSync(layout.buildRecord(v)));
    }
    expect(fresh).toBeDefined();
    if (ahead) utimesSync(layout.buildRecord(fresh!), new Date(Date.now() + 3_600_000), new Date(Date.now() + 3_600_000));
    writeFileSync(layout.manifestPath, copy);

    const next = await spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake, '--keep', '1']).exited;
    expect(next).toBe(0);
    for (const table of BUILT_TABLES) expect({ table, kept: existsSync(layout.tableFile(table, fresh!)) }).toEqual({ table, kept: true });
    const status = spawnBin(['status', '--lake', lake, '--json']);
    expect(await status.exited).toBe(0);
    expect(JSON.parse(status.stdout()).unlistedVersions).toEqual([fresh]);
  });
});

describeWithStediSample('a build interrupted with Ctrl+C', () => {
  jest.setTimeout(120_000);

  it('says so in one line, exits 130, leaves the live version as it was, and the next build removes what it left', async () => {
    const { lake, version: live } = await builtSampleLake('stedi-interrupt-');
    const layout = new LakeLayout(lake);
    const before = new Set([live]);
    const build = spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake, '--json']);
    expect(await waitForLakeState(lake, () => newVersion(layout, before) !== undefined, build.exited)).toBe(true);
    build.child.kill('SIGINT');
    expect(await build.exited).toBe(130);
    expect(build.stdout()).toBe('');
    expect(build.stderr()).toBe("stedi: build interrupted (SIGINT); nothing was published, the lake is as it was; the next build removes this one's partial files\n");
    expect(manifestVersions(layout)).toEqual([live]);
    const left = newVersion(layout, before)!;
    const next = await buildLake(STEDI_SAMPLE_DIR, lake);
    expect(existsSync(layout.buildRecord(left))).toBe(false);
    expect(existsSync(layout.versionDir('customer_trusted', left))).toBe(false);
    expect(manifestVersions(layout)).toEqual([next.version, live]);
  });
});

describeWithStediSample('a build killed with SIGKILL after publishing, its record then zeroed', () => {
  jest.setTimeout(600_000);

  it('has the next build remove the versions it expired (held customers may have withdrawn consent), and status calls none unlisted', async () => {
    const { lake } = await builtSampleLake('stedi-kill-zeroed-');
    const layout = new LakeLayout(lake);
    const published: Point = {
      name: 'published, the version it expired not yet removed',
      reached: (l, before) => manifestVersions(l).some((v) => !before.has(v)) && [...before].every((v) => existsSync(l.tableFile('customer_trusted', v))),
    };
    // The kill lands before the expired version goes in some tries only: each try that missed has published as usual.
    let expired: string | undefined;
    let fresh: string | undefined;
    for (let attempt = 0; attempt < 8 && expired === undefined; attempt += 1) {
      const before = new Set(manifestVersions(layout));
      await killAt(published, lake, before);
      fresh = manifestVersions(layout).find((v) => !before.has(v) && existsSync(layout.buildRecord(v)));
      expired = [...before].find((v) => fresh !== undefined && BUILT_TABLES.every((table) => existsSync(layout.tableFile(table, v))));
    }
    expect(expired).toBeDefined();
    // A crash lost the record's content (its name stays).
    writeFileSync(layout.buildRecord(fresh!), Buffer.alloc(120));

    const engine = await DuckDbEngine.open({ lake, connections: 1 });
    try {
      // The server counts it as pending erasure, so its own rebuild removes it within the bound.
      expect(await engine.abandonedVersions()).toEqual([expired]);
    } finally {
      await engine.close();
    }
    const before = spawnBin(['status', '--lake', lake, '--json']);
    expect(await before.exited).toBe(0);
    expect(JSON.parse(before.stdout()).unlistedVersions).toEqual([]);
    const next = await spawnBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake, '--keep', '2']).exited;
    expect(next).toBe(0);
    for (const table of BUILT_TABLES) expect({ table, left: existsSync(layout.versionDir(table, expired!)), kept: existsSync(layout.tableFile(table, fresh!)) }).toEqual({ table, left: false, kept: true });
    expect(existsSync(layout.buildsDir) ? readdirSync(layout.buildsDir) : []).toEqual([]);
    const after = spawnBin(['status', '--lake', lake, '--json']);
    expect(await after.exited).toBe(0);
    expect(JSON.parse(after.stdout()).unlistedVersions).toEqual([]);
  });
});
