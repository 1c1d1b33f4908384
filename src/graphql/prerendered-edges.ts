import type { ColumnarResult } from '../../etl/engine/engine';
import { edgesBytes, type EdgeEntry, type EdgesSource, firstRows } from './edges-text';

/**
 * A page read ahead (page-hints.ts) has its edges' JSON text written once it
 * is the next page asked here, for the plan this process wrote last (a walk
 * asks every page with one document), by the worker that will serve it, while
 * the other worker answers the page before: on two cores that text (5–9 ms of
 * a 5,000-row page's main thread) leaves the request's path. A request uses it
 * only for the same plan, the same field columns and exactly the rows it
 * shows: those rows are checked against the consent registry at serve time
 * (visibleRows), so a row hidden since the read makes the text be written
 * again, then, from the rows still shown. The same function writes both, from
 * the same columns: the same bytes.
 */

interface Prerendered {
  plan: readonly EdgeEntry[];
  fieldColumns: Readonly<Record<string, string>>;
  /** The text is of rows 0 .. rows - 1. */
  rows: number;
  /** The text's UTF-8 bytes (the answer is sent as bytes: raw-json.ts). */
  text: Buffer;
}

const texts = new WeakMap<object, Prerendered>();
/** Pages a request here has written already (it came before the text was written ahead): not written again. */
const written = new WeakSet<object>();
const planKeys = new WeakMap<readonly EdgeEntry[], string>();
/** Private: the plan each dataset (its field columns) was written with last, so a walk's plan outlives other fields' pages. */
const lastPlans = new WeakMap<Readonly<Record<string, string>>, readonly EdgeEntry[]>();

const keyOf = (plan: readonly EdgeEntry[]): string => {
  let key = planKeys.get(plan);
  if (key === undefined) planKeys.set(plan, (key = JSON.stringify(plan)));
  return key;
};

/** Notes the plan a request here wrote a dataset's edges with: the plan a page of it read ahead is written for. */
export function notePlan(plan: readonly EdgeEntry[], fieldColumns: Readonly<Record<string, string>>): void {
  lastPlans.set(fieldColumns, plan);
}

/**
 * Writes the edges' text of the first `first` rows of a page read ahead, for
 * the plan noted last for its dataset; nothing without one, or when the text
 * cannot be written (the request then answers the usual way).
 */
export function prerenderEdges(result: ColumnarResult, first: number, fieldColumns: Readonly<Record<string, string>>): void {
  const plan = lastPlans.get(fieldColumns);
  if (!plan || written.has(result.columns)) return;
  const rows = Math.min(first, result.rowCount);
  const text = edgesBytes(plan, { columns: result.columns, rows: firstRows(rows), fieldColumns });
  if (text !== undefined) texts.set(result.columns, { plan, fieldColumns, rows, text });
}

/** A page read ahead's `prepare` (page-read-ahead.ts): its edges written for `first` rows, for a dataset whose edges are text; else none. */
export function edgesPreparer(fieldColumns: Readonly<Record<string, string>> | undefined, first: number): ((result: ColumnarResult) => void) | undefined {
  return fieldColumns ? (result) => prerenderEdges(result, first, fieldColumns) : undefined;
}

/** The text written ahead for this very source and plan (its rows exactly 0 .. n - 1), else undefined. */
export function prerenderedText(plan: readonly EdgeEntry[], source: EdgesSource): Buffer | undefined {
  const held = texts.get(source.columns);
  written.add(source.columns);
  if (!held || held.fieldColumns !== source.fieldColumns || !sameRows(source.rows, held.rows)) return undefined;
  if (held.plan !== plan && keyOf(held.plan) !== keyOf(plan)) return undefined;
  texts.delete(source.columns);
  return held.text;
}

function sameRows(rows: ArrayLike<number>, n: number): boolean {
  if (rows.length !== n) return false;
  for (let i = 0; i < n; i += 1) if (rows[i] !== i) return false;
  return true;
}
