import type { Config } from '../config';

/**
 * The `/readyz` address a probe on this machine reaches for the server `config` describes (the image's
 * HEALTHCHECK, bin/healthcheck.js). A wildcard listen address (0.0.0.0, ::) answers on loopback.
 */
export function readinessUrl(config: Pick<Config, 'host' | 'port'>): string {
  // Port 0 is a free port the kernel picks: nothing outside the server can know it.
  if (config.port === 0) throw new Error('PORT 0 serves on a port the kernel picks, which a health check cannot know; set PORT to a fixed port');
  const host = config.host === '0.0.0.0' || config.host === '::' || config.host === '' ? '127.0.0.1' : config.host;
  const literal = host.includes(':') ? `[${host}]` : host;
  return `http://${literal}:${config.port}/readyz`;
}
