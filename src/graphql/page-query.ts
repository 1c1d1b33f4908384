import type { Engine, SqlValue } from '../../etl/engine/engine';
import type { SplitPercentages } from '../config';
import type { KeyValue } from './cursor';
import type { Dataset, DatasetFilter, Node } from './datasets/dataset';
import { keysetAfter } from './keyset';
import { pageUpperBound, serialKeys } from './page-bound';
import { splitCondition } from './split';
import { SqlConditions } from './sql-conditions';

/**
 * The four query shapes every connection uses: a keyset page, its count, and
 * the batched forms for nested fields (one query for all parents of a level:
 * a window function cuts each parent's rows to its page).
 */
export interface BuiltQuery {
  sql: string;
  params: SqlValue[];
  /** The same page read unsorted, where the table is stored in key order (stored-order-read.ts); same params. */
  inStoredOrder?: StoredOrderQuery;
}

/** Every row of a bounded page's range in stored order (at most `cap` - 1 of them), of which rows offset..offset + limit are the page. */
export interface StoredOrderQuery {
  sql: string;
  offset: number;
  limit: number;
  cap: number;
  /** When set, the query reads each row's serial as its engine text key (column `serialKey`), and these are the serials by key. */
  serials?: ReadonlyMap<number, string>;
}

export interface Scope<N extends Node> {
  engine: Engine;
  dataset: Dataset<N>;
  version: string;
  filter: DatasetFilter;
  /** Serials the consent registry hides in this version. */
  exclusions: readonly string[];
  split: SplitPercentages;
}

/** Consent first, then the caller's filter; all values bound. */
export function scopeConditions<N extends Node>(s: Scope<N>): SqlConditions {
  const { dataset: ds, filter } = s;
  const c = new SqlConditions().notIn(ds.serialExpr, s.exclusions);
  const serials = filter.serialSpellings ?? (filter.serialNumber != null ? [filter.serialNumber] : []);
  if (serials.length === 1) c.add(`${ds.serialExpr} = ?`, serials[0]);
  else if (serials.length > 1) c.in(ds.serialExpr, serials);
  if (filter.from != null) c.add(`${ds.timeExpr} >= ?`, filter.from);
  if (filter.to != null) c.add(`${ds.timeExpr} <= ?`, filter.to);
  if (filter.split) {
    const split = splitCondition(s.engine.dialect, ds.serialExpr, filter.split, filter.splitSeed ?? '', s.split);
    c.add(split.sql, ...split.params);
  }
  return c;
}

function checkLimit(limit: number): number {
  // Written into the text (LIMIT takes no parameter on Athena), so it must be a plain positive integer.
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`a row limit must be a positive whole number; received ${limit}`);
  return limit;
}

const orderBy = <N extends Node>(ds: Dataset<N>): string => ds.key.map((k) => k.expr).join(', ');

/** `offset`: rows of the page skipped before its `limit` rows (the read-ahead skips a page another worker serves). */
export async function pageQuery<N extends Node>(s: Scope<N>, after: readonly KeyValue[] | undefined, limit: number, offset = 0): Promise<BuiltQuery> {
  const c = scopeConditions(s);
  if (after) {
    const keyset = keysetAfter(s.dataset.key.map((k) => k.expr), after);
    c.add(keyset.sql, ...keyset.params);
  }
  const bound = await pageUpperBound(s, after, offset + limit);
  if (bound !== undefined) c.add(`${s.dataset.serialExpr} <= ?`, bound);
  // OFFSET before LIMIT: the order both DuckDB and Athena (Trino) accept.
  const skip = offset > 0 ? ` OFFSET ${checkLimit(offset)}` : '';
  const from = `SELECT ${s.dataset.select} FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()}`;
  const sql = `${from} ORDER BY ${orderBy(s.dataset)}${skip} LIMIT ${checkLimit(limit)}`;
  if (bound === undefined || !s.dataset.storedInKeyOrder || !s.engine.keyOrderedStorage) return { sql, params: c.params };
  // The bound keeps the range near offset + limit rows (plus the rest of two serials); twice that reads it all.
  const cap = checkLimit(2 * (offset + limit) + 1_000);
  const serials = await serialKeys(s);
  if (!serials) return { sql, params: c.params, inStoredOrder: { sql: `${from} LIMIT ${cap}`, offset, limit, cap } };
  // The serial read as its key: DuckDB parsing each row's serial into a UUID (and JS writing it back) was ~3 ms of a 10,000-row page.
  const keyed = `SELECT ${s.engine.dialect.textKey!(s.dataset.serialExpr)} AS "serialKey", ${s.dataset.selectWithoutSerial} FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()}`;
  return { sql, params: c.params, inStoredOrder: { sql: `${keyed} LIMIT ${cap}`, offset, limit, cap, serials } };
}

