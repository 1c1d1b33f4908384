import type { SqlValue } from './engine';
import { ParameterError } from './engine-errors';

/**
 * Text parameters must be valid Unicode on every engine. A JSON body may carry
 * an unpaired surrogate ("\ud800"): no UTF-8 text stored in the lake equals it,
 * and each engine would bind it as some other character (DuckDB as U+FFFD,
 * Athena pasted into the statement's text), comparing that instead. Refused as
 * the caller's input, naming the code unit, never the value.
 */

// Private: a high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function refuseUnpairedSurrogate(value: string): void {
  const lone = UNPAIRED_SURROGATE.exec(value)?.[0];
  if (lone === undefined) return;
  throw new ParameterError(`a text query parameter must be valid Unicode; it holds an unpaired surrogate (U+${lone.charCodeAt(0).toString(16).toUpperCase()})`);
}

/** Every text among `params` checked as refuseUnpairedSurrogate checks one. */
export function refuseUnpairedSurrogates(params: readonly SqlValue[]): void {
  for (const value of params) if (typeof value === 'string') refuseUnpairedSurrogate(value);
}
