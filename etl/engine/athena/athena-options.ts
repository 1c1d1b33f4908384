import { terminalText } from '../../terminal-text';
import { awsErrorText } from './aws-error-text';
import { parseS3Url } from './s3-location';

/**
 * What it takes to run the lake on Athena. The caller (`src/engine.ts`) fills
 * it from the configuration; credentials are never part of it: the AWS SDK's
 * default provider chain finds them.
 */
export interface AthenaEngineOptions {
  /** `s3://bucket/prefix`: the lake, laid out as `<folder>/<zone>/` like the local one. */
  lake: string;
  /** `s3://bucket/prefix` holding `<source>/landing/`; unset: the one the live version was built from (its manifest records it), else the lake itself. */
  landing?: string;
  region?: string;
  workgroup?: string;
  /** Where Athena writes query results; the workgroup's own location when unset. */
  outputLocation?: string;
  /** The Glue database holding every table and view of the lake. */
  database?: string;
  /** Time limit of a read query (the API's); a build statement gets `buildTimeoutMs`. */
  queryTimeoutMs?: number;
  buildTimeoutMs?: number;
  pollMinMs?: number;
  pollMaxMs?: number;
  /** How many times a throttled or retryable failed query is tried again. */
  maxRetries?: number;
  /**
   * How long one AWS call may wait to connect, or between two bytes of its answer. The SDK's default is
   * for ever: a proxy or firewall that takes the connection and never answers hung every command.
   */
  awsTimeoutMs?: number;
  /** How long a read manifest is trusted before it is fetched again. */
  manifestCacheMs?: number;
  /** Where operational warnings go (cleanup that failed after a build went live). */
  warn?: (message: string, error?: unknown) => void;
}

export type ResolvedAthenaOptions = Required<Omit<AthenaEngineOptions, 'region' | 'outputLocation' | 'landing'>> &
  Pick<AthenaEngineOptions, 'region' | 'outputLocation' | 'landing'>;

// Glue lower-cases names; keeping to these characters means no identifier ever needs escaping.
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
// What the AWS SDK accepts as a region (a host name label); anything else fails every call with a message naming no setting.
const REGION = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

// Private: each setting as the operator gives it, so a message says what to change.
const SETTING = {
  lake: 'the lake (--lake / STEDI_LAKE)',
  landing: 'the landing location (--landing / STEDI_LANDING)',
  outputLocation: 'the Athena output location (--output-location / STEDI_ATHENA_OUTPUT)',
  region: 'the AWS region (--region / AWS_REGION)',
  database: 'the Glue database (--glue-database / STEDI_GLUE_DATABASE)',
  workgroup: 'the Athena workgroup (--workgroup / STEDI_ATHENA_WORKGROUP)',
} as const;

export function resolveAthenaOptions(options: AthenaEngineOptions): ResolvedAthenaOptions {
  const lake = trimSlash(options.lake);
  const resolved: ResolvedAthenaOptions = {
    lake,
    landing: options.landing === undefined ? undefined : trimSlash(options.landing),
    region: options.region,
    workgroup: options.workgroup ?? 'primary',
    outputLocation: options.outputLocation,
    database: options.database ?? 'stedi',
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
    buildTimeoutMs: options.buildTimeoutMs ?? 3_600_000,
    pollMinMs: options.pollMinMs ?? 200,
    pollMaxMs: options.pollMaxMs ?? 5_000,
    maxRetries: options.maxRetries ?? 3,
    awsTimeoutMs: options.awsTimeoutMs ?? 30_000,
    manifestCacheMs: options.manifestCacheMs ?? 2_000,
    warn: options.warn ?? warnOnOneLine,
  };
  checkAthenaSetting('lake', resolved.lake);
  if (resolved.landing !== undefined) checkAthenaSetting('landing', resolved.landing);
  if (resolved.outputLocation !== undefined) checkAthenaSetting('outputLocation', resolved.outputLocation);
  if (resolved.region !== undefined) checkAthenaSetting('region', resolved.region);
  checkAthenaSetting('database', resolved.database);
  checkAthenaSetting('workgroup', resolved.workgroup);
  if (resolved.pollMinMs > resolved.pollMaxMs) {
    throw new RangeError(
      `the Athena poll interval bounds are reversed: the minimum ${resolved.pollMinMs} ms (STEDI_ATHENA_POLL_MIN_MS) is above the maximum ${resolved.pollMaxMs} ms (STEDI_ATHENA_POLL_MAX_MS)`,
    );
  }
  if (!Number.isInteger(resolved.maxRetries) || resolved.maxRetries < 0) {
    throw new RangeError(`Athena retries (STEDI_ATHENA_MAX_RETRIES) must be a whole number of at least 0; received ${resolved.maxRetries}`);
  }
  return resolved;
}

export type AthenaSetting = keyof typeof SETTING;

/**
 * Throws a RangeError naming the setting when Athena cannot take `value` for it. The CLI checks the settings given as
 * flags with it first: a flag's bad value is a usage error (exit 2), an environment variable's a failed run (exit 1).
 */
export function checkAthenaSetting(setting: AthenaSetting, value: string): void {
  const what = SETTING[setting];
  if (setting === 'lake' || setting === 'landing' || setting === 'outputLocation') {
    parseS3Url(trimSlash(value), what);
  } else if (setting === 'region' && !REGION.test(value)) {
    throw new RangeError(`${what} must be a region name such as eu-west-1; received ${JSON.stringify(value)}`);
  } else if (setting === 'database' && !DATABASE_NAME.test(value)) {
    throw new RangeError(`${what} must be lower-case letters, digits and underscores, starting with a letter; received ${JSON.stringify(value)}`);
  } else if (setting === 'workgroup' && !WORKGROUP_NAME.test(value)) {
    throw new RangeError(`${what} must be 1 to 128 letters, digits, '.', '_' or '-'; received ${JSON.stringify(value)}`);
  }
}

// The slashes of `s3://` itself stay, so a bare `s3://` is echoed as given, not as `s3:`.
const trimSlash = (location: string): string => location.replace(/^(s3:\/\/)?(.*?)\/*$/, '$1$2');

/** The default warning: one line on stderr, the error as awsErrorText says it, without its stack or cause (an operator's terminal, a worker's log). */
function warnOnOneLine(message: string, error?: unknown): void {
  process.stderr.write(`stedi athena: ${terminalText(error === undefined ? message : `${message}: ${awsErrorText(error)}`)}\n`);
}
