import type { ColumnarResult } from '../../etl/engine/engine';
import type { ConsentSnapshot } from '../consent/consent-snapshot';
import type { Logger } from '../logger';
import type { GraphqlContext } from './context';
import { type PageArgs, type PageStart, topLevelPage } from './connection-reader';
import { encodeCursor, type KeyValue } from './cursor';
import type { Dataset, DatasetFilter, Node } from './datasets/dataset';
import { columnarDataset, queryColumns, sliceColumns } from './engine-columns';
import type { PageInfo } from './pagination';

export { queryColumns };
import { fetchPage, readAheadOf } from './page-read-ahead';
import { pageTurn } from './page-turns';
import { stopIfGone } from './still-wanted';
import { readPageColumns } from './stored-order-read';

/** A page of a top-level connection as one array per column, in the connection's order. */
export interface ColumnarPage {
  rowCount: number;
  columns: Record<string, unknown[]>;
  pageInfo: PageInfo;
  /** The lake version the page was read from: the live one, or the one its cursor pinned. */
  version: string;
}

/**
 * The same page `readConnection` reads (same query, consent check and
 * cursor), kept as the engine's column arrays: no object per row, so a page
 * costs a few arrays whatever its size.
 */
export async function readColumnarPage<N extends Node>(
  ctx: GraphqlContext,
  ds: Dataset<N>,
  names: readonly string[],
  args: PageArgs,
  filter: DatasetFilter,
  field: string,
  cursorField = field,
  /** The page's start when the caller found it already (pageStart). */
  started?: PageStart<N>,
): Promise<ColumnarPage> {
  const { engine, logger } = ctx.services;
  const { first, query, scope, consent, cursorScope, afterCursor } = await topLevelPage(ctx, columnarDataset(engine, ds), args, filter, field, cursorField, started);
  const fetched = await fetchPage<N, ColumnarResult>({
    readAhead: readAheadOf(ctx.services),
    scope,
    query,
    first,
    shape: 'columns',
    read: (q, options) => readPageColumns(ds, q, options, (sql, params, o) => queryColumns(engine, sql, params, o)),
    rowCount: (result) => result.rowCount,
    slice: sliceColumns,
    keyAt: (result, i) => ds.key.map((k) => result.columns[k.name][i] as KeyValue),
    timeoutMs: ctx.budget.timeoutMs(),
    gone: ctx.gone,
    readAheadTimeoutMs: ctx.services.config.queryTimeoutMs,
  });
  // A page of columns takes its turn as a bulk page of edges does (page-turns.ts): reads that return together were completed back to back.
  await pageTurn();
  stopIfGone(ctx.gone);
  const visible = visibleColumns(ds, fetched, scope.version, consent, logger);
  const rowCount = Math.min(first, visible.rowCount);
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const values = visible.columns[name] ?? [];
    if (values.length > rowCount) values.length = rowCount;
    columns[name] = values;
  }
  const cursorAt = (i: number): string | null =>
    rowCount === 0 ? null : encodeCursor(ds.kind, scope.version, ds.key.map((k) => columns[k.name][i] as KeyValue), cursorScope);
  const pageInfo = { hasNextPage: fetched.rowCount > first, hasPreviousPage: afterCursor, startCursor: cursorAt(0), endCursor: cursorAt(rowCount - 1) };
  return { rowCount, columns, pageInfo, version: scope.version };
}

/**
 * Drops the rows of any customer the consent snapshot hides, as visibleNodes
 * does for rows: the SQL already excluded them, so a drop is logged.
 */
export function visibleColumns<N extends Node>(ds: Dataset<N>, result: ColumnarResult, version: string, consent: ConsentSnapshot, logger: Logger): ColumnarResult {
  const serials = (result.columns.serialNumber ?? []) as string[];
  const hidden = consent.hiddenIn(version);
  // The common case allocates nothing: no row of a hidden customer (each run of one serial looked up once).
  if (hidden.size === 0 || !anyHidden(serials, hidden)) return result;
  const keep: number[] = [];
  for (let r = 0; r < result.rowCount; r += 1) if (!hidden.has(serials[r])) keep.push(r);
  logger.warn({ kind: ds.kind, version, dropped: result.rowCount - keep.length, generation: consent.generation }, 'consent check in JS dropped rows the SQL filter let through');
  const columns: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(result.columns)) columns[name] = keep.map((r) => values[r]);
  return { rowCount: keep.length, columns };
}

/** Whether any serial is hidden; a serial equal to the one before it (pages come in runs of one customer) is not looked up again. */
function anyHidden(serials: readonly string[], hidden: ReadonlySet<string>): boolean {
  let before: string | undefined;
  for (let r = 0; r < serials.length; r += 1) {
    const serial = serials[r];
    if (serial === before) continue;
    if (hidden.has(serial)) return true;
    before = serial;
  }
  return false;
}
