import type { Row } from '../../etl/engine/engine';
import type { ConsentSnapshot } from '../consent/consent-snapshot';
import type { Logger } from '../logger';
import { type CursorScope, encodeCursor, type KeyValue } from './cursor';
import type { Dataset, Node } from './datasets/dataset';
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
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
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
  const nodes: N[] = [];
  const hiddenSerials = consent.hiddenSerials;
  const hiddenEmails = consent.hiddenEmails;
  let dropped = 0;
  for (const row of rows) {
    const node = ds.fromRow(row, version);
    if (hiddenSerials.has(node.serialNumber) || (node.email != null && hiddenEmails.has(node.email))) dropped += 1;
    else nodes.push(node);
  }
  if (dropped > 0) logger.warn({ kind: ds.kind, version, dropped, generation: consent.generation }, 'consent check in JS dropped rows the SQL filter let through');
  return nodes;
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
): PageConnection<N> {
  const page = fetched.length > first ? fetched.slice(0, first) : fetched;
  const edges = new Array<PageEdge<N>>(page.length);
  for (let i = 0; i < page.length; i += 1) edges[i] = new PageEdge(page[i], ds, scope);
  const last = page[page.length - 1];
  return {
    edges,
    pageInfo: {
      hasNextPage: hadMore,
      hasPreviousPage: afterCursor,
      startCursor: page.length > 0 ? cursorOf(ds, page[0], scope) : null,
      endCursor: last ? cursorOf(ds, last, scope) : null,
    },
    totalCount,
  };
}
