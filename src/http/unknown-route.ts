import type { Request, Response } from 'express';
import { ErrorCode } from '../errors';
import { EXPORT_PATH } from './export';
import { sendError } from './http-errors';

/**
 * The last route: a request no route took. One for a path that exists but is
 * only read (a POST of an export, as a client that POSTs everything sends) is
 * told to use GET, with 405 and Allow: its 404 said "no route" while naming
 * the very path it had asked for.
 */
// Not '/': a query POSTed there missed /graphql, which the 404 names.
const READ_ONLY_PATHS = new Set(['/healthz', '/readyz', '/metrics', EXPORT_PATH]);

// Express matches routes without regard to case or a trailing slash; so does this.
const routeOf = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path).toLowerCase();

export function unknownRoute(req: Request, res: Response): void {
  const route = routeOf(req.path);
  if (READ_ONLY_PATHS.has(route)) {
    res.setHeader('Allow', 'GET, HEAD');
    sendError(res, ErrorCode.BAD_USER_INPUT, `${req.path} is read with GET, not ${req.method}${route === EXPORT_PATH ? ': GET it with format=parquet, csv or ndjson in the query string' : ''}`, 405);
    return;
  }
  sendError(res, ErrorCode.NOT_FOUND, `no route ${req.method} ${req.path}; the API is at /graphql, exports at ${EXPORT_PATH}`);
}
