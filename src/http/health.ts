import { existsSync } from 'node:fs';
import { Router } from 'express';
import { liveVersion } from '../../etl/manifest';
import { EngineUnavailableError, EngineUnreachableError, afterDamage, isLandingFolderError } from '../../etl/engine/engine-errors';
import type { Config } from '../config';
import type { Services } from '../services';
import { type EngineProbe, engineProbe } from './engine-probe';
import { requestLogOf } from './request-context';
import { settleWithin } from '../settle-within';

/**
 * /healthz: the process answers. /readyz: this server can serve data now —
 * the manifest reads, its live version is loaded and readable, the engine
 * answers (on Athena, a cached answer: see engine-probe.ts), the consent
 * registry is fresh, and the server is not shutting down; otherwise 503 with
 * the reason. Neither needs an API key.
 */
/** How long /readyz waits for the live version's load before saying it is still loading. */
const READY_LOAD_WAIT_MS = 2_000;

type Outcome = { ready: true; version: string } | { ready: false; reason: string; err?: unknown };
type HealthServices = Pick<Services, 'engine' | 'consent'> & { config?: Pick<Config, 'engine' | 'lake'> };

export function healthRoutes(services: HealthServices, isDraining: () => boolean): Router {
  const router = Router();
  const probe = engineProbe(services.engine);
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const outcome = isDraining() ? { ready: false as const, reason: 'the server is shutting down' } : await readiness(services, probe);
    if (outcome.ready) return void res.json({ status: 'ready', version: outcome.version });
    if (outcome.err) requestLogOf(res).warn({ err: outcome.err }, `not ready: ${outcome.reason}`);
    res.status(503).json({ status: 'not ready', reason: outcome.reason });
  });
  return router;
}

async function readiness({ engine, consent, config }: HealthServices, probe: EngineProbe): Promise<Outcome> {
  let version: string | undefined;
  try {
    const manifest = await engine.manifest();
    version = manifest ? liveVersion(manifest)?.version : undefined;
  } catch (error) {
    const invalid = (error as Error)?.name === 'ManifestError';
    const code = (error as NodeJS.ErrnoException)?.code;
    const denied = code === 'EACCES' || code === 'EPERM' ? ` (${code}): the user running the server may not read it; fix the lake folder's permissions or owner` : '';
    // The only ENOENT a manifest read throws: a link on the lake's path points at nothing (local-manifest.ts).
    const unmounted = code === 'ENOENT' && (error as Error).name === 'LakeFilesystemError' ? ': the lake folder is a link to nothing (a disk not mounted?); the server log names it' : '';
    const unreachable = error instanceof EngineUnreachableError ? ': the query engine cannot be reached (the server log says what to fix)' : '';
    // AWS answered 5xx after the SDK's retries: nothing here to fix, and the log has the request id AWS support asks for.
    const onAwsSide = error instanceof EngineUnavailableError ? ": AWS failed on its side (the server log has the service's request id); retry in a few minutes" : '';
    return { ready: false, reason: invalid ? 'lake manifest invalid: run `stedi build` to write a new one (the server log names the problem)' : `lake manifest cannot be read${denied}${unmounted}${unreachable}${onAwsSide}`, err: error };
  }
  if (!version) return { ready: false, reason: `lake not built: ${notBuiltFix(config)}` };

  const loaded = await settleWithin(engine.tableRef('customer_curated', version), READY_LOAD_WAIT_MS);
  if (loaded === 'pending') return { ready: false, reason: `live version ${version} is loading` };
  if (loaded.status === 'rejected') {
    const damage = (loaded.reason as { damage?: string })?.damage;
    if (damage) return { ready: false, reason: `live version damaged: ${damage}${afterDamage(damage, 'run `stedi build` to build a new one')}` };
    return { ready: false, reason: `live version ${version} cannot be loaded`, err: loaded.reason };
  }
  const answer = await probe.answer();
  if (answer.state === 'no answer yet') return { ready: false, reason: 'the query engine has not answered yet; retry in a few seconds' };
  if (answer.state !== 'answers') return { ready: false, reason: 'the query engine does not answer', err: answer.error };

  if (consent.staleness()) {
    // The registry's timer retries too; a probe tries at once, so a landing folder put back counts now.
    const refreshed = await settleWithin(consent.refresh(), READY_LOAD_WAIT_MS);
    const stale = consent.staleness();
    if (refreshed === 'pending' || stale) {
      const why = stale ? staleReason(stale.reason, stale.cause) : 'it is re-reading the landing data';
      return { ready: false, reason: `consent registry stale: ${why}`, err: stale?.cause };
    }
  }
  return { ready: true, version };
}

/**
 * What to do about a lake with no live version. A lake folder that is gone may have been moved away while the server
 * served it: a build would start a new lake in its place, where putting it back serves it again at once.
 */
function notBuiltFix(config: HealthServices['config']): string {
  const build = 'run `stedi build` or the rebuildZones mutation';
  if (!config || config.engine === 'athena' || existsSync(config.lake)) return build;
  return `the lake folder ${config.lake} does not exist; if it was moved or removed, put it back (it is served again at once), else ${build}`;
}

/** The landing folder a refresh could not read, said plainly; otherwise the registry's own reason. */
function staleReason(reason: string, cause: unknown): string {
  if (!isLandingFolderError(cause)) return reason;
  const { folder, problem } = cause;
  if (problem === 'missing') return `landing folder ${folder} missing`;
  // Emptied (its files moved away, a sync half done): 'unreadable' sent the operator to its permissions.
  if (problem === 'empty') return `landing folder ${folder} holds no landing files (.json, .jsonl, .ndjson): put them back`;
  // An entry no engine reads (x.json.gz, a subfolder) may hold a revocation: named in the log, not here.
  if (problem === 'unread entry') return `landing folder ${folder} holds an entry no build reads (the server log names it): move it out or make it a .json file`;
  if (problem === 'link outside') return `landing folder ${folder} holds a link out of the landing folder (the server log names it): copy its file in, or remove the link`;
  return `landing folder ${folder} unreadable`;
}
