import { REAL_CUSTOMERS } from '../settings';

/**
 * The lake sizes of the peer run, as multiples of the real data: 1 is the real
 * data itself, 10 and 100 the synthetic lakes of 9,560 and 95,600 customers.
 */

export const PEER_SIZES = [1, 10, 100] as const;
export type PeerSize = (typeof PEER_SIZES)[number];

/** `--peer-sizes 1,10`: distinct sizes among 1, 10 and 100, smallest first. */
export function parsePeerSizes(raw: string): PeerSize[] {
  const parts = raw.split(',').map((s) => s.trim().replace(/[x×]$/i, ''));
  const sizes = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = sizes.filter((s) => !(PEER_SIZES as readonly number[]).includes(s));
  if (parts.length === 0 || bad.length > 0 || raw.trim() === '') {
    throw new Error(`expected comma-separated lake sizes among ${PEER_SIZES.join(', ')} (multiples of the real data); received ${JSON.stringify(raw)}`);
  }
  return [...new Set(sizes as PeerSize[])].sort((a, b) => a - b);
}

/** Customers of a size's synthetic lake; null: the real data. */
export const customersOf = (size: PeerSize): number | null => (size === 1 ? null : REAL_CUSTOMERS * size);

export const sizeLabel = (size: PeerSize): string => (size === 1 ? '1× (real data)' : `${size}× (${(REAL_CUSTOMERS * size).toLocaleString('en-US')} customers)`);

/**
 * Measured runs of the whole-lake figures at a size: a walk of the 100× training set through
 * PostGraphile takes minutes, so the largest lake gets fewer runs to keep the run near 30 minutes.
 */
export function runsAt(size: PeerSize, fullRuns: number, quick: boolean): number {
  if (quick) return 1;
  if (size >= 100) return Math.min(fullRuns, 2);
  if (size >= 10) return Math.min(fullRuns, 3);
  return fullRuns;
}

/** The figure groups of the peer run, in the order they run at each size. */
export const PEER_FIGURES = ['memory', 'pull', 'nested', 'deep', 'small', 'rebuild'] as const;
export type PeerFigure = (typeof PEER_FIGURES)[number];

/** `--peer-figures pull,deep`: only these groups of figures (each still only where it runs: see peer.bench.ts). */
export function parsePeerFigures(raw: string): PeerFigure[] {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(PEER_FIGURES as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length > 0) throw new Error(`expected comma-separated figure groups among ${PEER_FIGURES.join(', ')}; received ${JSON.stringify(raw)}`);
  return [...new Set(parts as PeerFigure[])];
}
