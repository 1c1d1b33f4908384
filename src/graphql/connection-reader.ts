import type { GraphQLResolveInfo } from 'graphql';
import type { ColumnarResult, Row } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import type { SplitPercentages } from '../config';
import { badInput } from '../errors';
import type { GraphqlContext } from './context';
import { countOnlyConnection, type PageConnection, toColumnConnection, toConnection, visibleNodes, visibleNodesOfColumns, visibleRows } from './connection';
import { asksOnlyTotalCount } from './count-only';
import { checkConsentMark, checkUnlistedMark, everyHidden } from './consent-mark';
import { decodeCursor, type Cursor, type CursorScope, type KeyValue } from './cursor';
import { columnarDataset, queryColumns, sliceColumns } from './engine-columns';
import { fieldError } from './field-error';
import { type Dataset, type DatasetFilter, type Node, filterKey } from './datasets/dataset';
import { sameDevice, serialSpellings } from './serial-argument';
import { countQuery, pageQuery, type Scope } from './page-query';
import { pageSize } from './pagination';
import { fetchPage, readAheadOf } from './page-read-ahead';
import { edgesPreparer } from './prerendered-edges';
import { pageTurn } from './page-turns';
import { stopIfGone } from './still-wanted';
import { readPageColumns } from './stored-order-read';
import { totalCountCacheOf } from './total-count-cache';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Reads one page of a connection: one engine query for first + 1 rows from
 * the version the cursor pinned (or the live one), plus a cached count when
 * totalCount is selected; the count alone when nothing else is.
 */
export async function readConnection<N extends Node>(
  ctx: GraphqlContext,
  ds: Dataset<N>,
  args: PageArgs,
  filter: DatasetFilter,
  field: string,
  /** The field's selection: asked for its totalCount alone (count-only.ts), the arguments are checked and no page is read. */
  info?: Partial<Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>>,
): Promise<PageConnection<N>> {
  const { engine, logger, config } = ctx.services;
  if (info && asksOnlyTotalCount(info)) {
    const { scope, consent } = await pageStart(ctx, ds, args, filter, field);
    return countOnlyConnection(totalCountOf(ctx, ds, scope, consent.generation, filter, field), scope.version);
  }
  // A bulk page the read cache would not keep is read as columns, so no object per row is made before its node.
  const bulk = pageSize(args.first, config.maxPageSize, field) + 1 > ctx.services.reads.maxRowsPerEntry;
  const { first, query, scope, consent, cursorScope, afterCursor } = await topLevelPage(ctx, bulk ? columnarDataset(engine, ds) : ds, args, filter, field);
  const version = scope.version;
  // A first page of a set pulled whole: its next page is read ahead at once (a notebook asks for it next).
  const opensWalk = bulk && !afterCursor && ds.pulledWhole === true;
  const page = { readAhead: readAheadOf(ctx.services), scope, query, first, timeoutMs: ctx.budget.timeoutMs(), gone: ctx.gone, readAheadTimeoutMs: config.queryTimeoutMs, opensWalk };
  const count = totalCountOf(ctx, ds, scope, consent.generation, filter, field);
  if (bulk) {
    const fetched = await fetchPage<N, ColumnarResult>({
      ...page,
      shape: 'columns',
      edges: ds.fieldColumns !== undefined,
      // A walk served by this process (one connection) has its next page's edges written once that page is read.
      prepare: edgesPreparer(ds.fieldColumns, first),
      read: (q, options) => readPageColumns(ds, q, options, (sql, params, o) => queryColumns(engine, sql, params, o)),
      rowCount: (result) => result.rowCount,
      slice: sliceColumns,
      keyAt: (result, i) => ds.key.map((k) => result.columns[k.name][i] as KeyValue),
    });
    await pageTurn();
    stopIfGone(ctx.gone);
    const more = { totalCount: count, hadMore: fetched.rowCount > first, afterCursor };
    // Nodes only as they are read: the page's edges may be written from its columns (rendered-edges.ts).
    if (ds.fieldColumns) return toColumnConnection(ds, cursorScope, fetched, ds.fieldColumns, visibleRows(ds, fetched, ds.fieldColumns, version, consent, logger), version, first, more);
    return toConnection(ds, cursorScope, visibleNodesOfColumns(ds, fetched, version, consent, logger), first, more.hadMore, count, afterCursor, version);
  }
  const rows = await fetchPage<N, Row[]>({
    ...page,
    shape: 'rows',
    // Small pages are shared by every request asking the same (one read in flight): a client gone does not interrupt it.
    read: (q, { timeoutMs }) => ctx.services.reads.query(q.sql, q.params, { timeoutMs }),
    rowCount: (result) => result.length,
    slice: (result, start, end) => result.slice(start, end),
    keyAt: (result, i) => ds.key.map((k) => result[i][k.name] as KeyValue),
  });
  return toConnection(ds, cursorScope, visibleNodes(ds, rows, version, consent, logger), first, rows.length > first, count, afterCursor, version);
}

