import { InvalidArgumentError } from 'commander';
import type { EngineKind } from '../../etl/engine/engine';
import { CliError } from './cli-error';

/** A commander parser for flags that take a whole number of at least 1. */
export function positiveInteger(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`${flag} takes a whole number of at least 1; received ${JSON.stringify(raw)}`);
    return value;
  };
}

export function engineFlag(raw: string | undefined): EngineKind | undefined {
  if (raw === undefined || raw === 'duckdb' || raw === 'athena') return raw;
  throw new CliError(`--engine must be duckdb or athena; received ${JSON.stringify(raw)}`);
}