export async function countQuery<N extends Node>(s: Scope<N>): Promise<BuiltQuery> {
  const c = scopeConditions(s);
  return { sql: `SELECT count(*) AS "count" FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()}`, params: c.params };
}

/** Up to `limit` rows of each parent serial, after `after` (a position within one parent's rows). */
export async function nestedPageQuery<N extends Node>(s: Scope<N>, serials: readonly string[], after: readonly KeyValue[] | undefined, limit: number): Promise<BuiltQuery> {
  const ds = s.dataset;
  // One parent (a customer and its readings) needs no window function: a plain keyset page is ~4x faster.
  if (serials.length === 1) return pageQuery({ ...s, filter: { ...s.filter, serialNumber: serials[0], serialSpellings: undefined } }, after, limit);
  const c = scopeConditions(s).in(ds.serialExpr, serials);
  if (after) {
    const keyset = keysetAfter(ds.key.map((k) => k.expr), after);
    c.add(keyset.sql, ...keyset.params);
  }
  // Within a parent the serial is one value: ordering by it too made DuckDB's window sort on one more key (twice the time).
  const inParent = ds.key.filter((k) => k.expr !== ds.serialExpr);
  const rankOrder = inParent.length > 0 ? inParent.map((k) => k.expr).join(', ') : orderBy(ds);
  const ranked = `SELECT ${ds.select}, row_number() OVER (PARTITION BY ${ds.serialExpr} ORDER BY ${rankOrder}) AS "rank_in_parent" FROM ${await ds.from(s.engine, s.version)} ${c.where()}`;
  const sql = `SELECT * FROM (${ranked}) AS ranked WHERE "rank_in_parent" <= ${checkLimit(limit)} ORDER BY ${ds.key.map((k) => `"${k.name}"`).join(', ')}`;
  return { sql, params: c.params };
}

export async function nestedCountQuery<N extends Node>(s: Scope<N>, serials: readonly string[]): Promise<BuiltQuery> {
  const ds = s.dataset;
  const c = scopeConditions(s).in(ds.serialExpr, serials);
  return {
    sql: `SELECT ${ds.serialExpr} AS "serialNumber", count(*) AS "count" FROM ${await ds.from(s.engine, s.version)} ${c.where()} GROUP BY ${ds.serialExpr}`,
    params: c.params,
  };
}

/** Every row of the given serials (customers by serialNumber). */
export async function lookupQuery<N extends Node>(s: Scope<N>, serials: readonly string[]): Promise<BuiltQuery> {
  const c = scopeConditions(s).in(s.dataset.serialExpr, serials);
  return { sql: `SELECT ${s.dataset.select} FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()}`, params: c.params };
}

/** Every row of the scope in key order (bulk export). */
export async function allRowsQuery<N extends Node>(s: Scope<N>): Promise<BuiltQuery> {
  const c = scopeConditions(s);
  return { sql: `SELECT ${s.dataset.select} FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()} ORDER BY ${orderBy(s.dataset)}`, params: c.params };
}
