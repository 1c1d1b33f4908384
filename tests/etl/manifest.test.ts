import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDbEngine } from '../../etl/engine/duckdb/duckdb-engine';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { ManifestError, parseManifest, publish } from '../../etl/manifest';
import { BUILT_TABLES } from '../../etl/tables';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { manifestOfVersions, versionEntry } from '../helpers/manifest-fixture';

const V1 = '20260101t000000000z_aaaa';
const V2 = '20260102t000000000z_bbbb';
const V3 = '20260103t000000000z_cccc';

describe('the manifest schema', () => {
  it('accepts what a build writes, of format 1 or 2', () => {
    const good = manifestOfVersions(V2, V1);
    expect(parseManifest(JSON.stringify(good), 'm')).toEqual(good);
    expect(parseManifest(JSON.stringify({ ...good, formatVersion: 1 }), 'm').versions).toHaveLength(2);
  });

  it('accepts quarantine reasons per source, and landing counts without them (older builds)', () => {
    const entry = versionEntry(V1);
    entry.landingCounts.customer = { lines: 3, accepted: 1, quarantined: 2, quarantineReasons: [{ reason: 'malformed JSON', count: 2 }] };
    const withReasons = { formatVersion: 2 as const, versions: [entry] };
    expect(parseManifest(JSON.stringify(withReasons), 'm')).toEqual(withReasons);
    expect(parseManifest(JSON.stringify(manifestOfVersions(V1)), 'm').versions[0].landingCounts.customer.quarantineReasons).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"formatVersion": 2,', /is not valid JSON/],
    ['a newer format', JSON.stringify({ ...manifestOfVersions(V1), formatVersion: 3 }), /formatVersion must be 1 or 2 \(found 3\); a newer stedi wrote it: upgrade/],
    ['a version twice', JSON.stringify(manifestOfVersions(V1, V1)), /manifest\.versions names 20260101t000000000z_aaaa twice/],
    ['a version id that is a path', JSON.stringify({ formatVersion: 2, versions: [versionEntry('../../etc')] }), /manifest\.versions\[0\]\.version must be a version id/],
    ['a missing table', JSON.stringify({ formatVersion: 2, versions: [{ ...versionEntry(V1), tables: { customer_trusted: { rows: 1, location: 'x' } } }] }), /tables\.customer_landing must be an object \(found undefined\)/],
    ['a bad checksum', JSON.stringify({ formatVersion: 2, versions: [{ ...versionEntry(V1), tables: { ...versionEntry(V1).tables, customer_trusted: { rows: 1, location: 'x', sha256: 'abc' } } }] }), /customer_trusted\.sha256 must be a hex SHA-256/],
    [
      'a quarantine reason without a count',
      JSON.stringify({ formatVersion: 2, versions: [{ ...versionEntry(V1), landingCounts: { ...versionEntry(V1).landingCounts, customer: { lines: 1, accepted: 0, quarantined: 1, quarantineReasons: [{ reason: 'malformed JSON' }] } } }] }),
      /landingCounts\.customer\.quarantineReasons\[0\]\.count must be a whole number/,
    ],
    ['an unknown top-level field', JSON.stringify({ ...manifestOfVersions(V1), extra: true }), /manifest has an unknown field "extra"/],
  ])('refuses %s with one line naming the file, the problem and the fix', (_what, text, why) => {
    let error: unknown;
    try {
      parseManifest(text, '/lake/_stedi/manifest.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    const message = (error as Error).message;
    expect(message).toMatch(why);
    expect(message.startsWith('the lake manifest /lake/_stedi/manifest.json ')).toBe(true);
    expect(message).toMatch(/run `stedi build` \(it keeps the broken file beside it and deletes no data\)$/);
    expect(message).not.toContain('\n');
  });
});

describe('publishing a version', () => {
  it('puts the new version first, keeps `keep`, and expires damaged versions whatever their age', () => {
    const { manifest, expired } = publish(manifestOfVersions(V2, V1), versionEntry(V3), 3, new Set([V2]));
    expect(manifest.versions.map((v) => v.version)).toEqual([V3, V1]);
    expect(expired.map((v) => v.version)).toEqual([V2]);
    expect(manifest.formatVersion).toBe(2);
    expect(publish(manifestOfVersions(V2, V1), versionEntry(V3), 2).expired.map((v) => v.version)).toEqual([V1]);
  });
});

describe('a relocatable lake', () => {
  it('records every path relative to the lake folder, and the landing folder relative when inside it', async () => {
    const lake = makeTempDir('stedi-rel-');
    writeSmallLanding(lake);
    await buildLake(lake, lake);
    const text = readFileSync(new LakeLayout(lake).manifestPath, 'utf8');
    expect(text).not.toContain(lake);
    const [live] = JSON.parse(text).versions;
    expect(live.landing).toBe('.');
    expect(live.tables.customer_trusted.location).toBe(`customer/trusted/v=${live.version}/customer_trusted.parquet`);
    expect(live.tables.customer_landing.location).toBe('customer/landing');
    expect(live.tables.customer_trusted).toEqual({ rows: 2, location: expect.any(String), bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('records a landing folder outside the lake that was named relative to the working directory as an absolute path', async () => {
    const landing = writeSmallLanding();
    const lake = join(makeTempDir('stedi-rel-out-'), 'lake');
    // The engine's own callers (the bench, scripts) may pass a relative path; read back, a relative path means "inside the lake".
    await buildLake(relative(process.cwd(), landing), lake);
    const [live] = JSON.parse(readFileSync(new LakeLayout(lake).manifestPath, 'utf8')).versions;
    expect(live.landing).toBe(landing);
    expect(live.tables.customer_landing.location).toBe(join(landing, 'customer', 'landing'));
    expect(new LakeLayout(lake).recorded('data')).toBe(join(process.cwd(), 'data'));
  });

  it('reads a format-1 manifest of absolute paths after the lake moved, and the next build rewrites it relative', async () => {
    const parent = makeTempDir('stedi-old-');
    const lake = join(parent, 'before');
    mkdirSync(lake);
    writeSmallLanding(lake);
    const first = await buildLake(lake, lake);
    // What an earlier release wrote: format 1, absolute paths, no checksums.
    const layout = new LakeLayout(lake);
    const old = JSON.parse(readFileSync(layout.manifestPath, 'utf8'));
    old.formatVersion = 1;
    for (const v of old.versions) {
      v.landing = lake;
      v.quarantine = join(lake, v.quarantine);
      for (const t of Object.values<{ location: string; bytes?: number; sha256?: string }>(v.tables)) {
        t.location = join(lake, t.location);
        delete t.bytes;
        delete t.sha256;
      }
    }
    writeFileSync(layout.manifestPath, JSON.stringify(old));

    const moved = join(parent, 'after');
    renameSync(lake, moved);
    const engine = await DuckDbEngine.open({ lake: moved, connections: 1 });
    try {
      expect(await engine.landingLocation()).toBe(moved);
      const [row] = await engine.query(`SELECT count(*) AS n FROM ${await engine.tableRef('customer_curated', first.version)}`);
      expect(row.n).toBe(2);
      const [landing] = await engine.query(`SELECT count(*) AS n FROM ${await engine.tableRef('customer_landing', first.version)}`);
      expect(landing.n).toBe(3);
    } finally {
      await engine.close();
    }

    const engineForBuild = await DuckDbEngine.open({ lake: moved, connections: 1 });
    const { runBuild } = await import('../../etl/build');
    const second = await runBuild(await engineForBuild.buildTarget({}), {});
    await engineForBuild.close();
    const rewritten = readFileSync(new LakeLayout(moved).manifestPath, 'utf8');
    expect(JSON.parse(rewritten).formatVersion).toBe(2);
    expect(rewritten).not.toContain(lake);
    expect((await manifestOf(moved))!.versions.map((v) => [v.version, v.landing])).toEqual([
      [second.version, '.'],
      [first.version, '.'],
    ]);
    const at = new LakeLayout(moved);
    for (const table of BUILT_TABLES) expect(JSON.parse(rewritten).versions[1].tables[table].location).toBe(at.recorded(at.tableFile(table, first.version)));
    expect(JSON.parse(rewritten).versions[1].tables.customer_trusted.location).toBe(`customer/trusted/v=${first.version}/customer_trusted.parquet`);
  });
});
