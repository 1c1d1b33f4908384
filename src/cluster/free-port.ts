import { createServer } from 'node:net';

/**
 * A port free on `host` now, for a cluster asked to listen on port 0. Workers
 * that ask the cluster for port 0 share one socket only while one of them
 * holds it: after the last is gone (the one worker of an idle cluster with
 * spare workers, killed), its replacement would get another port, and the
 * announced address would refuse every connection. On a port of its own it
 * listens where the others did.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
