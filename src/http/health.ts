import { Router } from 'express';
import type { Engine } from '../../etl/engine/engine';
import { liveVersion } from '../../etl/manifest';
import { engineProbe } from './engine-probe';
import { requestLogOf } from './request-context';

/**
 * /healthz: the process answers. /readyz: this server can serve data now — a
 * live lake version exists, the engine answers a trivial query (on Athena, a
 * cached answer: see engine-probe.ts), and the server is not shutting down.
 * Neither needs an API key.
 */

export function healthRoutes(engine: Engine, isDraining: () => boolean): Router {
  const router = Router();
  const probe = engineProbe(engine);
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
    const answer = await probe.answer();
    if (answer.state === 'no answer yet') return notReady('the query engine has not answered yet; retry in a few seconds');
    if (answer.state !== 'answers') {
      requestLogOf(res).error({ err: answer.error }, 'readiness: the engine did not answer');
      return notReady('the query engine does not answer');
    }
    res.json({ status: 'ready', version });
  });
  return router;
}
