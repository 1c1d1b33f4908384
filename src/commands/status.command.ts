import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { BuildLockInfo, Engine } from '../../etl/engine/engine';
import { afterDamage, isLandingFolderError } from '../../etl/engine/engine-errors';
import { buildReport } from '../../etl/build-report';
import { ManifestError, liveVersion } from '../../etl/manifest';
import { shellWord } from '../../etl/shell-word';
import { SOURCES, TABLES, TABLE_NAMES, type TableName } from '../../etl/tables';
import { loadLakeConfig } from '../config';
import { openConfiguredEngine } from '../engine';
import { landingFileAdvice } from './build-summary';
import { CliError } from './cli-error';
import { type EngineFlags, addEngineFlags, engineConfig, engineOverrides } from './engine-flags';
import { withExamples } from './help-examples';
import { oneLine, printablePath } from './printable-text';

const EXAMPLES: Array<[string, string]> = [
  ['stedi status --lake ./lake', 'live version, row counts, quarantine, kept versions'],
  ['stedi status --lake ./lake --json', 'the same as one JSON object'],
];

export function registerStatus(cli: Command): void {
  addEngineFlags(withExamples(cli.command('status'), EXAMPLES).description('show the live version, its row counts and build time, and the kept versions'))
    .option('--json', 'print the live version as one JSON object')
    .action(async (flags: EngineFlags & { json?: boolean }) => {
      const config = engineConfig(flags, () => loadLakeConfig(engineOverrides(flags)));
      const engine = await openConfiguredEngine(config);
      try {
        const manifest = await engine.manifest().catch((error: unknown) => {
          // An unreadable or invalid manifest is a state too: a script polling with --json reads it on stdout.
          if (flags.json && error instanceof ManifestError) printNoVersion('manifest invalid', error.message, null);
          throw error;
        });
        // Served from its copy: the manifest itself is still to be mended, as status says of a damaged one.
        const servedFromCopy = engine.manifestDamage?.();
        if (servedFromCopy) {
          if (flags.json) printNoVersion('manifest invalid', servedFromCopy.message, null);
          throw servedFromCopy;
        }
        const live = manifest && liveVersion(manifest);
        const lock = (await engine.buildLockHolder?.()) ?? null;
        if (!manifest || !live) {
          // Versions on disk with no manifest: it was removed (or lost), not never built; the data is there to restore.
          const unlisted = lock?.running ? [] : ((await engine.unlistedVersions?.()) ?? []);
          // The engine named too when it is not the default: `stedi build --lake s3://…` alone is refused (duckdb).
          const build = `run \`stedi build${config.engine === 'athena' ? ' --engine athena' : ''} --lake ${shellWord(config.lake)}\``;
          // Versions on disk: the lake was built, so an interrupted build need not have been its first.
          const which = unlisted.length > 0 ? 'a build' : 'a first build';
          const first = !lock ? build : lock.fix ? `a build holds the lake's lock (${holderOf(lock)}): wait for it; ${lock.fix}` : lock.running ? `a first build is running (${holderOf(lock)}); wait for it` : `${which} was interrupted (${holderOf(lock)}); ${build}: it takes the lock over and removes what that one left`;
          // A folder that is not there may be a mistyped path rather than a lake to build.
          const missing = !lock && config.engine === 'duckdb' && !existsSync(config.lake);
          const message =
            unlisted.length > 0 && config.engine === 'athena'
              ? `the lake at ${config.lake} has no manifest, though versions ${unlisted.join(', ')} are on S3: restore ${config.lake}/_stedi/manifest.json from a copy (with versioning on the bucket, its previous version), or delete those versions' v=<version>/ prefixes to start the lake over; until then a build refuses to run, as it would remove them`
              : unlisted.length > 0
              ? `the lake at ${printablePath(config.lake)} has no manifest, though versions ${unlisted.join(', ')} are on disk: restore its _stedi/manifest.json from a copy, or ${first} (it builds a new version and deletes none of those)`
              : missing
                ? `the lake folder ${printablePath(config.lake)} does not exist; check the --lake path, or run \`stedi build --lake ${shellWord(config.lake)}\` to create it`
                : `the lake at ${printablePath(config.lake)} has not been built yet; ${first}`;
          // A script polling with --json reads stdout: it gets the state there, and the exit code and stderr line as without it.
          if (flags.json) printNoVersion(lock?.running ? 'building' : 'not built', message, lock, unlisted);
          throw new CliError(message);
        }
        // Checks every kept version's files (size and hash): a damaged one is shown, and the next build expires it.
        const damage = new Map<string, string | null>();
        for (const v of manifest.versions) damage.set(v.version, (await engine.verifyVersion?.(v)) ?? null);
        const landing = await engine.landingLocation?.();
        const unlisted = (await engine.unlistedVersions?.()) ?? [];
        // Expired by a build that died or could not remove them: still on disk, perhaps holding customers who withdrew consent.
        const abandoned = (await engine.abandonedVersions?.()) ?? [];
        const landingProblems = config.engine === 'duckdb' ? await landingProblemsOf(engine) : [];
        // A script asking whether the lake can serve (and be rebuilt) gets its answer from the exit code too.
        if (damage.get(live.version) || landingProblems.length > 0) process.exitCode = 1;
        // A damaged live version's counts may be the damage (edited by hand): what its files hold, or null, as the API says.
        const fileRows: Partial<Record<TableName, number>> | undefined = damage.get(live.version) ? ((await engine.fileRows?.(live)) ?? {}) : undefined;
        const rowsOf = (t: TableName): number | null => (fileRows ? (fileRows[t] ?? null) : live.tables[t].rows);
        if (flags.json) {
          const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, { rows: rowsOf(t), builtAt: live.builtAt, location: live.tables[t].location }]));
          const status = {
            state: damage.get(live.version) ? 'damaged' : 'built',
            version: live.version,
            engine: live.engine,
            consentPolicy: live.consentPolicy,
            builtAt: live.builtAt,
            durationMs: live.durationMs,
            tables,
            quarantined: Object.fromEntries(Object.entries(live.landingCounts).map(([s, c]) => [s, c.quarantined])),
            consentUncertain: live.landingCounts.customer.uncertain ?? 0,
            ambiguousSerials: live.ambiguousSerials ?? 0,
            landing: landing ?? null,
            damaged: damage.get(live.version) ?? null,
            keptVersions: manifest.versions.map((v) => ({ version: v.version, builtAt: v.builtAt, damaged: damage.get(v.version) ?? null })),
            build: lock,
            unlistedVersions: unlisted,
            abandonedVersions: abandoned,
            landingProblems,
          };
          process.stdout.write(`${JSON.stringify(status)}\n`);
          return;
        }
        const width = Math.max(...TABLE_NAMES.map((t) => t.length));
        const report = buildReport(live, config.lake);
        const lines = [
          `Live version ${live.version}, built ${live.builtAt} in ${(live.durationMs / 1000).toFixed(2)} s (${live.engine}, consent policy ${live.consentPolicy})`,
          '',
          `${'table'.padEnd(width)}  ${'zone'.padEnd(7)}  ${'rows'.padStart(12)}  built`,
          ...TABLE_NAMES.map((t) => `${t.padEnd(width)}  ${TABLES[t].zone.padEnd(7)}  ${(rowsOf(t)?.toLocaleString('en-US') ?? '–').padStart(12)}  ${live.builtAt}`),
          '',
          `${'quarantine'.padEnd(width)}  ${'lines'.padStart(12)}  ${'accepted'.padStart(12)}  ${'quarantined'.padStart(12)}`,
          ...SOURCES.map((s) => {
            const c = live.landingCounts[s] ?? { lines: 0, accepted: 0, quarantined: 0 };
            const n = (v: number): string => v.toLocaleString('en-US').padStart(12);
            return `${s.padEnd(width)}  ${n(c.lines)}  ${n(c.accepted)}  ${n(c.quarantined)}`;
          }),
          // The folder exists only when a line was quarantined: naming it otherwise sends the operator looking for nothing.
          // Under the lake, as the build's summary names it: the manifest's path is relative to the lake, not to where status runs.
          SOURCES.some((s) => (live.landingCounts[s]?.quarantined ?? 0) > 0) ? `Quarantined lines (file, line number, reason): ${printablePath(report.quarantine)}` : 'No landing lines were quarantined.',
          '',
          `Consent uncertain: ${live.landingCounts.customer.uncertain ?? 0} customers hidden; devices claimed by two customers: ${live.ambiguousSerials ?? 0}`,
          ...landingFileAdvice(report),
          `Kept versions: ${manifest.versions.map((v) => v.version).join(', ')}`,
          ...(landing ? [`Landing: ${printablePath(landing)}`] : []),
          ...landingProblems.map((problem) => `LANDING ${oneLine(problem)}`),
          ...(lock ? [oneLine(buildLine(lock))] : []),
          ...(unlisted.length > 0 ? [unlistedLine(unlisted, config.lake)] : []),
          ...(abandoned.length > 0 ? [`Expired versions still on disk: ${abandoned.join(', ')} (they may hold customers who withdrew consent); the next build removes them`] : []),
          ...manifest.versions.flatMap((v, i) => {
            const why = damage.get(v.version);
            if (!why) return [];
            const fix = i === 0 ? afterDamage(why, 'run `stedi build` to build a new live version') : `; its cursors get STALE_CURSOR; the next build expires it${afterDamage(why, 'run `stedi build` to expire it now, or put the file back from a copy')}`;
            return [`DAMAGED ${i === 0 ? 'live ' : ''}version ${v.version}: ${oneLine(`${why}${fix}`)}`];
          }),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await engine.close();
      }
    });
}

