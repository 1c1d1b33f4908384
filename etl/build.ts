import { randomBytes } from 'node:crypto';
import type { BuildOptions, BuildStep } from './build-options';
import { DEFAULT_CONSENT_POLICY } from './consent-policy';
import { AMBIGUOUS_SERIALS_SQL, checksFor } from './checks';
import type { BuildTarget, UniqueKey } from './engine/build-target';
import { type CheckResult, type LakeManifest, type LandingCount, ManifestError, publish, type VersionManifest } from './manifest';
import { runSchedule, tablesNamedBy } from './build-schedule';
import { landingAccounted, runChecks } from './run-checks';
import { BUILT_TABLES, type BuiltTable, CONSENT_UNCERTAIN_TABLE, SOURCES, type Source, TABLES, type TableName, landingTableOf } from './tables';
import { newVersionId } from './version';
import { zoneSql } from './zone-sql';

/**
 * One build: landing → trusted → curated as a new version, checked, then
 * switched live in one atomic step. Until that step nothing a reader sees
 * changes; if anything fails the new version's data is removed.
 */

export type { BuildOptions, BuildProgress, BuildStep } from './build-options';

export const DEFAULT_VERSIONS_KEPT = 3;

export class BuildCheckError extends Error {
  constructor(readonly failed: CheckResult[]) {
    super(`the build failed its checks, so the previous version stays live: ${failed.map((c) => `${c.description} (${c.violations} violations)`).join('; ')}`);
    this.name = 'BuildCheckError';
  }
}

export const BUILD_STEP_COUNT = SOURCES.length + BUILT_TABLES.length + 2;

