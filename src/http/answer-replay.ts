import type { ApolloServer } from '@apollo/server';
import { ROLES, type Role } from '../auth/principal';
import { createContext, type GraphqlContext } from '../graphql/context';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { settleWithin } from '../settle-within';
import { stringifyResult } from './kept-answer-text';
import { outsideRequests } from './request-context';
import { type RecentAsk, REPLAY_WAIT_MS } from './recent-asks';
import type { ResponseCache } from './response-cache';

/**
 * The answers clients were given most recently, made again as soon as a
 * rebuild's version is live and before the rebuild reports success: a
 * dashboard or notebook asking again after a rebuild finds its answer kept,
 * as it did on the version before, instead of paying for the first execution
 * on a new version. Each is an ordinary request on the live version (every
 * limit, the consent snapshot, the role that asked), one at a time; one that
 * fails, or is too large to keep, is simply not kept.
 */

/** How many of its most recent answers a server process offers to make again. */
export const REPLAYED_ANSWERS = 8;

export interface AnswerReplay {
  /** This process's most recent asks, newest first. */
  recent(): RecentAsk[];
  /** Makes the answers to `asks` on the live version and keeps them; resolves with how many are kept now. */
  replay(asks: readonly RecentAsk[]): Promise<number>;
  /** Makes no answer more (the server stops): resolves once the one being made is done. */
  stop(): Promise<void>;
}

const isRole = (role: string): role is Role => (ROLES as readonly string[]).includes(role);

export function answerReplay(apollo: ApolloServer<GraphqlContext>, services: Services, cache: ResponseCache): AnswerReplay {
  const replayOne = async ({ role, asked }: RecentAsk, n: number): Promise<boolean> => {
    if (!isRole(role)) return false;
    const context: GraphqlContext = { ...createContext(services, { role, keyId: 'replay' }, `replay-${n}`), replay: true };
    const key = await cache.keyFor(role, context.lake, asked);
    if (key === null) return false;
    if (cache.has(key)) return true;
    const response = await apollo.executeOperation(
      { query: asked.query, variables: asked.variables ?? undefined, operationName: asked.operationName ?? undefined },
      { contextValue: context },
    );
    // Written as an answer is (the cache keeps the text stringifyResult makes), then dropped.
    if (response.body.kind === 'single') stringifyResult(response.body.singleResult);
    return cache.has(key);
  };
  // Private: the latest replay; an earlier one still running stops (a later rebuild's replay makes the answers for its version).
  let latest = 0;
  // Private: stopped, a replay went on past the rebuild that waited for it, on the engine closed after.
  let stopped = false;
  const running = new Set<Promise<number>>();
  return {
    recent: () => cache.recentAsks(REPLAYED_ANSWERS),
    // Outside the request that asked for the rebuild, if one did (a single process): no client asked these.
    replay: (asks) => {
      if (stopped) return Promise.resolve(0);
      const made = makeAgain(asks);
      running.add(made);
      return made.finally(() => running.delete(made));
    },
    stop: async () => {
      stopped = true;
      latest += 1;
      await Promise.allSettled(running);
    },
  };

  function makeAgain(asks: readonly RecentAsk[]): Promise<number> {
    return outsideRequests(async () => {
      const run = (latest += 1);
      let kept = 0;
      for (const [n, ask] of asks.entries()) {
        if (run !== latest) break;
        try {
          if (await replayOne(ask, n)) kept += 1;
        } catch (error) {
          services.logger.debug({ err: error }, 'a recent answer was not made again on the new version');
        }
      }
      return kept;
    });
  }
}

/** Replays `asks` and logs how many are kept; nothing without a replay (no cache of answers) or asks. */
export async function replayLogged(replay: AnswerReplay | undefined, asks: readonly RecentAsk[], logger: Logger): Promise<void> {
  if (!replay || asks.length === 0) return;
  const started = Date.now();
  const kept = await replay.replay(asks);
  logger.info({ kept, offered: asks.length, ms: Date.now() - started }, 'recent answers made again on the new version');
}

/** replayLogged, waiting at most `waitMs`; the rest go on after. */
export async function replayWithin(replay: AnswerReplay | undefined, asks: readonly RecentAsk[], logger: Logger, waitMs = REPLAY_WAIT_MS): Promise<void> {
  if ((await settleWithin(replayLogged(replay, asks, logger), waitMs)) === 'pending') logger.info({ waitMs }, 'recent answers still being made again on the new version; not waiting longer');
}
