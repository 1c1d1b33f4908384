import type { KeyDigests } from '../auth/api-keys';
import type { ConsentPolicy } from '../../etl/consent-policy';
import type { VersionManifest } from '../../etl/manifest';
import type { Config } from '../config';
import type { PageHint } from '../graphql/page-hints';
import type { CachedRead } from '../graphql/version-read-cache';
import type { RecentAsk } from '../http/recent-asks';
import type { RebuildJob } from '../rebuild/rebuild-job';

/**
 * What a cluster's primary and its workers say to each other over IPC
 * (structured clone: dates stay dates). Tagged `stedi` so prom-client's own
 * messages on the same channel are never taken for these.
 */

export type ToWorker =
  | { stedi: 'start'; config: Config; keys: KeyDigests }
  | { stedi: 'jobs'; jobs: RebuildJob[]; current: string | null }
  | { stedi: 'stage'; version: VersionManifest }
  | { stedi: 'warm'; version: string; reads: CachedRead[] }
  /** Answered with `replayed` once the worker has made `asks`' answers again on it (answer-replay.ts). */
  | { stedi: 'published'; version: string; asks: RecentAsk[] }
  /** `code`: the error was the caller's to fix (error-mapping.ts), and `error` is its message for the caller. */
  | { stedi: 'reply'; id: number; value?: unknown; error?: string; code?: string }
  | { stedi: 'readAhead'; page: PageHint }
  | { stedi: 'rebalance' }
  /** Answered with `pong` from the worker's event loop (worker-watchdog.ts). */
  | { stedi: 'ping' }
  | { stedi: 'shutdown' }
  /** Sent with a socket the primary accepted while no worker listened, or one a dead worker never took (held-connections.ts); answered with `took`. */
  | { stedi: 'connection'; id: number };

export type ToPrimary =
  | { stedi: 'listening'; port: number }
  | { stedi: 'failed'; code?: string; message: string }
  | { stedi: 'staged'; version: string; reads: CachedRead[]; asks: RecentAsk[] }
  | { stedi: 'warmed'; version: string }
  | { stedi: 'replayed'; version: string }
  | { stedi: 'readAhead'; page: PageHint }
  | { stedi: 'pong' }
  /** The worker serves the connection `id` the primary sent it (held-connections.ts). */
  | { stedi: 'took'; id: number }
  /** A worker served requests; `start`: a request for data (data-requests.ts) or load (load-signal.ts), so the spare workers should run. */
  | { stedi: 'busy'; start: boolean }
  | { stedi: 'request'; id: number; what: 'rebuild'; consentPolicy?: ConsentPolicy }
  | { stedi: 'request'; id: number; what: 'metrics' }
  /** A worker is about to bind the port: the primary gives it back if it holds it (held-connections.ts). */
  | { stedi: 'request'; id: number; what: 'listen' };

export const isStedi = (message: unknown): message is { stedi: string } =>
  typeof message === 'object' && message !== null && typeof (message as { stedi?: unknown }).stedi === 'string';
