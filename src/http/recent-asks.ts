/**
 * The requests whose answers a rebuild's new version gets first
 * (answer-replay.ts), as they travel between a cluster's processes: plain
 * data, so the primary handles them without loading GraphQL.
 */

/** A request whose answer was kept or served lately, by whom. */
export interface RecentAsk {
  role: string;
  asked: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
  };
}

/** How long a rebuild waits for the answers to be made again before reporting success (the rest are made after). */
export const REPLAY_WAIT_MS = 2_000;

/** Every ask of `lists` once (the same request by the same role), in order. */
export function mergeAsks(...lists: ReadonlyArray<readonly RecentAsk[]>): RecentAsk[] {
  const merged = new Map<string, RecentAsk>();
  for (const ask of lists.flat()) {
    const { role, asked } = ask;
    merged.set(JSON.stringify([role, asked.operationName ?? '', asked.variables ?? {}, asked.query]), ask);
  }
  return [...merged.values()];
}
