import type { SqlValue } from '../engine';
import { ParameterError } from '../engine-errors';
import { refuseUnpairedSurrogate } from '../text-parameters';
import { placeholderClauses } from './sql-text';

/**
 * Values for Athena's positional `?` placeholders. Athena pastes each
 * ExecutionParameters entry into the statement as SQL text, so every value is
 * turned into one inert literal here: strings single-quoted with embedded
 * quotes doubled (Trino has no backslash escapes, so nothing else can end the
 * literal), numbers checked to be finite (safe integers as integers, other numbers as DOUBLE), booleans and null as keywords.
 * A string with an unpaired surrogate is refused: no UTF-8 text equals it, and
 * the request would reach Trino as some other character, compared instead.
 */

export { ParameterError };

export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      refuseUnpairedSurrogate(value);
      return checkedLength(`'${value.replace(/'/g, "''")}'`);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'number':
      if (!Number.isFinite(value)) throw new ParameterError(`a query parameter must be a finite number; received ${value}`);
      if (Number.isSafeInteger(value)) return String(value);
      // Exponent form makes Trino read a DOUBLE literal, never a DECIMAL with surprising precision; a whole
      // double past 2^53 (an x of 1e16 in a cursor) is a DOUBLE too, never a BIGINT (integer keys are safe integers).
      return value.toExponential();
    default:
      throw new ParameterError(`a query parameter must be a string, number, boolean or null; received ${typeof value}`);
  }
}

/** StartQueryExecution refuses an ExecutionParameters entry longer than this (characters, quotes included). */
export const MAX_PARAMETER_CHARS = 1024;

// Without this, Athena's InvalidRequestException would reach the caller as an internal error.
function checkedLength(literal: string): string {
  if (literal.length <= MAX_PARAMETER_CHARS) return literal;
  throw new ParameterError(`a text query parameter may be at most ${MAX_PARAMETER_CHARS} characters on Athena, quotes included (a ' counts twice); received ${literal.length}`);
}

/**
 * The ExecutionParameters for `sql`: one literal per `?`, in order. Athena
 * accepts placeholders only in WHERE clauses, so a `?` anywhere else (a LIMIT,
 * a SELECT list, a JOIN condition) is refused here with a clear message
 * instead of an Athena syntax error: such values belong in the SQL text as
 * validated integers (see `sqlInteger`).
 */
export function executionParameters(sql: string, params: readonly SqlValue[]): string[] | undefined {
  const clauses = placeholderClauses(sql);
  if (clauses.length !== params.length) {
    throw new Error(`the statement has ${clauses.length} ? placeholders but ${params.length} parameters were given`);
  }
  clauses.forEach((clause, i) => {
    if (clause !== 'where') {
      throw new Error(`Athena accepts ? parameters only in a WHERE clause; parameter ${i + 1} is in a ${clause.toUpperCase()} clause`);
    }
  });
  // Athena rejects an empty ExecutionParameters list, so a statement without placeholders sends none.
  return params.length > 0 ? params.map(sqlLiteral) : undefined;
}

/** A whole number for the SQL text itself (LIMIT, OFFSET), checked so no raw input ever reaches it. */
export function sqlInteger(value: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ParameterError(`${what} must be a whole number from ${min} to ${max}; received ${JSON.stringify(value)}`);
  }
  return String(value);
}
