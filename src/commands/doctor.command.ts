import type { Command } from 'commander';
import { type PreflightCheck, checkAthenaSetup } from '../../etl/engine/open-engine';
import { loadLakeConfig } from '../config';
import { engineOptions } from '../engine';
import { usageError } from './cli-error';
import { withExamples } from './help-examples';
import { type EngineFlags, addEngineFlags, engineConfig, engineOverrides } from './engine-flags';

interface DoctorFlags extends EngineFlags {
  landing?: string;
  json?: boolean;
}

const EXAMPLES: Array<[string, string]> = [
  ['stedi doctor --engine athena --lake s3://my-bucket/stedi --region eu-west-1', 'check the account before the first build'],
  ['stedi doctor --engine athena --lake s3://my-bucket/stedi --json', 'the same as one JSON object'],
];

/** `stedi doctor --engine athena`: the checks a build runs before anything is paid for, run alone; exit 1 when one fails. */
export function registerDoctor(cli: Command): void {
  addEngineFlags(withExamples(cli.command('doctor'), EXAMPLES).description('check an Athena set-up (workgroup, results location, Glue database, landing, lake) without running a query'))
    .option('--landing <s3url>', 's3://bucket/prefix holding <source>/landing/ (default: STEDI_LANDING, else the one the live version was built from, else the lake)')
    .option('--json', 'print one JSON object: ok, and every check with its message')
    .action(async (flags: DoctorFlags) => {
      const config = engineConfig(flags, () => loadLakeConfig({ ...engineOverrides(flags), landing: flags.landing }));
      // Athena only (README): on the embedded engine there is no account to check, so this command line is the mistake.
      if (config.engine !== 'athena') throw usageError('stedi doctor checks an Athena set-up only (the embedded duckdb engine needs none); use it with --engine athena (or STEDI_ENGINE=athena)');
      const checks = await checkAthenaSetup(engineOptions(config));
      const ok = checks.every((c) => c.ok);
      process.stdout.write(flags.json ? `${JSON.stringify({ ok, checks })}\n` : formatChecks(checks));
      if (!ok) process.exitCode = 1;
    });
}

function formatChecks(checks: readonly PreflightCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.message}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push('', failed === 0 ? 'Ready to build on Athena.' : `${failed} of ${checks.length} checks failed; fix them before building.`);
  return `${lines.join('\n')}\n`;
}
