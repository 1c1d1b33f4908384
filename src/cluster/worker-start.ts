import { extname, join } from 'node:path';
import type { Config } from '../config';
import { workerExecArgv } from './exec-argv';

/** What each cluster worker is started with: its entry point, Node's flags, and its share of the server's settings. */

export function workerEntry(config: Config): { exec: string; execArgv: string[] } {
  const exec = join(__dirname, `worker-main${extname(__filename)}`);
  return { exec, execArgv: workerExecArgv(exec, config.workerSemiSpaceMb, config.idleCollectionMs > 0) };
}

/** STEDI_QUERY_CACHE_ROWS and _BYTES (and STEDI_RESPONSE_CACHE_BYTES) bound the whole server: each worker keeps its share, so more workers hold no more cached rows. */
export function workerSettings(config: Config): Config {
  const share = (total: number): number => Math.floor(total / config.workers);
  return { ...config, queryCacheRows: share(config.queryCacheRows), queryCacheBytes: share(config.queryCacheBytes), responseCacheBytes: share(config.responseCacheBytes) };
}
