import type { Request, Response } from 'express';
import { ErrorCode } from '../errors';
import { EXPORT_PATH } from './export';
import { sendError } from './http-errors';

/**
 * The last route: a request no route took. A path that exists asked with a
 * method it does not take never reaches here (route-methods.ts answers 405).
 */
export function unknownRoute(req: Request, res: Response): void {
  sendError(res, ErrorCode.NOT_FOUND, `no route ${req.method} ${req.path}; the API is at /graphql, exports at ${EXPORT_PATH}`);
}
