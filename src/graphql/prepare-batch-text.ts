import { createHash } from 'node:crypto';
import type { ColumnTextWriter } from '../../etl/engine/derived-column-text';
import type { Engine } from '../../etl/engine/engine';
import type { Logger } from '../logger';
import { type ColumnItem, numbersAsTheyAre } from './column-text';
import { machineLearningDataset, SAMPLE_COLUMNS } from './datasets/machine-learning.dataset';
import { columnarDataset, queryColumns } from './engine-columns';
import { inKeyOrder } from './stored-order-read';

/**
 * Writes a version's training set once as the column texts a batch page is
 * sliced from, into the engine's store for them (Engine.derivedColumnText:
 * files beside the version for DuckDB), on the first batch request that
 * finds none (one process writes, by the store's lock; the others keep
 * reading pages from the engine until the set is complete).
 * The rows are read through the engine as a page reads them (same select,
 * same conversion), customer range by customer range in key order, and
 * each value's text is what the page's column text writes for it
 * (column-text.ts: JSON.stringify of a string, ToString of a number). Any row
 * a page's text could not be written for as it is (a value the column's
 * scalar would coerce or refuse), any key not strictly increasing as JS
 * compares it, or a count that differs from the version's, leaves the
 * version without prepared text: its pages are read as before.
 */

/** The item scalar of each batch column (MachineLearningColumns), as the executor writes its list. */
export const BATCH_COLUMN_ITEMS: Readonly<Record<(typeof SAMPLE_COLUMNS)[number], ColumnItem>> = {
  serialNumber: 'String',
  sensorReadingTime: 'SafeInt',
  distanceFromObject: 'SafeInt',
  x: 'Float',
  y: 'Float',
  z: 'Float',
};

/** Rows read and written at a time (a few customers' ranges): a few MB of JS at once. */
const CHUNK_ROWS = 50_000;

export type PrepareOutcome = 'prepared' | 'unusable' | 'busy';

/** One digest of a version's serials and rows per serial, in key order: the serving index must give the same. */
export function indexDigest(serials: readonly string[], counts: readonly number[]): string {
  const hash = createHash('sha256');
  for (let i = 0; i < serials.length; i += 1) hash.update(`${JSON.stringify(serials[i])}:${counts[i]}\n`);
  return hash.digest('hex');
}

/** The table the batch's texts are kept beside. */
export const BATCH_TABLE = 'machine_learning_curated';

export async function prepareBatchText(engine: Engine, version: string, logger: Logger): Promise<PrepareOutcome> {
  const store = engine.derivedColumnText?.(BATCH_TABLE, version);
  if (!store) return 'unusable';
  const writer = await store.startWrite(SAMPLE_COLUMNS);
  if (!writer) return 'busy';
  const started = Date.now();
  let outcome: PrepareOutcome = 'unusable';
  try {
    outcome = await writeAll(engine, version, writer);
    logger.info({ version, outcome, ms: Date.now() - started }, 'batch column text prepared');
    return outcome;
  } finally {
    if (outcome !== 'prepared') await writer.abandon();
  }
}

async function writeAll(engine: Engine, version: string, writer: ColumnTextWriter): Promise<PrepareOutcome> {
  const ds = columnarDataset(engine, machineLearningDataset);
  const from = await ds.from(engine, version);
  const serial = ds.serialExpr;
  const index = await engine.query(`SELECT ${serial} AS "serialNumber", count(*) AS "count" FROM ${from} GROUP BY ${serial} ORDER BY ${serial}`);
  const serials = index.map((r) => r.serialNumber);
  const counts = index.map((r) => Number(r.count));
  if (serials.some((s) => typeof s !== 'string')) return 'unusable';
  let lastSerial: string | undefined;
  for (let s = 0; s < serials.length; ) {
    let end = s;
    let rows = 0;
    while (end < serials.length && (end === s || rows + counts[end] <= CHUNK_ROWS)) rows += counts[end++];
    const sql = `SELECT ${ds.select} FROM ${from} WHERE ${serial} >= ? AND ${serial} <= ? ORDER BY ${ds.key.map((k) => k.expr).join(', ')}`;
    const chunk = await queryColumns(engine, sql, [serials[s] as string, serials[end - 1] as string], {});
    if (chunk.rowCount !== rows || !inKeyOrder(ds, chunk)) return 'unusable';
    const chunkSerials = chunk.columns.serialNumber as string[];
    // Chunks are whole customers in key order: each starts after the one before.
    if (lastSerial !== undefined && !(chunkSerials[0] > lastSerial)) return 'unusable';
    lastSerial = chunkSerials[rows - 1];
    const texts: string[][] = [];
    for (const name of SAMPLE_COLUMNS) {
      const values = chunk.columns[name] && valueTexts(chunk.columns[name], BATCH_COLUMN_ITEMS[name]);
      if (!values) return 'unusable';
      texts.push(values);
    }
    if (!(await writer.append(texts))) return 'unusable';
    s = end;
  }
  await writer.finish(indexDigest(serials as string[], counts));
  return 'prepared';
}

/**
 * Each value's JSON text as the column's text writes it (columnText: JSON.stringify of a string, ToString of a
 * number, joined by commas); undefined when that text would not be written (a value the scalar coerces or refuses).
 */
export function valueTexts(values: readonly unknown[], item: ColumnItem): string[] | undefined {
  if (item !== 'String') return numbersAsTheyAre(values, item) ? values.map(String) : undefined;
  const texts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (typeof value !== 'string') return undefined;
    // A customer's rows repeat its serial: escaped once a run.
    texts[i] = i > 0 && value === values[i - 1] ? texts[i - 1] : JSON.stringify(value);
  }
  return texts;
}
