import { parseS3Url } from './s3-location';

/**
 * What it takes to run the lake on Athena. The caller (`src/engine.ts`) fills
 * it from the configuration; credentials are never part of it: the AWS SDK's
 * default provider chain finds them.
 */
export interface AthenaEngineOptions {
  /** `s3://bucket/prefix`: the lake, laid out as `<folder>/<zone>/` like the local one. */
  lake: string;
  /** `s3://bucket/prefix` holding `<source>/landing/`; the lake itself when unset. */
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
  /** How long a read manifest is trusted before it is fetched again. */
  manifestCacheMs?: number;
  /** Where operational warnings go (cleanup that failed after a build went live). */
  warn?: (message: string, error?: unknown) => void;
}

export type ResolvedAthenaOptions = Required<Omit<AthenaEngineOptions, 'region' | 'outputLocation'>> &
  Pick<AthenaEngineOptions, 'region' | 'outputLocation'>;

// Glue lower-cases names; keeping to these characters means no identifier ever needs escaping.
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;

export function resolveAthenaOptions(options: AthenaEngineOptions): ResolvedAthenaOptions {
  const lake = trimSlash(options.lake);
  const resolved: ResolvedAthenaOptions = {
    lake,
    landing: trimSlash(options.landing ?? lake),
    region: options.region,
    workgroup: options.workgroup ?? 'primary',
    outputLocation: options.outputLocation,
    database: options.database ?? 'stedi',
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
    buildTimeoutMs: options.buildTimeoutMs ?? 3_600_000,
    pollMinMs: options.pollMinMs ?? 200,
    pollMaxMs: options.pollMaxMs ?? 5_000,
    maxRetries: options.maxRetries ?? 3,
    manifestCacheMs: options.manifestCacheMs ?? 2_000,
    warn: options.warn ?? ((message, error) => console.warn(`stedi athena: ${message}`, error ?? '')),
  };
  parseS3Url(resolved.lake, 'the lake');
  parseS3Url(resolved.landing, 'the landing location');
  if (resolved.outputLocation !== undefined) parseS3Url(resolved.outputLocation, 'the Athena output location');
  if (!DATABASE_NAME.test(resolved.database)) {
    throw new RangeError(`the Glue database name must be lower-case letters, digits and underscores, starting with a letter; received ${JSON.stringify(resolved.database)}`);
  }
  if (!WORKGROUP_NAME.test(resolved.workgroup)) throw new RangeError(`the Athena workgroup name ${JSON.stringify(resolved.workgroup)} is not valid`);
  if (resolved.pollMinMs > resolved.pollMaxMs) {
    throw new RangeError(`the Athena poll interval bounds are reversed: minimum ${resolved.pollMinMs} ms is above maximum ${resolved.pollMaxMs} ms`);
  }
  if (!Number.isInteger(resolved.maxRetries) || resolved.maxRetries < 0) throw new RangeError(`Athena retries must be a whole number of at least 0; received ${resolved.maxRetries}`);
  return resolved;
}

const trimSlash = (location: string): string => location.replace(/\/+$/, '');
