import type { PostGraphilePeer } from './postgraphile';

/**
 * The peer's side of each figure: the same rows in the same order through
 * PostGraphile's generated schema (Relay connections ordered by primary key).
 */

export const PEER_PAGE = `query Page($first: Int!, $after: Cursor) { allMachineLearningCurateds(first: $first, after: $after, orderBy: PRIMARY_KEY_ASC) {
  nodes { serialNumber sensorReadingTime distanceFromObject x y z } pageInfo { hasNextPage endCursor } } }`;

export const PEER_SMALL = `query Small($serialNumber: String!) { customerCuratedBySerialNumber(serialNumber: $serialNumber) {
  serialNumber customerName registrationDate lastUpdateDate shareWithResearchAsOfDate
  stepTrainerTrustedsBySerialNumber(first: 30, orderBy: PRIMARY_KEY_ASC) { nodes { serialNumber sensorReadingTime distanceFromObject } } } }`;

export const PEER_NESTED = `{ allCustomerCurateds(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes {
  serialNumber registrationDate lastUpdateDate shareWithResearchAsOfDate
  accelerometerTrustedsBySerialNumber(first: 10, orderBy: PRIMARY_KEY_ASC) { nodes { serialNumber timestamp x y z } } } } }`;

export const PEER_READINGS = `query Readings($first: Int!, $after: Cursor) { allAccelerometerTrusteds(first: $first, after: $after, orderBy: PRIMARY_KEY_ASC) {
  nodes { serialNumber timestamp x y z } pageInfo { hasNextPage endCursor } } }`;

interface PeerConnection {
  nodes: unknown[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface PeerPage {
  rows: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export async function peerPage(peer: PostGraphilePeer, document: string, first: number, after: string | null): Promise<PeerPage> {
  const data = await peer.graphql<Record<string, PeerConnection>>(document, { first, after });
  const connection = Object.values(data)[0];
  return { rows: connection.nodes.length, hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor };
}

/** Pages through a connection from the start; at most `maxPages` pages. */
export async function peerWalk(peer: PostGraphilePeer, document: string, first: number, maxPages = 1_000_000): Promise<{ rows: number; pages: number }> {
  let after: string | null = null;
  let rows = 0;
  for (let pages = 1; pages <= maxPages; pages += 1) {
    const page = await peerPage(peer, document, first, after);
    rows += page.rows;
    if (!page.hasNextPage) return { rows, pages };
    after = page.endCursor;
  }
  return { rows, pages: maxPages };
}

/**
 * A PostGraphile 4 cursor for the row with primary key `key`: the same JSON a
 * page's endCursor holds (the order name, then the key values), base64. The
 * order name is read from a real cursor, so a change of format fails loudly.
 */
export function peerCursorFor(sample: string, key: ReadonlyArray<string | number>): string {
  const decoded: unknown = JSON.parse(Buffer.from(sample, 'base64').toString('utf8'));
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Array.isArray(decoded[1]) || decoded[1].length !== key.length) {
    throw new Error(`unexpected PostGraphile cursor ${JSON.stringify(decoded)}`);
  }
  return Buffer.from(JSON.stringify([decoded[0], key])).toString('base64');
}
