import { type Env, awsRegion, definedOnly, integer, milliseconds } from './config-values';

/** The Athena engine's settings, read by config.ts. */

export interface AthenaConfig {
  region?: string;
  workgroup: string;
  /** s3:// location for query results; the workgroup's own when unset. */
  outputLocation?: string;
  database: string;
  pollMinMs: number;
  pollMaxMs: number;
  /** Time limit of one build statement (a CTAS over all the data); API queries use queryTimeoutMs. */
  buildTimeoutMs: number;
  /** How often a throttled or Athena-retryable query is tried again. */
  maxRetries: number;
  /** How long one AWS call may wait to connect, or for its next byte, before it fails (and the SDK tries it again). */
  awsTimeoutMs: number;
}

/** The Athena settings from `env` (STEDI_ATHENA_*, AWS_REGION, ...), each overridden where `overrides` gives it. */
export function readAthenaConfig(env: Env, overrides: Partial<AthenaConfig> = {}): AthenaConfig {
  return {
    region: awsRegion(env),
    // An empty variable is an unset one, as for every other setting.
    workgroup: env.STEDI_ATHENA_WORKGROUP || 'primary',
    outputLocation: env.STEDI_ATHENA_OUTPUT || undefined,
    database: env.STEDI_GLUE_DATABASE || 'stedi',
    pollMinMs: milliseconds(env, 'STEDI_ATHENA_POLL_MIN_MS', 200, 1),
    pollMaxMs: milliseconds(env, 'STEDI_ATHENA_POLL_MAX_MS', 5_000, 1),
    buildTimeoutMs: milliseconds(env, 'STEDI_ATHENA_BUILD_TIMEOUT_MS', 3_600_000, 1),
    maxRetries: integer(env, 'STEDI_ATHENA_MAX_RETRIES', 3, 0),
    awsTimeoutMs: milliseconds(env, 'STEDI_AWS_TIMEOUT_MS', 30_000, 1),
    ...definedOnly(overrides),
  };
}
