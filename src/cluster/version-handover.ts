import type { VersionManifest } from '../../etl/manifest';
import { mergeAsks, type RecentAsk, REPLAY_WAIT_MS } from '../http/recent-asks';
import type { Logger } from '../logger';
import { settleWithin } from '../settle-within';
import type { ToWorker } from './messages';
import type { WorkerAnswer } from './worker-answers';

/** Sends `message` to every listening worker and resolves with their answers of kind `answer` (WorkerAnswers.ask). */
export type AskAll = <A extends WorkerAnswer>(message: ToWorker, answer: A['stedi'], version: string) => Promise<A[]>;

/**
 * A rebuild's hand-over across a cluster's workers, so the first requests on
 * the new version, whichever worker they reach, find it ready. Before the
 * publish: every worker loads the version, then reads again what any of them
 * read last on the live one. After it: every worker makes again the answers
 * any of them gave last (answer-replay.ts), within REPLAY_WAIT_MS, before the
 * rebuild reports success.
 */
export function versionHandover(askAll: AskAll, logger: Logger): { beforePublish(version: VersionManifest): Promise<void>; published(version: string): Promise<void> } {
  // Private: the asks the workers offered when the version was staged; any worker's may reach any other after the switch.
  let offered: { version: string; asks: RecentAsk[] } | undefined;
  return {
    async beforePublish(version) {
      const staged = await askAll<Extract<WorkerAnswer, { stedi: 'staged' }>>({ stedi: 'stage', version }, 'staged', version.version);
      offered = { version: version.version, asks: mergeAsks(...staged.map((s) => s.asks)) };
      const reads = new Map(staged.flatMap((s) => s.reads).map((read) => [`${read.sql}\u0000${JSON.stringify(read.params)}`, read]));
      if (reads.size > 0) await askAll({ stedi: 'warm', version: version.version, reads: [...reads.values()] }, 'warmed', version.version);
    },
    async published(version) {
      const asks = offered?.version === version ? offered.asks : [];
      offered = undefined;
      const replaying = askAll<Extract<WorkerAnswer, { stedi: 'replayed' }>>({ stedi: 'published', version, asks }, 'replayed', version);
      if ((await settleWithin(replaying, REPLAY_WAIT_MS)) === 'pending') logger.info({ version, waitMs: REPLAY_WAIT_MS }, 'workers still making recent answers again on the new version; not waiting longer');
    },
  };
}
