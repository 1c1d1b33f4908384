import type { ColumnTextReader } from '../../etl/engine/derived-column-text';
import { giveBack, takeBytes } from '../byte-pool';
import { batchTextOf, dropBatchText, forgetExpiredBatchText } from './batch-text-versions';
import type { ColumnarPage } from './columnar-page-reader';
import { listOfText } from './column-text';
import type { GraphqlContext } from './context';
import type { PageStart } from './connection-reader';
import { encodeCursor, type KeyValue } from './cursor';
import { machineLearningDataset, SAMPLE_COLUMNS } from './datasets/machine-learning.dataset';
import type { DatasetFilter } from './datasets/dataset';
import { type SerialIndex, serialIndex } from './page-bound';
import type { MachineLearningSample } from './types/machine-learning-sample.type';
import { indexDigest } from './prepare-batch-text';

/**
 * A machineLearningBatch page cut from the version's prepared column text
 * (prepare-batch-text.ts, kept by the engine's Engine.derivedColumnText
 * store, batch-text-versions.ts): no engine read, no values in JS, the six column
 * texts put into the answer as they are. Only where the page is exactly the
 * rows [i, i + first) of the version's training set in key order: no filter
 * or split, a kept version the consent registry hides nobody of (a
 * revocation since the build, an uncertain consent: every page of that
 * version is read from the engine again, with its SQL and JS consent
 * checks), and the serving serial index the same as the one the text was
 * prepared from. Anything else, or text not prepared yet, is undefined: the
 * caller reads the page as before. Rows, page info and cursors are the ones
 * the engine's page gives (tests/graphql/prepared-batch-page.test.ts).
 */

const ds = machineLearningDataset;
const KEY_COLUMNS = ['sensorReadingTime', 'x', 'y', 'z'].map((name) => SAMPLE_COLUMNS.indexOf(name as (typeof SAMPLE_COLUMNS)[number]));

/** Each serving index's first row of every serial, and whether it matches a file's digest. */
const starts = new WeakMap<SerialIndex, { starts: Float64Array; digest: string }>();

/** `started`: the page's start (pageStart of machineLearningBatch's arguments), found once by the resolver for its count too. */
export async function preparedBatchPage(ctx: GraphqlContext, started: PageStart<MachineLearningSample>, filter: DatasetFilter): Promise<ColumnarPage | undefined> {
  const { engine, config, logger } = ctx.services;
  if (!config.batchText || !engine.derivedColumnText || filter.serialNumber != null || filter.from != null || filter.to != null || filter.split) return undefined;
  const { first, consent, scope, cursorScope, cursor } = started;
  const version = scope.version;
  if (!consent.covers(version) || scope.exclusions.length > 0) return undefined;
  const kept = (await ctx.lake.manifest()).versions.map((v) => v.version);
  forgetExpiredBatchText(engine, kept);
  if (!kept.includes(version) || ctx.lake.isDamaged(version)) return undefined;
  const text = batchTextOf(engine, version, logger);
  if (!text) return undefined;
  const index = await serialIndex(scope);
  const runs = index && startsOf(index);
  if (!index || !runs || runs.digest !== text.meta.digest) return undefined;
  let lists: Buffer[] | undefined;
  try {
    let from = 0;
    if (cursor) {
      const at = index.position.get(cursor.position[0] as string);
      if (at === undefined) return undefined;
      from = runs.starts[at] + rowsUpTo(text, runs.starts[at], index.counts[at], cursor.position.slice(1) as number[]);
    }
    const to = Math.min(from + first, text.meta.rows);
    const rowCount = to - from;
    const serialFirst = rowCount > 0 ? serialAt(runs.starts, from) : 0;
    const serialLast = rowCount > 0 ? serialAt(runs.starts, to - 1) : -1;
    // Consent at serve time: every customer of the page checked against what the registry hides from this version.
    const hidden = consent.hiddenIn(version);
    for (let s = serialFirst; s <= serialLast; s += 1) if (hidden.has(index.serials[s])) return undefined;
    // Each column's JSON (its values' texts in brackets) as bytes, all in one pooled buffer: no JS string of the page is made.
    lists = readLists(text, from, to);
    const serials = lists[0];
    if (rowCount > 0 && !(startsWith(serials, `[${JSON.stringify(index.serials[serialFirst])}`) && endsWith(serials, `${JSON.stringify(index.serials[serialLast])}]`))) {
      logger.warn({ version, from, to }, 'prepared batch text does not match the serial index; the page is read from the engine');
      giveBack(serials);
      return undefined;
    }
    const page = lists;
    const keyAt = (serial: number, row: 'first' | 'last'): KeyValue[] => [index.serials[serial], ...KEY_COLUMNS.map((c) => Number(valueText(page[c], row)))];
    const cursorAt = (position: KeyValue[] | null): string | null => (position ? encodeCursor(ds.kind, version, position, cursorScope) : null);
    const columns: Record<string, unknown[]> = {};
    SAMPLE_COLUMNS.forEach((name, c) => (columns[name] = listOfText(page[c])));
    const pageInfo = {
      hasNextPage: text.meta.rows - from > first,
      hasPreviousPage: cursor !== undefined,
      startCursor: cursorAt(rowCount > 0 ? keyAt(serialFirst, 'first') : null),
      endCursor: cursorAt(rowCount > 0 ? keyAt(serialLast, 'last') : null),
    };
    return { rowCount, columns, pageInfo, version };
  } catch (error) {
    // A file damaged or cut short since it was opened: never a page of wrong bytes.
    logger.warn({ version, err: error }, 'prepared batch text could not be read; the page is read from the engine');
    if (lists) giveBack(lists[0]);
    dropBatchText(engine, version);
    return undefined;
  }
}

