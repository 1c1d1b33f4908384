import { EngineClosedError, EngineUnreachableError, isLandingFolderError, LakeNotBuiltError } from '../etl/engine/engine-errors';
import type { Engine } from '../etl/engine/engine';
import type { Config } from './config';
import { ConsentRegistry } from './consent/consent-registry';
import { erasurePending } from './consent/pending-erasure';
import type { Logger } from './logger';
import { Erasure, erasureStateOf } from './rebuild/erasure';
import { RebuildJobs } from './rebuild/rebuild-jobs';
import type { BuildRunner, Rebuilds } from './rebuild/rebuilds';
import { VersionReadCache } from './graphql/version-read-cache';
import { prepareVersion } from './rebuild/version-staging';
import { type AnswerReplay, replayWithin } from './http/answer-replay';

/** Everything a request handler needs, created once per server. */
export interface Services {
  config: Config;
  engine: Engine;
  consent: ConsentRegistry;
  rebuilds: Rebuilds;
  erasure: Erasure;
  logger: Logger;
  /** Small results of reads over a version's (immutable) tables. */
  reads: VersionReadCache;
  /** Recent whole answers made again on a new version (set by the HTTP app when it keeps answers). */
  answers?: AnswerReplay;
}

/**
 * Takes a first consent snapshot (when the lake can be read yet) and starts
 * its refresh timer. An unreadable lake is not fatal here: requests report it.
 */
export async function createServices(config: Config, engine: Engine, logger: Logger, options: { rebuilds?: Rebuilds; buildRunner?: BuildRunner } = {}): Promise<Services> {
  let erasure: Erasure | undefined;
  const consent = new ConsentRegistry(engine, logger.child({ component: 'consent' }), config.consentRefreshMs, {
    maxLineBytes: config.maxLineBytes,
    doubtTextBytes: config.doubtTextBytes,
    onRefresh: (pending) => erasure?.onRefresh(pending),
    servedPolicy: config.consentPolicyGiven ? config.consentPolicy : undefined,
  });
  const reads = new VersionReadCache(engine, config.queryCacheRows, undefined, config.queryCacheBytes);
  let rebuilds = options.rebuilds;
  // Private: set once made, below; the rebuilds call back into it only after a build.
  let services: Services | undefined;
  if (!rebuilds) {
    const published = async (version: string): Promise<void> => {
      await afterPublish(engine, consent, version);
      await replayWithin(services?.answers, services?.answers?.recent() ?? [], logger.child({ component: 'rebuild' }));
    };
    const jobs = new RebuildJobs(engine, config, logger.child({ component: 'rebuild' }), published, options.buildRunner);
    jobs.beforePublish = (version) => prepareVersion({ engine, consent, reads }, version);
    rebuilds = jobs;
  }
  // The lake's lock held while none of this server's rebuilds runs: a build by hand (one of ours is joined instead).
  const lakeBusy = async (): Promise<boolean> => !rebuilds.current() && (await engine.buildLockHolder?.())?.running === true;
  erasure = new Erasure(() => rebuilds.start(), (id) => erasureStateOf(rebuilds.get(id)), logger.child({ component: 'erasure' }), config.erasureMs, lakeBusy);
  try {
    await consent.refresh();
  } catch (error) {
    // A landing folder that is missing or unusable: its message says what to fix, so one line and no stack.
    const said = isLandingFolderError(error) || error instanceof LakeNotBuiltError ? { reason: error.message } : { err: error };
    logger.warn(said, `consent registry not loaded yet (${whyNotLoaded(error)}); it is retried at each refresh and on the first request`);
  }
  consent.start();
  warmLiveVersion(engine, logger);
  services = { config, engine, consent, rebuilds, erasure, logger, reads };
  return services;
}

/**
 * After a rebuild publishes (in this process, or any worker of a cluster): load the new version and,
 * unless staging gave it its exclusions already, re-read consent now. A staged version's refresh
 * here only redid that work (15 to 55 ms of this event loop under load) just as the first readers
 * of the new version arrive; the timer's next refresh lists it as kept like any other. While an
 * erasure is pending it refreshes anyway: the versions this publish expired must leave the
 * pending list (and the erasure-lag metric) at once.
 */
export async function afterPublish(engine: Engine, consent: ConsentRegistry, version: string): Promise<void> {
  await engine.tableRef('machine_learning_curated', version);
  if (consent.peek()?.covers(version) && !erasurePending(consent.pendingErasure())) return;
  await consent.refresh();
}

/** Starts loading the live version (only it: older ones load when a cursor asks), so the first reader need not wait. */
function warmLiveVersion(engine: Engine, logger: Logger): void {
  void engine
    .manifest()
    .then((manifest) => manifest?.versions[0] && engine.tableRef('customer_curated', manifest.versions[0].version))
    .catch((error: unknown) => {
      // A start that failed (a port in use) closes the engine under this load: not worth a warning.
      if (!(error instanceof EngineClosedError)) logger.warn({ err: error }, `the live version could not be loaded at start (${whyNotLoaded(error)}); /readyz says why`);
    });
}

/** The start-up lines name the cause they know, rather than guess an unbuilt lake. */
function whyNotLoaded(error: unknown): string {
  if (error instanceof LakeNotBuiltError) return 'the lake is not built yet';
  if (error instanceof EngineUnreachableError) return 'the query engine cannot be reached: see err';
  if (isLandingFolderError(error)) return 'its customer landing cannot be read: see reason';
  return 'see err';
}

/**
 * Stops the timers, waits for a consent refresh and an erasure rebuild's start under way (neither starts anything
 * more), then for a running rebuild to finish; the caller closes the engine. A rebuild started after close ran on.
 */
export async function closeServices(services: Services): Promise<void> {
  await services.consent.stop();
  await services.erasure.stop();
  await services.rebuilds.close();
}