export async function runBuild(target: BuildTarget, options: BuildOptions = {}): Promise<VersionManifest> {
  const consentPolicy = options.consentPolicy ?? DEFAULT_CONSENT_POLICY;
  const keep = options.keepVersions ?? DEFAULT_VERSIONS_KEPT;
  const version = newVersionId(new Date());
  let completed = 0;
  const step = async <T>(s: BuildStep, work: () => Promise<T>): Promise<T> => {
    options.onProgress?.({ step: s, completed, total: BUILD_STEP_COUNT, done: false });
    const result = await work();
    completed += 1;
    options.onProgress?.({ step: s, completed, total: BUILD_STEP_COUNT, done: true, rows: rowsOf(result) });
    return result;
  };

  try {
    await target.begin(version);
  } catch (error) {
    // A start that fails after taking the lock must still release it.
    await target.end();
    throw error;
  }
  try {
    // Timed from when the lock is held, so [startedAt, builtAt] lies inside this build's hold of it.
    const started = new Date();
    // Its duration on the monotonic clock: a wall clock stepped back meanwhile made it negative, a manifest no read accepted.
    const startedMs = performance.now();
    const landingCounts = {} as Record<Source, LandingCount>;
    const tables = {} as VersionManifest['tables'];
    const landings = SOURCES.map((source) => ({
      // consent_uncertain is written beside customer_landing, by the same load.
      tables: source === 'customer' ? [landingTableOf(source), CONSENT_UNCERTAIN_TABLE] : [landingTableOf(source)],
      load: step({ kind: 'landing', source }, () => target.loadLanding(source)).then((counted) => {
        landingCounts[source] = counted;
        tables[landingTableOf(source)] = { rows: counted.accepted, location: target.location(landingTableOf(source)) };
      }),
    }));
    const checks = checksFor(consentPolicy);
    const checkItems: Array<{ select: string; unique?: UniqueKey }> = [...checks.map((c) => ({ select: c.sql, unique: c.unique })), { select: AMBIGUOUS_SERIALS_SQL }];
    const readsOf = (k: number): string[] => tablesNamedBy(checkItems[k].select);
    // Eager: each statement as soon as what it reads is ready. Otherwise one at a time, in catalogue order, after every landing source.
    const eager = (target.concurrentSteps ?? 0) > 0 && target.violationsOfAll !== undefined;
    const landingTables = landings.flatMap((l) => l.tables);
    // A file is hashed while the next steps run (the hashes are read on other threads); all are in before publishing.
    const checksums: Array<Promise<void>> = [];
    const zones = BUILT_TABLES.map((table, k) => {
      const sql = zoneSql({ ...TABLES[table], name: table });
      // A zone reads landing tables and earlier zones only.
      const earlier: readonly string[] = BUILT_TABLES.slice(0, k);
      const reads = tablesNamedBy(sql.text).filter((t) => landingTables.includes(t) || earlier.includes(t));
      const needs = eager ? reads : [...landingTables, ...earlier.slice(-1)];
      const run = async (): Promise<void> => {
        const params = Array.from({ length: sql.parameterCount }, () => consentPolicy);
        const rows = await step({ kind: 'table', table }, () => target.materialize(table, sql.text, params));
        tables[table] = { rows, location: target.location(table) };
        const hashing = target.checksum?.(table).then((sum) => void Object.assign(tables[table], sum));
        if (hashing) checksums.push(hashing);
        hashing?.catch(() => undefined);
      };
      return { table, needs, reads, run };
    });
    // One statement of checks per zone, those whose last zone read (in catalogue order) it is: each runs beside the zones after it.
    const found = new Array<number>(checkItems.length);
    const lastZone = (k: number): number => Math.max(0, ...readsOf(k).map((t) => BUILT_TABLES.indexOf(t as BuiltTable)));
    // Checks with a lane of their own beside the zones: a uniqueness check (a whole table's hash aggregate) is a statement of its own, so two can run at once.
    const beside = eager && (target.concurrentZones ?? Infinity) < target.concurrentSteps!;
    const apart = (group: number[]): number[][] => (beside ? [...group.filter((k) => checkItems[k].unique).map((k) => [k]), group.filter((k) => !checkItems[k].unique)] : [group]);
    const groups = eager ? BUILT_TABLES.flatMap((_, z) => apart(checkItems.map((_, k) => k).filter((k) => lastZone(k) === z))).filter((g) => g.length > 0) : [];
    let groupsLeft = groups.length;
    let checksDone!: () => void;
    const allChecked = new Promise<void>((resolve) => (checksDone = resolve));
    let checking: Promise<void> | undefined;
    const checkSteps = groups.map((group) => {
      const reads = [...new Set(group.flatMap(readsOf))];
      const run = async (): Promise<void> => {
        checking ??= step({ kind: 'checks' }, () => allChecked);
        const counts = await target.violationsOfAll!(group.map((k) => checkItems[k]));
        group.forEach((k, j) => (found[k] = counts[j]));
        if ((groupsLeft -= 1) === 0) checksDone();
      };
      return { needs: reads, reads, run };
    });
    await runSchedule({
      limit: eager ? target.concurrentSteps! : 1,
      tableLimit: eager ? target.concurrentZones : undefined,
      landings,
      steps: [...zones, ...checkSteps],
      releasable: SOURCES.map(landingTableOf),
      // Run after the zones, the checks still read the landing tables they name.
      keep: eager ? [] : tablesNamedBy(checkItems.map((c) => c.select).join('\n')),
      release: async (table) => target.releaseLanding?.(table as TableName),
    });
    if (checking) await checking;
    const { checks: results, ambiguousSerials } = eager
      ? { checks: [...landingAccounted(landingCounts), ...checks.map((c, k) => ({ name: c.name, description: c.description, violations: found[k] }))], ambiguousSerials: found[checks.length] }
      : await step({ kind: 'checks' }, () => runChecks(target, consentPolicy, landingCounts));
    const failed = results.filter((c) => c.violations > 0);
    if (failed.length > 0) throw new BuildCheckError(failed);
    await Promise.all(checksums);

    const manifest: VersionManifest = {
      version,
      engine: target.engine,
      consentPolicy,
      landing: target.landing,
      startedAt: started.toISOString(),
      builtAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
      tables,
      landingCounts,
      ambiguousSerials,
      quarantine: target.location('quarantine'),
      checks: results,
      cursorKey: randomBytes(24).toString('base64url'),
    };
    await step({ kind: 'publish' }, async () => {
      const previous = await readPrevious(target);
      const damaged = previous && target.damagedVersions ? await target.damagedVersions(previous) : new Set<string>();
      const next = publish(previous, manifest, keep, damaged);
      // The erasure bound: older kept versions still holding a customer who withdrew consent expire now.
      const doomed = new Set(await (options.expireVersions?.(next.manifest.versions.slice(1), manifest) ?? []));
      doomed.delete(manifest.version);
      const kept = next.manifest.versions.filter((v) => !doomed.has(v.version));
      const expired = [...next.expired, ...next.manifest.versions.filter((v) => doomed.has(v.version))];
      await options.beforePublish?.(manifest);
      await target.publish({ ...next.manifest, versions: kept }, expired);
    });
    return manifest;
  } catch (error) {
    await target.abandon();
    throw target.explainFailure ? target.explainFailure(error) : error;
  } finally {
    await target.end();
  }
}

/** The manifest to publish over. One that fails its schema is set aside (kept, not deleted) when the target can. */
async function readPrevious(target: BuildTarget): Promise<LakeManifest | null> {
  try {
    return await target.readManifest();
  } catch (error) {
    if (!(error instanceof ManifestError) || !target.setAsideManifest) throw error;
    return target.setAsideManifest();
  }
}

function rowsOf(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (result && typeof result === 'object' && 'accepted' in result) return (result as LandingCount).accepted;
  return undefined;
}