/**
 * What a top-level page reads: its size, the version the cursor pinned (or
 * the live one), the query of first + 1 rows, and the arguments its cursors
 * carry. `cursorField` names the field whose cursors it takes and issues
 * (another field may share them: machineLearningBatch and machineLearningSamples).
 */
export async function topLevelPage<N extends Node>(ctx: GraphqlContext, ds: Dataset<N>, args: PageArgs, filter: DatasetFilter, field: string, cursorField = field, started?: PageStart<N>) {
  // `started`: the caller's own start of this page (it counts in the same scope), read as `ds` reads (its columnar select).
  const { first, consent, scope: startScope, cursorScope, cursor } = started ?? (await pageStart(ctx, ds, args, filter, field, cursorField));
  const scope = startScope.dataset === ds ? startScope : { ...startScope, dataset: ds };
  return { first, consent, scope, cursorScope, afterCursor: cursor !== undefined, query: await pageQuery(scope, cursor?.position, first + 1) };
}

/** Where a top-level page starts: its size, its cursor (checked), the version and consent snapshot it reads. */
export async function pageStart<N extends Node>(ctx: GraphqlContext, ds: Dataset<N>, args: PageArgs, filter: DatasetFilter, field: string, cursorField = field) {
  const { engine, config } = ctx.services;
  const first = pageSize(args.first, config.maxPageSize, field);
  const cursorScope = scopeOf(cursorField, filter, config.split);
  // Noted before it is read: a cursor refused as stale (other split percentages) is the caller's, never run again.
  if (args.after != null) ctx.lake.noteCursor();
  const cursor = decodeAfter(args.after, ds, cursorScope, field);
  const version = cursor?.version ?? (await ctx.lake.liveVersion());
  const consent = await ctx.lake.consent();
  const device = filter.serialNumber;
  const read = device == null ? filter : { ...filter, serialSpellings: serialSpellings(device) };
  const scope: Scope<N> = { engine, dataset: ds, version, filter: read, exclusions: consent.exclusionsFor(version), split: config.split };
  // Pages of one device hold its rows alone: whom else consent hides cannot skew them (the device however it was typed).
  const marked = device == null ? scope.exclusions : scope.exclusions.filter((serial) => sameDevice(serial, device));
  // A version the registry does not cover (expired, unreadable) is refused by the engine, which says why.
  // What a worker with no list of the version yet (its refresh failed) marked its pages with; no stand-in while the
  // version hides someone hidden nowhere else (built under any, the lake as-of): their rows may be in those pages.
  const fallback = () => {
    if (!scope.exclusions.every((serial) => consent.hiddenSerials.has(serial))) return undefined;
    const every = everyHidden(consent.hiddenSerials);
    return device == null ? every : every.filter((serial) => sameDevice(serial, device));
  };
  const kept = await keptVersion(ctx, version);
  const markKey = kept?.cursorKey;
  // No kept version by that name (expired): the engine refuses its cursor, saying why; without its key no mark is checked.
  if (kept === undefined) return { first, consent, scope, cursorScope, cursor };
  if (consent.covers(version)) checkConsentMark(cursor, marked, field, fallback, markKey);
  else if (cursor) await checkUnlisted(ctx, cursor, marked, field, markKey);
  return { first, consent, scope, cursorScope: { ...cursorScope, hidden: marked, markKey }, cursor };
}

/** What pageStart finds: a page's size, checked cursor, version and consent snapshot. */
export type PageStart<N extends Node> = Awaited<ReturnType<typeof pageStart<N>>>;

/** `version`'s manifest entry, as the request read the manifest or, missing there (published since), as the engine has it now. */
async function keptVersion(ctx: GraphqlContext, version: string): Promise<VersionManifest | undefined> {
  return (await ctx.lake.manifest()).versions.find((v) => v.version === version) ?? (await ctx.services.engine.manifest())?.versions.find((v) => v.version === version);
}

