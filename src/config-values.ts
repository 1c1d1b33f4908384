import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { type ConsentPolicy, parseConsentPolicy } from '../etl/consent-policy';
import type { EngineKind } from '../etl/engine/engine';
import type { SplitPercentages } from './config';

/**
 * How each setting's text is read (from the environment, by config.ts): a bad
 * value is a ConfigError naming the variable, what it accepts and what it got.
 */

/** A setting the user can get wrong: the message says which, what it accepts and what it received. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The settings (Config keys) whose values clash: a command line that gave one as a flag is a usage error. */
    readonly settings: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

// Private: the Python client's and the tests' variables, which this server never reads.
const NOT_OURS = new Set(['STEDI_URL', 'STEDI_API_KEY', 'STEDI_SAMPLE_DIR']);

/**
 * A setting written in quotes that reached stedi with them (`docker run --env-file` keeps them): STEDI_LAKE="./lake"
 * built a lake in a folder named `".`, and quoted STEDI_API_KEYS named its last role `analyst"`.
 */
export function refuseQuoted(env: Env): void {
  for (const [name, raw] of Object.entries(env)) {
    if (!/^(STEDI_\w+|PORT|HOST|LOG_LEVEL)$/.test(name) || NOT_OURS.has(name) || raw === undefined) continue;
    if (/^\s*(["'])[^]*\1\s*$/.test(raw) && raw.trim().length > 1) {
      // Keys are never echoed, as no other refusal of them does.
      const received = name === 'STEDI_API_KEYS' ? '' : `; received ${JSON.stringify(raw)}`;
      throw new ConfigError(`${name} is written in quotes, which reached stedi as part of its value (docker run --env-file keeps them): remove them${received}`);
    }
  }
}

export function splitPercentages(raw: string | undefined): SplitPercentages {
  if (raw === undefined || raw === '') return { train: 80, validation: 10 };
  const parts = raw.split('/').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 0) || parts[0] + parts[1] + parts[2] !== 100) {
    throw new ConfigError(`STEDI_SPLIT must be three whole percentages train/validation/test adding up to 100, such as 80/10/10; received ${JSON.stringify(raw)}`);
  }
  return { train: parts[0], validation: parts[1] };
}

/** The longest delay Node's timers take: a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;

export function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  // Blank is unset, as empty is: Number(' ') is 0, which made PORT=' ' a random port and an idle bound ' ' "never".
  if (raw === undefined || raw.trim() === '') return fallback;
  // Decimal digits only: Number() also takes 1e3, 0x10, +5 and 1.0, which no setting documents.
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be a whole number ${range}; received ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A duration in ms that Node's timers can wait (at most MAX_TIMER_MS, about 24.8 days). */
export const milliseconds = (env: Env, name: string, fallback: number, min: number): number => integer(env, name, fallback, min, MAX_TIMER_MS);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logLevel(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'info';
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; received ${JSON.stringify(raw)}`);
  return raw;
}

const BODY_UNITS: Record<string, number> = { b: 0, kb: 1, mb: 2, gb: 3, tb: 4, pb: 5 };

/** A body size (checked by bodyLimit) in bytes, as body-parser reads it: 1024-based, rounded down. */
export function bodyLimitBytes(limit: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(limit);
  if (!match) throw new Error(`not a size: ${JSON.stringify(limit)}`);
  return Math.floor(Number(match[1]) * 1024 ** (BODY_UNITS[(match[2] || 'b').toLowerCase()] ?? 0));
}

/**
 * The largest STEDI_BODY_LIMIT. A body is held whole in a server process and parsed there, and a document has at
 * most STEDI_MAX_TOKENS tokens: a larger limit only lets each request hold a worker's memory (`1tb` was taken).
 */
export const MAX_BODY_LIMIT = '64mb';

/** A body size as Express's body parser reads it: bytes, or a number with b, kb, mb, gb (any case), from 1 byte to MAX_BODY_LIMIT. */
export function bodyLimit(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '1mb';
  // Under one byte once rounded down (0, 0.5b) no body at all would be accepted.
  if (!/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb|pb)?\s*$/i.test(raw) || bodyLimitBytes(raw) < 1) {
    throw new ConfigError(`STEDI_BODY_LIMIT must be a size such as 1mb, 512kb or 1048576 (bytes); received ${JSON.stringify(raw)}`);
  }
  if (bodyLimitBytes(raw) > bodyLimitBytes(MAX_BODY_LIMIT)) {
    throw new ConfigError(`STEDI_BODY_LIMIT must be at most ${MAX_BODY_LIMIT} (each request body is held whole in a server process's memory; the default 1mb holds any query); received ${JSON.stringify(raw)}`);
  }
  return raw.trim();
}

