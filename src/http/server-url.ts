/**
 * The URL a server listening on `host` (the HOST setting) and `port` says it is at: a wildcard listen address
 * (0.0.0.0, ::) as localhost, an IPv6 address in brackets. One server process and a cluster's primary say it alike.
 */
export function serverUrl(host: string, port: number): string {
  const named = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${named.includes(':') ? `[${named}]` : named}:${port}`;
}
