import type { ColumnarResult, Row } from '../../etl/engine/engine';
import type { ConsentSnapshot } from '../consent/consent-snapshot';
import type { Logger } from '../logger';
import { countOnlyAnswer } from './count-only';
import { type CursorScope, encodeCursor, type KeyValue } from './cursor';
import type { Dataset, Node } from './datasets/dataset';
import type { EdgesSource } from './edges-text';
import type { PageInfo } from './pagination';

/**
 * A Relay connection as the resolvers return it. Edge cursors are encoded
 * only when a client asks for them, and totalCount only runs its query when
 * selected (graphql-js calls function-valued properties).
 */
export class PageEdge<N extends Node> {
  constructor(
    readonly node: N,
    private readonly dataset: Dataset<N>,
    private readonly scope: CursorScope,
  ) {}

  get cursor(): string {
    return cursorOf(this.dataset, this.node, this.scope);
  }
}

export interface PageConnection<N extends Node> {
  edges: PageEdge<N>[];
  /** The edges' nodes (the `nodes` shorthand). */
  nodes: N[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
  /** The version the page was read from (the live one, or the one its `after` cursor or its parent customer pinned). */
  lakeVersion: string;
  /** The page's rows as columns, when it was read so (rendered-edges.ts writes its edges from them). */
  edgesSource?: EdgesSource;
}

/** A connection read for its totalCount alone (count-only.ts). */
export function countOnlyConnection<N extends Node>(totalCount: () => Promise<number>, lakeVersion: string): PageConnection<N> {
  return countOnlyAnswer('a connection', ['edges', 'nodes', 'pageInfo'], { totalCount, lakeVersion });
}

export const cursorOf = <N extends Node>(ds: Dataset<N>, node: N, scope: CursorScope): string =>
  encodeCursor(
    ds.kind,
    node.version,
    ds.key.map((k) => (node as unknown as Record<string, KeyValue>)[k.name]),
    scope,
  );

/**
 * Rows to nodes, dropping any customer the consent snapshot hides. The SQL
 * already excluded them; a drop here means the two disagree, which is logged.
 */
export function visibleNodes<N extends Node>(ds: Dataset<N>, rows: readonly Row[], version: string, consent: ConsentSnapshot, logger: Logger): N[] {
  return visible(ds, rows.length, (i) => rows[i], version, consent, logger);
}

/** The same from a columnar result: one scratch row refilled per index (every fromRow copies what it reads). */
export function visibleNodesOfColumns<N extends Node>(ds: Dataset<N>, result: ColumnarResult, version: string, consent: ConsentSnapshot, logger: Logger): N[] {
  const names = Object.keys(result.columns);
  const columns = names.map((name) => result.columns[name]);
  const row: Row = {};
  const rowAt = (i: number): Row => {
    for (let c = 0; c < names.length; c += 1) row[names[c]] = columns[c][i];
    return row;
  };
  return visible(ds, result.rowCount, rowAt, version, consent, logger);
}

/**
 * The rows of a columnar result the consent snapshot shows (as `visibleNodes`
 * decides, from the serial and email columns of the node's fields), by index.
 */
export function visibleRows<N extends Node>(ds: Dataset<N>, result: ColumnarResult, fieldColumns: Readonly<Record<string, string>>, version: string, consent: ConsentSnapshot, logger: Logger): number[] {
  const serials = result.columns[fieldColumns.serialNumber];
  const emails = fieldColumns.email === undefined ? undefined : result.columns[fieldColumns.email];
  const hiddenSerials = consent.hiddenIn(version);
  const hiddenEmails = consent.hiddenEmails;
  // Sized once (pushing 10,000 rows grew the array a dozen times); a serial repeated from the row before is not looked up again.
  const rows = new Array<number>(result.rowCount);
  let kept = 0;
  let serialBefore: unknown;
  let serialHidden = false;
  for (let i = 0; i < result.rowCount; i += 1) {
    const serial = serials[i];
    if (i === 0 || serial !== serialBefore) {
      serialHidden = hiddenSerials.has(serial as string);
      serialBefore = serial;
    }
    const email = emails?.[i];
    if (!serialHidden && !(email != null && hiddenEmails.has(email as string))) rows[kept++] = i;
  }
  rows.length = kept;
  const dropped = result.rowCount - kept;
  if (dropped > 0) logger.warn({ kind: ds.kind, version, dropped, generation: consent.generation }, 'consent check in JS dropped rows the SQL filter let through');
  return rows;
}

function visible<N extends Node>(ds: Dataset<N>, count: number, rowAt: (i: number) => Row, version: string, consent: ConsentSnapshot, logger: Logger): N[] {
  const nodes: N[] = [];
  const hiddenSerials = consent.hiddenIn(version);
  const hiddenEmails = consent.hiddenEmails;
  let dropped = 0;
  for (let i = 0; i < count; i += 1) {
    const node = ds.fromRow(rowAt(i), version);
    if (hiddenSerials.has(node.serialNumber) || (node.email != null && hiddenEmails.has(node.email))) dropped += 1;
    else nodes.push(node);
  }
  if (dropped > 0) logger.warn({ kind: ds.kind, version, dropped, generation: consent.generation }, 'consent check in JS dropped rows the SQL filter let through');
  return nodes;
}

/**
 * `toConnection` for the visible `rows` of a columnar result, up to first + 1:
 * a node is made only for what is read of it (edges, cursors), and the page
 * keeps its columns (`edgesSource`), from which its edges' JSON may be written.
 */
export function toColumnConnection<N extends Node>(
  ds: Dataset<N>,
  scope: CursorScope,
  result: ColumnarResult,
  fieldColumns: Readonly<Record<string, string>>,
  rows: number[],
  version: string,
  first: number,
  page: Pick<PageConnection<N>, 'totalCount'> & { hadMore: boolean; afterCursor: boolean },
): PageConnection<N> {
  const shown = rows.length > first ? rows.slice(0, first) : rows;
  const names = Object.keys(result.columns);
  const nodeAt = (r: number): N => {
    const row: Row = {};
    for (const name of names) row[name] = result.columns[name][r];
    return ds.fromRow(row, version);
  };
  let edges: PageEdge<N>[] | undefined;
  const edgesOf = (): PageEdge<N>[] => (edges ??= shown.map((r) => new PageEdge(nodeAt(r), ds, scope)));
  const last = shown.length > 0 ? nodeAt(shown[shown.length - 1]) : undefined;
  return {
    get edges() {
      return edgesOf();
    },
    get nodes() {
      return edgesOf().map((edge) => edge.node);
    },
    edgesSource: { columns: result.columns, rows: shown, fieldColumns },
    pageInfo: {
      hasNextPage: page.hadMore,
      hasPreviousPage: page.afterCursor,
      get startCursor() {
        return shown.length > 0 ? cursorOf(ds, nodeAt(shown[0]), scope) : null;
      },
      get endCursor() {
        return last ? cursorOf(ds, last, scope) : null;
      },
    },
    totalCount: page.totalCount,
    lakeVersion: version,
  };
}

/**
 * `fetched` holds up to first + 1 visible nodes: the extra one only says there
 * is a next page. A page read after a cursor has rows before it (the cursor's own).
 */
export function toConnection<N extends Node>(
  ds: Dataset<N>,
  scope: CursorScope,
  fetched: N[],
  first: number,
  hadMore: boolean,
  totalCount: () => Promise<number>,
  afterCursor: boolean,
  lakeVersion: string,
): PageConnection<N> {
  const page = fetched.length > first ? fetched.slice(0, first) : fetched;
  const edges = new Array<PageEdge<N>>(page.length);
  for (let i = 0; i < page.length; i += 1) edges[i] = new PageEdge(page[i], ds, scope);
  const last = page[page.length - 1];
  return {
    edges,
    nodes: page,
    // Own getters (a spread still copies their values): a page whose pageInfo cursors are not selected encodes none.
    pageInfo: {
      hasNextPage: hadMore,
      hasPreviousPage: afterCursor,
      get startCursor() {
        return page.length > 0 ? cursorOf(ds, page[0], scope) : null;
      },
      get endCursor() {
        return last ? cursorOf(ds, last, scope) : null;
      },
    },
    totalCount,
    lakeVersion,
  };
}
