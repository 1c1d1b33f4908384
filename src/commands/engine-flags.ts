import type { Command } from 'commander';
import type { EngineKind } from '../../etl/engine/engine';
import { checkAthenaSetting, type AthenaSetting } from '../../etl/engine/open-engine';
import { type Config, ConfigError, type ConfigOverrides } from '../config';
import { usageError } from './cli-error';
import { engineChoice, positiveInteger } from './options';
import { MAX_TIMER_MS } from '../config-values';

/** The flags every command that opens an engine takes; each overrides its environment variable. */
export interface EngineFlags {
  lake?: string;
  /** Checked as it is parsed (engineChoice). */
  engine?: EngineKind;
  region?: string;
  workgroup?: string;
  outputLocation?: string;
  glueDatabase?: string;
  queryTimeoutMs?: number;
}

export function addEngineFlags(command: Command): Command {
  return command
    .option('--lake <dir>', 'lake folder, or s3://bucket/prefix with --engine athena (default: STEDI_LAKE or ./lake)')
    .option('--engine <engine>', 'duckdb (default) or athena (STEDI_ENGINE)', engineChoice)
    .option('--region <region>', 'Athena: AWS region (AWS_REGION)')
    .option('--workgroup <name>', 'Athena: workgroup (STEDI_ATHENA_WORKGROUP, default primary)')
    .option('--output-location <s3url>', "Athena: query results location (STEDI_ATHENA_OUTPUT, default the workgroup's)")
    .option('--glue-database <name>', 'Athena: Glue database (STEDI_GLUE_DATABASE, default stedi)')
    .option('--query-timeout-ms <n>', "time limit of one read query, as an API request's (STEDI_QUERY_TIMEOUT_MS, default 30000); a build's own statements are not bound by it (on Athena: STEDI_ATHENA_BUILD_TIMEOUT_MS)", positiveInteger('--query-timeout-ms', MAX_TIMER_MS));
}

export function engineOverrides(flags: EngineFlags): ConfigOverrides {
  return {
    lake: flags.lake,
    engine: flags.engine,
    queryTimeoutMs: flags.queryTimeoutMs,
    athena: { region: flags.region, workgroup: flags.workgroup, outputLocation: flags.outputLocation, database: flags.glueDatabase },
  };
}

// Private: the flags only the Athena engine reads.
const ATHENA_ONLY = [
  ['region', '--region'],
  ['workgroup', '--workgroup'],
  ['outputLocation', '--output-location'],
  ['glueDatabase', '--glue-database'],
] as const;

/**
 * Athena's flags given to the duckdb engine are a usage error (exit 2): they did nothing, and `stedi build --lake ./lake
 * --region eu-west-1` (without --engine athena) built a local lake as if nothing were amiss.
 */
function refuseAthenaFlagsOnDuckdb(flags: EngineFlags, config: Pick<Config, 'engine'>): void {
  if (config.engine !== 'duckdb') return;
  const given = ATHENA_ONLY.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
  if (given.length === 0) return;
  const [what, them] = given.length === 1 ? ['is an Athena setting', 'it'] : ['are Athena settings', 'them'];
  throw usageError(`${given.join(', ')} ${what}, unused by the duckdb engine: add --engine athena (or set STEDI_ENGINE=athena) with an s3:// --lake, or leave ${them} out`);
}

/**
 * The configuration a command's flags and the environment give, with every value a flag gave checked for the engine:
 * a flag the engine cannot take is a usage error (exit 2), as README says, where the same value from an environment
 * variable is a run that failed (exit 1). Before, `--region 'eu west 1'` or `--lake s3://bucket` on duckdb exited 1.
 */
export function engineConfig<F extends EngineFlags & { landing?: string }>(flags: F, load: () => Config): Config {
  let config: Config;
  try {
    config = load();
  } catch (error) {
    if (error instanceof ConfigError && error.settings.some((setting) => flags[setting as keyof F] !== undefined)) throw usageError(error.message);
    throw error;
  }
  refuseAthenaFlagsOnDuckdb(flags, config);
  if (config.engine === 'athena') {
    for (const [flag, setting] of ATHENA_CHECKED) {
      const value = flags[flag];
      // An empty --lake or --landing is unset, as loadConfig reads it (`--lake "$LAKE"` with LAKE unset).
      if (value === undefined || (value === '' && (flag === 'lake' || flag === 'landing'))) continue;
      try {
        checkAthenaSetting(setting, value);
      } catch (error) {
        throw usageError((error as Error).message);
      }
    }
  }
  return config;
}

// Private: each flag holding an Athena setting, and the setting it is checked as.
const ATHENA_CHECKED: ReadonlyArray<readonly ['lake' | 'landing' | (typeof ATHENA_ONLY)[number][0], AthenaSetting]> = [
  ['lake', 'lake'],
  ['landing', 'landing'],
  ['region', 'region'],
  ['workgroup', 'workgroup'],
  ['outputLocation', 'outputLocation'],
  ['glueDatabase', 'database'],
];
