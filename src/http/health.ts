import { Router } from 'express';
import type { Engine } from '../../etl/engine/engine';
import { liveVersion } from '../../etl/manifest';
import { requestLogOf } from './request-context';

/**
 * /healthz: the process answers. /readyz: this server can serve data now — a
 * live lake version exists, the engine answers a trivial query, and the
 * server is not shutting down. Neither needs an API key.
 */

const READY_QUERY_TIMEOUT_MS = 2_000;

export function healthRoutes(engine: Engine, isDraining: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const notReady = (reason: string): void => void res.status(503).json({ status: 'not ready', reason });
    if (isDraining()) return notReady('the server is shutting down');
    let version: string | undefined;
    try {
      const manifest = await engine.manifest();
      version = manifest ? liveVersion(manifest)?.version : undefined;
    } catch (error) {
      requestLogOf(res).error({ err: error }, 'readiness: cannot read the lake manifest');
      return notReady('the lake manifest cannot be read');
    }
    if (!version) return notReady('the lake has no live version yet: build it (stedi build) or run the rebuildZones mutation');
    try {
      await engine.query('SELECT 1 AS ok', [], { timeoutMs: READY_QUERY_TIMEOUT_MS });
    } catch (error) {
      requestLogOf(res).error({ err: error }, 'readiness: the engine did not answer');
      return notReady('the query engine does not answer');
    }
    res.json({ status: 'ready', version });
  });
  return router;
}
