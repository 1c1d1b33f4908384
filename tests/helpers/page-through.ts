import type { Principal } from '../../src/auth/principal';
import type { Services } from '../../src/services';
import { queryData } from './run-graphql';

export interface Paged {
  nodes: Record<string, unknown>[];
  pages: number;
  totalCounts: number[];
  cursors: string[];
}

/**
 * Follows endCursor through a top-level connection until hasNextPage is
 * false. `args` is extra argument text such as `split: TRAIN`.
 */
export async function pageThrough(services: Services, principal: Principal, field: string, nodeSelection: string, first: number, args = ''): Promise<Paged> {
  const out: Paged = { nodes: [], pages: 0, totalCounts: [], cursors: [] };
  let after: string | null = null;
  for (;;) {
    const data = await queryData(
      services,
      principal,
      `query Page($first: Int!, $after: String) { page: ${field}(first: $first, after: $after ${args}) { totalCount edges { node { ${nodeSelection} } } pageInfo { hasNextPage endCursor } } }`,
      { first, after },
    );
    const page = data.page as { totalCount: number; edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    out.pages += 1;
    out.totalCounts.push(page.totalCount);
    out.nodes.push(...page.edges.map((e) => e.node));
    if (page.pageInfo.endCursor) out.cursors.push(page.pageInfo.endCursor);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
    if (out.pages > 100_000) throw new Error('paging did not end');
  }
}

/** The JSON text of a cursor (cursors are base64url JSON). */
export const cursorText = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');