/** Each column's JSON list of rows [from, to) (its values' texts in brackets), read into one buffer from the byte pool. */
export function readLists(text: ColumnTextReader, from: number, to: number): Buffer[] {
  const spans = text.spans(from, to);
  const bytes = takeBytes(spans.reduce((n, span) => n + span.length + 2, 0));
  const lists: Buffer[] = [];
  let at = 0;
  try {
    spans.forEach((span, c) => {
      bytes[at] = OPEN;
      text.read(c, span, bytes, at + 1);
      bytes[at + 1 + span.length] = CLOSE;
      lists.push(bytes.subarray(at, at + span.length + 2));
      at += span.length + 2;
    });
  } catch (error) {
    giveBack(bytes);
    throw error;
  }
  return lists;
}

function startsOf(index: SerialIndex): { starts: Float64Array; digest: string } {
  let known = starts.get(index);
  if (!known) {
    const first = new Float64Array(index.counts.length);
    for (let i = 1; i < first.length; i += 1) first[i] = first[i - 1] + index.counts[i - 1];
    starts.set(index, (known = { starts: first, digest: indexDigest(index.serials, index.counts) }));
  }
  return known;
}

/** The serial (its place in the index) holding row `row`: the last start at or before it. */
function serialAt(first: Float64Array, row: number): number {
  let low = 0;
  let high = first.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (first[mid] <= row) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Rows of one serial (rows start..start + count) whose (time, x, y, z) is at or before `after`: the keyset's `>` skips them. */
function rowsUpTo(text: ColumnTextReader, start: number, count: number, after: readonly number[]): number {
  const spans = text.spans(start, start + count);
  const columns = KEY_COLUMNS.map((c) => {
    const bytes = Buffer.allocUnsafe(spans[c].length);
    text.read(c, spans[c], bytes, 0);
    // Numbers: ASCII text.
    return bytes.toString('latin1').split(',').map(Number);
  });
  for (let r = 0; r < count; r += 1) {
    for (let k = 0; k < after.length; k += 1) {
      const value = columns[k][r];
      if (value < after[k]) break;
      if (value > after[k]) return r;
      if (k === after.length - 1) return r + 1; // equal keys: the row is the cursor's own
    }
  }
  return count;
}

/** The text of the first or last value of a list's JSON bytes (a number: no comma or bracket inside). */
function valueText(list: Buffer, row: 'first' | 'last'): string {
  if (row === 'first') {
    const comma = list.indexOf(COMMA);
    return list.toString('latin1', 1, comma < 0 ? list.length - 1 : comma);
  }
  // No comma: one value, after the bracket.
  return list.toString('latin1', Math.max(list.lastIndexOf(COMMA), 0) + 1, list.length - 1);
}

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const startsWith = (bytes: Buffer, text: string): boolean => bytes.length >= text.length && bytes.toString('utf8', 0, Buffer.byteLength(text)) === text;
const endsWith = (bytes: Buffer, text: string): boolean => {
  const length = Buffer.byteLength(text);
  return bytes.length >= length && bytes.toString('utf8', bytes.length - length) === text;
};
