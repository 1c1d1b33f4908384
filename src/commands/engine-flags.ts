import type { Command } from 'commander';
import type { EngineKind } from '../../etl/engine/engine';
import type { ConfigOverrides } from '../config';
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
    .option('--query-timeout-ms <n>', 'time limit of one query (STEDI_QUERY_TIMEOUT_MS, default 30000)', positiveInteger('--query-timeout-ms', MAX_TIMER_MS));
}

export function engineOverrides(flags: EngineFlags): ConfigOverrides {
  return {
    lake: flags.lake,
    engine: flags.engine,
    queryTimeoutMs: flags.queryTimeoutMs,
    athena: { region: flags.region, workgroup: flags.workgroup, outputLocation: flags.outputLocation, database: flags.glueDatabase },
  };
}
