import { InvalidArgumentError } from 'commander';
import type { EngineKind } from '../../etl/engine/engine';
import { usageError } from './cli-error';

/** A commander parser for flags that take a whole number of at least 1 (and at most `max`, when given). */
export function positiveInteger(flag: string, max?: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
      const range = max === undefined ? 'of at least 1' : `from 1 to ${max}`;
      throw new InvalidArgumentError(`${flag} takes a whole number ${range}; received ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

export function engineFlag(raw: string | undefined): EngineKind | undefined {
  if (raw === undefined || raw === 'duckdb' || raw === 'athena') return raw;
  throw usageError(`--engine must be duckdb or athena; received ${JSON.stringify(raw)}`);
}
