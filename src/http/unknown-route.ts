import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../errors';
import { EXPORT_PATH } from './export';
import { sendError } from './http-errors';
import { quotedPath } from './quoted-input';
import { requestPath } from './request-path';

/**
 * The last route: a request no route took. A path that exists asked with a
 * method it does not take never reaches here (route-methods.ts answers 405).
 */
export function unknownRoute(req: Request, res: Response): void {
  // Quoted short and plain (quoted-input.ts): the whole path, kilobytes of the client's own text, was written back.
  sendError(res, ErrorCode.NOT_FOUND, `no route ${req.method} ${quotedPath(requestPath(req))}; the API is at /graphql, exports at ${EXPORT_PATH}`);
}

/**
 * First under a route mounted with app.use (/graphql): that takes every path under it too, so /graphql/foo and
 * /graphql/../x reached Apollo and were answered as /graphql. Only the path itself (and one trailing slash, as Express
 * matches every route) passes.
 */
export function onlyMountPath(req: Request, res: Response, next: NextFunction): void {
  if (req.path === '/') return next();
  unknownRoute(req, res);
}
