import type { RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * An HTTP/1.1 request must name its Host, once. Node refused one without it with a
 * bare 400 and no body (its requireHostHeader, off in server.ts for this); here
 * it gets the JSON error every other refusal has, and the connection closes as before.
 */
export const requireHost: RequestHandler = (req, res, next) => {
  const hosts = hostCount(req.rawHeaders);
  if (hosts > 1) return refuse(res, `the request has ${hosts} Host headers; send one (HTTP/1.1 refuses more: a proxy before this server may have read another)`);
  if (req.headers.host !== undefined || req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return next();
  refuse(res, 'the request has no Host header, which HTTP/1.1 requires; send it with an HTTP client library, or add "Host: <server name>"');
};

// Node keeps the first of several Host headers and drops the rest: RFC 9112 3.2 answers such a request 400.
function hostCount(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') count += 1;
  return count;
}

function refuse(res: Response, message: string): void {
  res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, message);
}