/** A cursor of a version with no exclusion list here: refused unless it is kept and readable (the engine says why not) and its mark checks. */
async function checkUnlisted(ctx: GraphqlContext, cursor: Cursor, marked: readonly string[], field: string, markKey: string | undefined): Promise<void> {
  const { versions } = await ctx.lake.manifest();
  const kept = versions.find((v) => v.version === cursor.version);
  if (kept === undefined || ctx.lake.isDamaged(kept.version)) return;
  const lakeAsOf = versions[0].consentPolicy === 'as-of' || (ctx.services.config.consentPolicyGiven && ctx.services.config.consentPolicy === 'as-of');
  checkUnlistedMark(cursor, marked, field, kept.consentPolicy === 'any' && lakeAsOf, markKey);
}

/**
 * A nested connection of one parent customer, batched with its siblings.
 * A nested cursor belongs to one customer; it pins its own version.
 */
export async function readNestedConnection<N extends Node>(
  ctx: GraphqlContext,
  ds: Dataset<N>,
  parent: { serialNumber: string; version: string },
  args: PageArgs,
  filter: DatasetFilter,
  field: string,
): Promise<PageConnection<N>> {
  const first = pageSize(args.first, ctx.services.config.maxPageSize, field);
  const cursorScope = scopeOf(field, filter, ctx.services.config.split, parent.serialNumber);
  if (args.after != null) ctx.lake.noteCursor();
  const cursor = decodeAfter(args.after, ds, cursorScope);
  if (cursor && cursor.position[0] !== parent.serialNumber) {
    throw badInput(`the \`after\` cursor of ${field} belongs to another customer; pass it only on the customer whose page it came from`);
  }
  const version = cursor?.version ?? parent.version;
  const fetched = await ctx.loaders.nestedPage(ds, version, filter, cursor?.position, first + 1).load(parent.serialNumber);
  const totalCount = () => ctx.loaders.nestedCount(ds, version, filter).load(parent.serialNumber);
  return toConnection(ds, cursorScope, fetched, first, fetched.length > first, guarded(ctx, totalCount, `${field}.totalCount`), cursor !== undefined, version);
}

function decodeAfter<N extends Node>(after: string | null | undefined, ds: Dataset<N>, scope: CursorScope, askedOn?: string): Cursor | undefined {
  if (after === null || after === undefined) return undefined;
  return decodeCursor(after, ds.kind, ds.key.map((k) => k.type), scope, askedOn);
}

const scopeOf = (field: string, f: DatasetFilter, split: SplitPercentages, parent?: string): CursorScope => ({
  field,
  parent,
  filter: [f.serialNumber ?? null, f.from ?? null, f.to ?? null],
  split: f.split ?? null,
  splitSeed: f.splitSeed ?? null,
  splitPercentages: [split.train, split.validation],
});

/** A top-level connection's totalCount, run when asked: one count query per dataset, version, consent generation and filter, shared. */
export function totalCountOf<N extends Node>(ctx: GraphqlContext, ds: Dataset<N>, scope: Scope<N>, generation: number, filter: DatasetFilter, field: string): () => Promise<number> {
  // A version found damaged since is counted anew (and refused by the engine), never answered from before, as the response cache does.
  const countKey = `${ds.kind}|${scope.version}${ctx.lake.isDamaged(scope.version) ? '!' : ''}|${generation}|${filterKey(filter)}`;
  const counts = totalCountCacheOf(ctx.services);
  const totalCount = async (): Promise<number> => {
    const cached = counts.cached(countKey);
    if (cached) return cached;
    // This request's budget is checked before the count is shared with others asking the same.
    ctx.budget.startCount();
    const timeoutMs = ctx.budget.timeoutMs();
    return counts.get(countKey, async () => {
      const counting = await countQuery(scope);
      const [row] = await ctx.services.engine.query(counting.sql, counting.params, { timeoutMs });
      return Number(row?.count ?? 0);
    });
  };
  return guarded(ctx, totalCount, `${field}.totalCount`);
}

/** totalCount resolves through graphql-js's default resolver, so it maps its own errors. */
function guarded(ctx: GraphqlContext, count: () => Promise<number>, field: string): () => Promise<number> {
  return () =>
    count().catch(async (error: unknown) => {
      throw await fieldError(error, ctx, field);
    });
}
