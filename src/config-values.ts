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
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function splitPercentages(raw: string | undefined): SplitPercentages {
  if (raw === undefined || raw === '') return { train: 80, validation: 10 };
  const parts = raw.split('/').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 0) || parts[0] + parts[1] + parts[2] !== 100) {
    throw new ConfigError(`STEDI_SPLIT must be three whole percentages train/validation/test adding up to 100, such as 80/10/10; received ${JSON.stringify(raw)}`);
  }
  return { train: parts[0], validation: parts[1] };
}

export function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be a whole number of at least ${min}; received ${JSON.stringify(raw)}`);
  return value;
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
export const place = (location: string): string => (isS3(location) ? location.replace(/\/+$/, '') : resolve(location));
export const optionalPlace = (location: string | undefined): string | undefined => (location === undefined || location === '' ? undefined : place(location));

export function corsOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
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
