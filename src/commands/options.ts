import { InvalidArgumentError } from 'commander';
import type { EngineKind } from '../../etl/engine/engine';

/**
 * Decimal digits, as the environment's settings take them (config-values.ts): Number() also takes 0x10, 1e3 and
 * 0b1, so `--port 0x10` listened on port 16 and `--keep 99999999999999999999` kept 1e20 versions.
 */
export const wholeNumber = (raw: string): number => (/^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN);

/** The same rule for a flag that takes a fraction: decimal digits with an optional decimal point (`0.05`, `.5`). */
export const decimalNumber = (raw: string): number => (/^\s*(?:\d+(?:\.\d+)?|\.\d+)\s*$/.test(raw) ? Number(raw) : Number.NaN);

/** A commander parser for flags that take a whole number of at least 1 (and at most `max`, when given). */
export function positiveInteger(flag: string, max?: number): (raw: string) => number {
  return (raw) => {
    const value = wholeNumber(raw);
    if (!Number.isSafeInteger(value) || value < 1 || (max !== undefined && value > max)) {
      const range = max === undefined ? 'of at least 1' : `from 1 to ${max}`;
      throw new InvalidArgumentError(`${flag} takes a whole number ${range}; received ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** A commander parser for --engine, so a bad one is said as every other flag's bad value (with the command's --help). */
export function engineChoice(raw: string): EngineKind {
  if (raw === 'duckdb' || raw === 'athena') return raw;
  throw new InvalidArgumentError(`--engine must be duckdb or athena; received ${JSON.stringify(raw)}`);
}
