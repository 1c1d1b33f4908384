import type { BenchServer } from './server';

/** Keyset paging through a top-level connection, as a notebook would. */

export interface Page {
  rows: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

interface ConnectionData {
  edges?: unknown[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A query document for one page of `field`, selecting `selection` on each node (nothing: page info only). */
export function pageDocument(field: string, selection: string, extraArgs = ''): string {
  const edges = selection ? `edges { node { ${selection} } }` : '';
  return `query Page($first: Int!, $after: String) { ${field}(first: $first, after: $after${extraArgs}) { ${edges} pageInfo { hasNextPage endCursor } } }`;
}

export async function fetchPage(server: BenchServer, field: string, document: string, first: number, after: string | null): Promise<Page> {
  const data = await server.graphql<Record<string, ConnectionData>>(document, { first, after });
  const connection = data[field];
  return { rows: connection.edges?.length ?? 0, endCursor: connection.pageInfo.endCursor, hasNextPage: connection.pageInfo.hasNextPage };
}

/** Pages through the whole connection; calls `onPage` after each page. Bounded by `maxPages`. */
export async function walk(
  server: BenchServer,
  field: string,
  document: string,
  first: number,
  options: { maxPages?: number; onPage?: (page: Page, index: number) => void } = {},
): Promise<{ rows: number; pages: number }> {
  let after: string | null = null;
  let rows = 0;
  const maxPages = options.maxPages ?? 1_000_000;
  for (let index = 0; index < maxPages; index += 1) {
    const page = await fetchPage(server, field, document, first, after);
    rows += page.rows;
    options.onPage?.(page, index);
    if (!page.hasNextPage) return { rows, pages: index + 1 };
    after = page.endCursor;
  }
  throw new Error(`${field} still had pages after ${maxPages}; the walk stops here`);
}

const BATCH_DOCUMENT = `query Batch($first: Int!, $after: String) { machineLearningBatch(first: $first, after: $after) {
  rowCount columns { serialNumber sensorReadingTime distanceFromObject x y z } pageInfo { hasNextPage endCursor } } }`;

interface BatchData {
  machineLearningBatch: { rowCount: number; columns: Record<string, unknown[]>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Pages through the training set as columns (machineLearningBatch), every column, as a notebook would. */
export async function walkBatch(server: BenchServer, first: number, maxPages = 1_000_000): Promise<{ rows: number; pages: number }> {
  let after: string | null = null;
  let rows = 0;
  for (let index = 0; index < maxPages; index += 1) {
    const { machineLearningBatch: page }: BatchData = await server.graphql<BatchData>(BATCH_DOCUMENT, { first, after });
    rows += page.rowCount;
    if (!page.pageInfo.hasNextPage) return { rows, pages: index + 1 };
    after = page.pageInfo.endCursor;
  }
  throw new Error(`machineLearningBatch still had pages after ${maxPages}; the walk stops here`);
}
