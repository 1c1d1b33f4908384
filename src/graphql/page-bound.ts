import type { Engine } from '../../etl/engine/engine';
import type { KeyValue } from './cursor';
import type { Scope } from './page-query';
import type { Node } from './datasets/dataset';
import { SqlConditions } from './sql-conditions';
import { bucketOf, bucketRange } from './split';

/**
 * Where a keyset page must end at the latest. Served tables are stored in key
 * order (serialNumber first), but DuckDB still reads and sorts every row after
 * the cursor for an ORDER BY ... LIMIT of more than 5,000 rows. Rows per serial
 * (one GROUP BY per version, kept here) give the last serial a page can reach;
 * `serial <= bound` then lets the scan skip every later row group, so a page
 * costs the same at any depth and any table size.
 */

export interface SerialIndex {
  serials: string[];
  counts: number[];
  position: Map<string, number>;
  /** Each serial by its engine text key (SqlDialect.textKey); none when the engine has no key or two serials share one. */
  byKey?: ReadonlyMap<number, string>;
}

/** An index holds only the serials consent lets through: it is read again when the exclusions change. */
interface Cached {
  exclusions: readonly string[];
  index: Promise<SerialIndex | undefined>;
}

const MAX_INDEXES = 16;
const indexes = new WeakMap<Engine, Map<string, Cached>>();
const sameList = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((v, i) => v === b[i]));

/**
 * The largest serialNumber the page of `limit` rows after `after` can hold, or
 * undefined when no bound is known (no index, a time filter, a single serial).
 * The bound may only be loose, never tight: rows of the cursor's own serial are
 * not counted, and the page's filters other than consent and split make it loose too.
 */
export async function pageUpperBound<N extends Node>(s: Scope<N>, after: readonly KeyValue[] | undefined, limit: number): Promise<string | undefined> {
  const { dataset: ds, filter } = s;
  if (!ds.boundedPages || !s.engine.keyOrderedStorage || filter.serialNumber != null || filter.from != null || filter.to != null) return undefined;
  const index = await serialIndex(s);
  if (!index) return undefined;
  let i = 0;
  if (after) {
    const at = index.position.get(after[0] as string);
    // A cursor serial the version does not hold (a forged cursor): read without a bound.
    if (at === undefined) return undefined;
    i = at + 1;
  }
  const [low, high] = filter.split ? bucketRange(filter.split, s.split) : [0, 100];
  // An empty split matches nothing: SQL answers that at once, a walk would hash every serial.
  if (high <= low) return undefined;
  let rows = 0;
  for (; i < index.serials.length; i += 1) {
    const serial = index.serials[i];
    if (filter.split) {
      const bucket = bucketOf(filter.splitSeed ?? '', serial);
      if (bucket < low || bucket >= high) continue;
    }
    rows += index.counts[i];
    if (rows >= limit) return serial;
  }
  return undefined;
}

/** Rows per visible serial of one dataset in one version, in the engine's order; undefined when it cannot be read. */
export function serialIndex<N extends Node>(s: Scope<N>): Promise<SerialIndex | undefined> {
  let cache = indexes.get(s.engine);
  if (!cache) indexes.set(s.engine, (cache = new Map()));
  const key = `${s.dataset.kind}|${s.version}`;
  const cached = cache.get(key);
  if (cached && sameList(cached.exclusions, s.exclusions)) return cached.index;
  const index = readIndex(s).then((read) => {
    // Only an optimisation: a failed read is forgotten, and the page query reports whatever went wrong.
    if (!read && cache.get(key)?.index === index) cache.delete(key);
    return read;
  });
  cache.delete(key);
  cache.set(key, { exclusions: s.exclusions, index });
  if (cache.size > MAX_INDEXES) cache.delete(cache.keys().next().value as string);
  return index;
}

async function readIndex<N extends Node>(s: Scope<N>): Promise<SerialIndex | undefined> {
  const serial = s.dataset.serialExpr;
  // Consent applies here too: hidden customers' serials never enter the index.
  const c = new SqlConditions().notIn(serial, s.exclusions);
  try {
    const textKey = s.engine.dialect.textKey;
    const key = textKey ? `, ${textKey(serial)} AS "key"` : '';
    const sql = `SELECT ${serial} AS "serialNumber", count(*) AS "count"${key} FROM ${await s.dataset.from(s.engine, s.version)} ${c.where()} GROUP BY ${serial} ORDER BY ${serial}`;
    const rows = await s.engine.query(sql, c.params);
    const serials = rows.map((r) => r.serialNumber as string);
    const byKey = textKey ? serialsByKey(rows.map((r) => r.key), serials) : undefined;
    return { serials, counts: rows.map((r) => Number(r.count)), position: new Map(serials.map((v, i) => [v, i])), byKey };
  } catch {
    return undefined;
  }
}

/**
 * The visible serials of a bounded page's scope by their engine text key, when every key is a safe integer
 * and names one serial only (else undefined: the page reads serials as text). The index is the one the page's
 * bound came from (same version, same consent exclusions), so it holds every serial such a page can return.
 */
export async function serialKeys<N extends Node>(s: Scope<N>): Promise<ReadonlyMap<number, string> | undefined> {
  if (!s.dataset.boundedPages || !s.dataset.selectWithoutSerial || !s.engine.keyOrderedStorage || !s.engine.dialect.textKey) return undefined;
  return (await serialIndex(s))?.byKey;
}

function serialsByKey(keys: readonly unknown[], serials: readonly string[]): ReadonlyMap<number, string> | undefined {
  const byKey = new Map<number, string>();
  for (let i = 0; i < serials.length; i += 1) {
    const key = keys[i];
    if (typeof key !== 'number' || !Number.isSafeInteger(key) || typeof serials[i] !== 'string' || byKey.has(key)) return undefined;
    byKey.set(key, serials[i]);
  }
  return byKey;
}
