import type { Engine } from '../../etl/engine/engine';
import type { Logger } from '../logger';
import { BatchTextFile } from './batch-text-file';
import type { ColumnarPage } from './columnar-page-reader';
import { listOfText } from './column-text';
import type { GraphqlContext } from './context';
import { type PageArgs, pageStart } from './connection-reader';
import { encodeCursor, type KeyValue } from './cursor';
import { machineLearningDataset, SAMPLE_COLUMNS } from './datasets/machine-learning.dataset';
import type { DatasetFilter } from './datasets/dataset';
import { type SerialIndex, serialIndex } from './page-bound';
import { indexDigest, prepareBatchText } from './prepare-batch-text';

/**
 * A machineLearningBatch page cut from the version's prepared column text
 * (batch-text-file.ts): no engine read, no values in JS, the six column
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
const FIELD = 'machineLearningBatch';
const CURSOR_FIELD = 'machineLearningSamples';
/** How often a process without the files looks for them again (another process may be preparing them). */
const RECHECK_MS = 2_000;
const KEY_COLUMNS = ['sensorReadingTime', 'x', 'y', 'z'].map((name) => SAMPLE_COLUMNS.indexOf(name as (typeof SAMPLE_COLUMNS)[number]));

interface VersionText {
  file?: BatchTextFile;
  checkedAt: number;
  preparing?: Promise<unknown>;
}

const byEngine = new WeakMap<Engine, Map<string, VersionText>>();
/** Each serving index's first row of every serial, and whether it matches a file's digest. */
const starts = new WeakMap<SerialIndex, { starts: Float64Array; digest: string }>();

export async function preparedBatchPage(ctx: GraphqlContext, args: PageArgs, filter: DatasetFilter): Promise<ColumnarPage | undefined> {
  const { engine, config, logger } = ctx.services;
  if (!config.batchText || !engine.derivedPath || filter.serialNumber != null || filter.from != null || filter.to != null || filter.split) return undefined;
  const { first, consent, scope, cursorScope, cursor } = await pageStart(ctx, ds, args, filter, FIELD, CURSOR_FIELD);
  const version = scope.version;
  if (!consent.covers(version) || scope.exclusions.length > 0) return undefined;
  const kept = (await ctx.lake.manifest()).versions.map((v) => v.version);
  closeExpired(engine, kept);
  if (!kept.includes(version) || engine.versionState?.(version).state === 'damaged') return undefined;
  const file = textOf(engine, version, logger);
  if (!file) return undefined;
  const index = await serialIndex(scope);
  const runs = index && startsOf(index);
  if (!index || !runs || runs.digest !== file.meta.digest) return undefined;
  let from = 0;
  if (cursor) {
    const at = index.position.get(cursor.position[0] as string);
    if (at === undefined) return undefined;
    from = runs.starts[at] + rowsUpTo(file, runs.starts[at], index.counts[at], cursor.position.slice(1) as number[]);
  }
  const to = Math.min(from + first, file.meta.rows);
  const rowCount = to - from;
  const serialFirst = rowCount > 0 ? serialAt(runs.starts, from) : 0;
  const serialLast = rowCount > 0 ? serialAt(runs.starts, to - 1) : -1;
  // Consent at serve time: every customer of the page checked against the registry's hidden set.
  for (let s = serialFirst; s <= serialLast; s += 1) if (consent.hiddenSerials.has(index.serials[s])) return undefined;
  // Each column's JSON (its values' texts in brackets) as bytes, all in one buffer: no JS string of the page is made.
  const lists = file.lists(file.offsetsOf(from), file.offsetsOf(to));
  const serials = lists[0];
  if (rowCount > 0 && !(startsWith(serials, `[${JSON.stringify(index.serials[serialFirst])}`) && endsWith(serials, `${JSON.stringify(index.serials[serialLast])}]`))) {
    logger.warn({ version, from, to }, 'prepared batch text does not match the serial index; the page is read from the engine');
    return undefined;
  }
  const keyAt = (serial: number, row: 'first' | 'last'): KeyValue[] => [index.serials[serial], ...KEY_COLUMNS.map((c) => Number(valueText(lists[c], row)))];
  const cursorAt = (position: KeyValue[] | null): string | null => (position ? encodeCursor(ds.kind, version, position, cursorScope) : null);
  const columns: Record<string, unknown[]> = {};
  SAMPLE_COLUMNS.forEach((name, c) => (columns[name] = listOfText(lists[c])));
  const pageInfo = {
    hasNextPage: file.meta.rows - from > first,
    hasPreviousPage: cursor !== undefined,
    startCursor: cursorAt(rowCount > 0 ? keyAt(serialFirst, 'first') : null),
    endCursor: cursorAt(rowCount > 0 ? keyAt(serialLast, 'last') : null),
  };
  return { rowCount, columns, pageInfo };
}

/** The version's open files; none yet: prepared in the background (one process) while pages are read from the engine. */
function textOf(engine: Engine, version: string, logger: Logger): BatchTextFile | undefined {
  let versions = byEngine.get(engine);
  if (!versions) byEngine.set(engine, (versions = new Map()));
  let state = versions.get(version);
  if (state?.file) return state.file;
  const now = Date.now();
  if (state && (state.preparing || now - state.checkedAt < RECHECK_MS)) return undefined;
  const base = engine.derivedPath!('machine_learning_curated', version);
  const file = BatchTextFile.open(base, version, SAMPLE_COLUMNS);
  state = { file, checkedAt: now };
  versions.set(version, state);
  if (file) return file;
  const current = state;
  current.preparing = prepareBatchText(engine, version, base, logger)
    .catch((error: unknown) => logger.warn({ version, err: error }, 'preparing the batch column text failed; batch pages are read from the engine'))
    .finally(() => {
      current.preparing = undefined;
      current.checkedAt = 0;
    });
  return undefined;
}

/** Closes the files of versions no longer kept: an expired version's files are deleted, and an open one keeps its disk space. */
function closeExpired(engine: Engine, kept: readonly string[]): void {
  const versions = byEngine.get(engine);
  if (!versions) return;
  for (const [version, state] of versions) {
    if (kept.includes(version) || state.preparing) continue;
    state.file?.close();
    versions.delete(version);
  }
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
function rowsUpTo(file: BatchTextFile, start: number, count: number, after: readonly number[]): number {
  const begin = file.offsetsOf(start);
  const end = file.offsetsOf(start + count);
  const columns = KEY_COLUMNS.map((c) => file.text(c, begin[c], end[c]).split(',').map(Number));
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
const startsWith = (bytes: Buffer, text: string): boolean => bytes.length >= text.length && bytes.toString('utf8', 0, Buffer.byteLength(text)) === text;
const endsWith = (bytes: Buffer, text: string): boolean => {
  const length = Buffer.byteLength(text);
  return bytes.length >= length && bytes.toString('utf8', bytes.length - length) === text;
};
