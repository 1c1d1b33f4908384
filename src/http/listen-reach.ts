/**
 * Who can reach a server listening on `host` (the HOST setting), said in its start-up `listening` line: the default,
 * loopback, keeps a laptop's lake off the LAN; a wildcard (the Docker image's 0.0.0.0) opens it to every network.
 */
export function listenReach(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'every network interface: other machines can reach it (HOST=127.0.0.1 for this machine only)';
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return 'this machine only (set HOST=0.0.0.0 to serve other machines)';
  return `the network of ${host}`;
}