/** A DuckDB memory size such as 512MB or 2GiB; unset or empty: undefined. */
export function memorySize(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw.trim())) throw new ConfigError(`${name} must be a size such as 512MB or 2GiB; received ${JSON.stringify(raw)}`);
  return raw.trim();
}

export function engineKind(raw: string | undefined): EngineKind {
  if (raw === undefined || raw === '' || raw === 'duckdb') return 'duckdb';
  if (raw === 'athena') return 'athena';
  throw new ConfigError(`STEDI_ENGINE must be duckdb or athena; received ${JSON.stringify(raw)}`);
}

export const isS3 = (location: string): boolean => location.startsWith('s3://');
/**
 * A URL's scheme at the start of a folder setting (`S3://bucket/x`, `s3:/bucket/x`, `https://…`): read as a path it
 * named a folder `S3:` in the working one, and `stedi build --lake S3://bucket/x` built a local lake there. A scheme
 * has two letters at least: `C:/lake` is a Windows drive's folder.
 */
export const isAddress = (location: string): boolean => /^[a-z][a-z0-9+.-]+:\//i.test(location);
/**
 * A leading `~` or `~/` is the home folder, as a shell expands it: `--lake=~/lake`, a quoted path and
 * `STEDI_LAKE=~/lake` in a unit or .env file reach stedi unexpanded, and made a folder named `~` here.
 */
export const expandHome = (location: string): string => (location === '~' || location.startsWith('~/') ? homedir() + location.slice(1) : location);
// The slashes of `s3://` itself stay: a bare `s3://` cut to `s3:` was refused as not an S3 address at all.
export const place = (location: string): string => (isS3(location) ? `s3://${location.slice('s3://'.length).replace(/\/+$/, '')}` : resolve(expandHome(location)));
export const optionalPlace = (location: string | undefined): string | undefined => (location === undefined || location === '' ? undefined : place(location));

/** The duckdb engine's lake and landing are local folders: an address given for either is refused, not read as a path. */
export function refuseAddresses(lake: string, landing: string): void {
  const s3 = 'an S3 address is s3://bucket/prefix, in lower case, with --engine athena (or STEDI_ENGINE=athena)';
  if (isAddress(lake)) {
    throw new ConfigError(`the duckdb engine needs a local lake folder (--lake or STEDI_LAKE); ${JSON.stringify(lake)} is an address, not a folder: ${s3}`, ['lake']);
  }
  if (isS3(landing)) {
    throw new ConfigError(`the duckdb engine reads a local landing folder (--landing or STEDI_LANDING); for ${landing} pass --engine athena (or set STEDI_ENGINE=athena) with an s3:// lake`, ['engine', 'landing']);
  }
  if (isAddress(landing)) {
    throw new ConfigError(`the duckdb engine reads a local landing folder (--landing or STEDI_LANDING); ${JSON.stringify(landing)} is an address, not a folder: ${s3}`, ['landing']);
  }
}

export function corsOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    // A browser sends its page's exact origin, so a pattern would match nothing, silently.
    if (origin.includes('*')) throw new ConfigError(`STEDI_CORS_ORIGINS takes exact origins, not patterns: list each one (https://a.example.com,https://b.example.com); received ${JSON.stringify(origin)}`);
    if (!/^https?:\/\/[^/\s]+$/i.test(origin) || !URL.canParse(origin)) throw new ConfigError(`STEDI_CORS_ORIGINS must list origins such as https://notebooks.example.com (scheme and host, no path), comma-separated; received ${JSON.stringify(origin)}`);
  }
  // As browsers send them: scheme and host in lower case, no default port (HTTPS://Example.com:443 is https://example.com).
  return origins.map((origin) => new URL(origin).origin);
}

export function parsePolicy(raw: string): ConsentPolicy {
  try {
    return parseConsentPolicy(raw);
  } catch (error) {
    throw new ConfigError(`STEDI_CONSENT_POLICY: ${(error as Error).message}`);
  }
}

/**
 * The first region set. An empty AWS_REGION with no other is kept (the engine refuses it, naming
 * AWS_REGION): the AWS SDK reads that variable itself and would fail every call with no hint.
 */
export const awsRegion = (env: Env): string | undefined => env.AWS_REGION || env.AWS_DEFAULT_REGION || (env.AWS_REGION === '' ? '' : undefined);

/** Overrides with their unset entries left out, so that spread over the values read they replace only what was given. */
export const definedOnly = <T extends object>(values: T): Partial<T> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