/**
 * What is wrong with each landing source's folder (gone, unreadable, holding what no build reads): the server's consent
 * registry and every rebuild read it, so a lake that looked fine here refused both. One line per source, as a build says it.
 */
async function landingProblemsOf(engine: Engine): Promise<string[]> {
  const problems: string[] = [];
  for (const source of SOURCES) {
    try {
      await engine.landingIdentity?.(source);
    } catch (error) {
      if (!isLandingFolderError(error)) throw error;
      problems.push(`${error.message}${source === 'customer' ? ' (the server answers no data without it: CONSENT_UNAVAILABLE, /readyz 503)' : ''}`);
    }
  }
  return problems;
}

/** The process holding the lock, or (Athena's S3 lock, which names no process) the owner it names. */
function holderOf(lock: BuildLockInfo): string {
  const since = `since ${lock.since || 'an unknown time'}`;
  return lock.pid === undefined ? `${lock.owner || 'an unnamed holder'}, ${since}` : `pid ${lock.pid} on ${lock.host}, ${since}`;
}

/** Folders nothing will remove: the operator's to keep (say, to restore a broken manifest) or delete. */
function unlistedLine(versions: readonly string[], lake: string): string {
  return (
    `Versions on disk that no manifest keeps: ${versions.join(', ')} (a build over a broken or missing manifest, or over an older copy restored, leaves them). ` +
    `No build removes them and no erasure reaches them, whatever customers they hold: once no restore needs them, remove their folders (rm -r ${shellWord(lake)}/*/*/v=<version> ${shellWord(lake)}/_quarantine/v=<version>)`
  );
}

/** A build under way, or one killed before it finished (its lock and files wait for the next build). */
function buildLine(lock: BuildLockInfo): string {
  // Athena's lock: whether its holder runs cannot be checked, and no build takes it over.
  if (lock.fix) return lock.running ? `The lake's build lock is held (${holderOf(lock)}): a build is running, or one died holding it; ${lock.fix}.` : `The lake's build lock looks abandoned (${holderOf(lock)}): ${lock.fix}.`;
  return lock.running
    ? `A build is running (${holderOf(lock)}); the live version changes when it publishes.`
    : `A build was interrupted (${holderOf(lock)}): the next build takes its lock over and removes what it left.`;
}

/** `status --json` when no version can be shown: the state on stdout, for a script polling it (exit code and stderr as without --json). */
function printNoVersion(state: 'manifest invalid' | 'building' | 'not built', message: string, build: BuildLockInfo | null, unlistedVersions: readonly string[] = []): void {
  process.stdout.write(`${JSON.stringify({ state, version: null, message, build, keptVersions: [], unlistedVersions })}\n`);
}
