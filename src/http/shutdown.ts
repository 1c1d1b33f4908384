import type { Server } from 'node:http';
import type { Logger } from '../logger';

/**
 * Graceful shutdown: stop accepting connections, let in-flight requests
 * finish (up to `graceMs`, then cut the rest), then run `cleanup` (Apollo,
 * services, engine) once.
 */

export const DEFAULT_GRACE_MS = 10_000;
const IDLE_CHECK_MS = 50;

/** `onGraceOver` is told just before the connections still busy after `graceMs` are cut. */
export function closeHttpServer(server: Server, graceMs: number, onGraceOver?: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => {
      onGraceOver?.();
      server.closeAllConnections();
    }, graceMs);
    // Keep-alive connections hold close() open: close each one as soon as its last response is done.
    const idle = setInterval(() => server.closeIdleConnections(), IDLE_CHECK_MS);
    force.unref();
    idle.unref();
    server.close(() => {
      clearTimeout(force);
      clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Runs `shutdown` on the first SIGTERM, SIGINT or SIGHUP (the terminal hung up: a dropped SSH session must not cut
 * requests or a rebuild half way either); a second signal exits at once. Returns a function removing the handlers.
 */
export function onTerminationSignals(shutdown: (signal: NodeJS.Signals) => Promise<void>, logger: Logger): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    shutdown(signal).then(
      () => {
        logger.info('shut down cleanly');
        process.exitCode = process.exitCode ?? 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
