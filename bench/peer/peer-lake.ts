import type { ApiSchema } from '../api-schema';
import type { BenchContext } from '../context';
import type { Target } from '../figure';
import type { InProcessLake } from '../in-process';
import type { BenchServer } from '../server';
import type { PeerSize } from './peer-sizes';
import type { PostGraphilePeer } from './postgraphile';
import type { PostgresPeer } from './postgres';

/** One lake size of the peer run: this server and PostGraphile up at once on the same live version. */
export interface PeerLake {
  ctx: BenchContext;
  size: PeerSize;
  label: string;
  server: BenchServer;
  schema: ApiSchema;
  /** The engine in the bench's process: floors and cursors. */
  local: InProcessLake;
  pg: PostgresPeer;
  database: string;
  peer: PostGraphilePeer;
  /** Measured runs of each figure at this size. */
  runs: number;
}

export const BENCHMARK = 'peer';
export const TITLE = 'side by side with PostGraphile';

/** For a figure whose floor is PostGraphile's: the ratio stedi / PostGraphile at least `r`. */
export const ratioAtLeast = (r: number): Target => ({ label: `≥ ${r}× PostGraphile`, met: (_m, ratio) => ratio !== null && ratio >= r });
/** For times and memory: at most PostGraphile's. */
export const notAbovePeer: Target = { label: '≤ PostGraphile', met: (_m, ratio) => ratio !== null && ratio <= 1 };

export const thousands = (n: number): string => n.toLocaleString('en-US');
