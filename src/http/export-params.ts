import type { ExportFormat } from '../../etl/engine/engine';
import { badInput } from '../errors';
import { SPLITS, type SplitName } from '../graphql/split';
import { isTimeInSeconds, timeInSecondsRefusal } from '../graphql/time-in-seconds';
import { quotedInput } from './quoted-input';

/**
 * The query string of GET /export/machine_learning_curated, checked strictly:
 * a misspelt parameter is an error rather than an export of the wrong rows.
 */
export interface ExportParams {
  format: ExportFormat;
  split?: SplitName;
  splitSeed?: string;
  /** One device (its ASCII case and spaces aside, as GraphQL's filter reads it) and a time window, both ends included. */
  serialNumber?: string;
  from?: number;
  to?: number;
}

export const EXPORT_FORMATS: Record<ExportFormat, { contentType: string; extension: string }> = {
  parquet: { contentType: 'application/vnd.apache.parquet', extension: 'parquet' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
};

const ALLOWED = new Set(['format', 'split', 'splitSeed', 'serialNumber', 'from', 'to']);
const USE = 'use format, split, splitSeed, serialNumber, from and to';

export function parseExportParams(query: Record<string, unknown>): ExportParams {
  for (const name of Object.keys(query)) {
    if (!ALLOWED.has(name)) throw badInput(`unknown parameter ${quotedInput(name)}; ${USE}`);
  }
  // Both enumerated values take any case (format=CSV, split=train); splitSeed is text, kept as given.
  const rawFormat = single(query, 'format');
  if (rawFormat === undefined) throw badInput('format is required: format=parquet, format=csv or format=ndjson');
  const format = rawFormat.toLowerCase();
  if (!Object.hasOwn(EXPORT_FORMATS, format)) throw badInput(`format must be parquet, csv or ndjson (any case); received ${quotedInput(rawFormat)}`);
  const rawSplit = single(query, 'split');
  const split = rawSplit === undefined ? undefined : (rawSplit.toUpperCase() as SplitName);
  if (split !== undefined && !SPLITS.includes(split)) throw badInput(`split must be TRAIN, VALIDATION or TEST (any case); received ${quotedInput(rawSplit ?? '')}`);
  const splitSeed = single(query, 'splitSeed');
  if (splitSeed !== undefined && split === undefined) throw badInput('splitSeed only applies to a split: add split=TRAIN, VALIDATION or TEST');
  // The seed's own rules (length) are checked where the split is applied, as for GraphQL.
  const serialNumber = single(query, 'serialNumber');
  if (serialNumber !== undefined && ([...serialNumber].length === 0 || [...serialNumber].length > 200)) {
    throw badInput(`serialNumber must be 1 to 200 characters; received ${[...serialNumber].length} characters`);
  }
  const from = epochMs(query, 'from');
  const to = epochMs(query, 'to');
  // A bound in seconds first: beside one in milliseconds it is also "before" it, and swapping would not help.
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && isTimeInSeconds(value)) throw badInput(timeInSecondsRefusal(name, value));
  }
  if (from !== undefined && to !== undefined && from > to) throw badInput(`from (${from}) is after to (${to}); swap them or widen the range`);
  return { format: format as ExportFormat, split, splitSeed, serialNumber, from, to };
}

/** A time bound as GraphQL's SafeInt takes it: epoch milliseconds in decimal digits (a date's text is refused, saying so). */
function epochMs(query: Record<string, unknown>, name: 'from' | 'to'): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const value = /^-?\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw badInput(`${name} must be epoch milliseconds in digits, such as ${name}=1655564000000; received ${quotedInput(text)}`);
  return value;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badInput(`give ${name} once, as a plain value`);
  return value;
}
