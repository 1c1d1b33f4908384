import type { ColumnTextReader } from '../../etl/engine/derived-column-text';
import type { Engine } from '../../etl/engine/engine';
import type { Logger } from '../logger';
import { SAMPLE_COLUMNS } from './datasets/machine-learning.dataset';
import { BATCH_TABLE, prepareBatchText } from './prepare-batch-text';

/**
 * Each kept version's prepared batch text as this process knows it: open
 * for reading once complete; else being prepared here in the background
 * (the first batch request of a version that has none starts it); else
 * looked for again at most every RECHECK_MS (another process may be
 * preparing it). A version whose text cannot be made (values the page's
 * text would not write as they are, a failed write) is not tried again in
 * this process: its pages are read from the engine.
 */

/** How often a process without the text looks for it again (on the monotonic clock: a wall clock stepped back an hour put it off for that hour). */
const RECHECK_MS = 2_000;

interface VersionText {
  reader?: ColumnTextReader;
  checkedAt: number;
  preparing?: Promise<unknown>;
  givenUp?: boolean;
}

const byEngine = new WeakMap<Engine, Map<string, VersionText>>();

function versionsOf(engine: Engine): Map<string, VersionText> {
  let versions = byEngine.get(engine);
  if (!versions) byEngine.set(engine, (versions = new Map()));
  return versions;
}

/** The version's text open for reading; none yet (undefined): prepared in the background while pages are read from the engine. */
export function batchTextOf(engine: Engine, version: string, logger: Logger): ColumnTextReader | undefined {
  const versions = versionsOf(engine);
  const known = versions.get(version);
  if (known?.reader) return known.reader;
  const now = performance.now();
  if (!engine.derivedColumnText || (known && (known.preparing || known.givenUp || now - known.checkedAt < RECHECK_MS))) return undefined;
  const reader = engine.derivedColumnText(BATCH_TABLE, version).open(SAMPLE_COLUMNS);
  const state: VersionText = { reader, checkedAt: now };
  versions.set(version, state);
  if (reader) return reader;
  state.preparing = prepareBatchText(engine, version, logger)
    .then(
      (outcome) => {
        state.givenUp = outcome === 'unusable';
        // Prepared: open it at the next request; another process preparing it: look again later.
        state.checkedAt = outcome === 'prepared' ? -Infinity : performance.now();
      },
      (error: unknown) => {
        state.givenUp = true;
        logger.warn({ version, err: error }, 'preparing the batch column text failed; batch pages are read from the engine');
      },
    )
    .finally(() => (state.preparing = undefined));
  return undefined;
}

/** After a failed read (a file damaged since it was opened): closed, and looked for again later (a damaged set is written anew). */
export function dropBatchText(engine: Engine, version: string): void {
  const versions = versionsOf(engine);
  versions.get(version)?.reader?.close();
  versions.set(version, { checkedAt: performance.now() });
}

/** Forgets the text of versions no longer kept (the engine closed their readers when it saw them expire). */
export function forgetExpiredBatchText(engine: Engine, kept: readonly string[]): void {
  const versions = byEngine.get(engine);
  if (!versions) return;
  for (const [version, state] of versions) if (!kept.includes(version) && !state.preparing) versions.delete(version);
}
