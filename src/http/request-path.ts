import type { Request } from 'express';

/**
 * The path a request names, as the client sent it: an absolute-form target (`GET http://host/graphql`, which HTTP/1.1
 * servers must accept and proxies send) names it after its scheme and authority. Read from originalUrl, which a
 * mounted router does not shorten; logs, metrics and pages had taken `http://host/graphql` for the path.
 */
export function requestPath(req: Request): string {
  const target = req.originalUrl.split('?', 1)[0]!;
  if (target.startsWith('/')) return target;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(target);
  return absolute ? target.slice(absolute[0].length) || '/' : target;
}

/** A path as Express matches routes: without regard to case or one trailing slash (`/healthz//` is no route). */
export const routeSpelling = (path: string): string => (path.length > 1 ? path.replace(/\/$/, '') : path).toLowerCase();
