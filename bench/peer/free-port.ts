import { createServer } from 'node:net';

/**
 * A loopback port free now, chosen by the OS: the peer's PostgreSQL and
 * PostGraphile listen on ports of their own, so two engineers' peer runs on
 * one machine neither collide nor answer each other's requests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
