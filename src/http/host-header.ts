import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * An HTTP/1.1 request must name its Host. Node refused one without it with a
 * bare 400 and no body (its requireHostHeader, off in server.ts for this); here
 * it gets the JSON error every other refusal has, and the connection closes as before.
 */
export const requireHost: RequestHandler = (req, res, next) => {
  if (req.headers.host !== undefined || req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return next();
  res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, 'the request has no Host header, which HTTP/1.1 requires; send it with an HTTP client library, or add "Host: <server name>"');
};
