import type { Command } from 'commander';
import { liveVersion } from '../../etl/manifest';
import { TABLES, TABLE_NAMES } from '../../etl/tables';
import { loadConfig } from '../config';
import { openConfiguredEngine } from '../engine';
import { CliError } from './cli-error';
import { type EngineFlags, addEngineFlags, engineOverrides } from './engine-flags';

export function registerStatus(cli: Command): void {
  addEngineFlags(cli.command('status').description('show the live version, its row counts and build time, and the kept versions'))
    .option('--json', 'print the live version as one JSON object')
    .action(async (flags: EngineFlags & { json?: boolean }) => {
      const config = loadConfig(engineOverrides(flags));
      const engine = await openConfiguredEngine(config);
      try {
        const manifest = await engine.manifest();
        const live = manifest && liveVersion(manifest);
        if (!manifest || !live) throw new CliError(`the lake at ${config.lake} has not been built yet; run \`stedi build --lake ${config.lake}\``);
        if (flags.json) {
          const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, { rows: live.tables[t].rows, builtAt: live.builtAt, location: live.tables[t].location }]));
          const status = {
            version: live.version,
            engine: live.engine,
            consentPolicy: live.consentPolicy,
            builtAt: live.builtAt,
            durationMs: live.durationMs,
            tables,
            quarantined: Object.fromEntries(Object.entries(live.landingCounts).map(([s, c]) => [s, c.quarantined])),
            consentUncertain: live.landingCounts.customer.uncertain ?? 0,
            ambiguousSerials: live.ambiguousSerials ?? 0,
            keptVersions: manifest.versions.map((v) => ({ version: v.version, builtAt: v.builtAt })),
          };
          process.stdout.write(`${JSON.stringify(status)}\n`);
          return;
        }
        const width = Math.max(...TABLE_NAMES.map((t) => t.length));
        const lines = [
          `Live version ${live.version}, built ${live.builtAt} in ${(live.durationMs / 1000).toFixed(2)} s (${live.engine}, consent policy ${live.consentPolicy})`,
          '',
          `${'table'.padEnd(width)}  ${'zone'.padEnd(7)}  ${'rows'.padStart(12)}  built`,
          ...TABLE_NAMES.map((t) => `${t.padEnd(width)}  ${TABLES[t].zone.padEnd(7)}  ${live.tables[t].rows.toLocaleString('en-US').padStart(12)}  ${live.builtAt}`),
          '',
          `Consent uncertain: ${live.landingCounts.customer.uncertain ?? 0} customers hidden; devices claimed by two customers: ${live.ambiguousSerials ?? 0}`,
          `Kept versions: ${manifest.versions.map((v) => v.version).join(', ')}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await engine.close();
      }
    });
}
