import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * A body sent with a transfer coding before `chunked` (`Transfer-Encoding: gzip, chunked`): Node's parser takes off
 * the chunking alone, so the body parser read the gzip bytes as JSON and told the client it was not UTF-8 (or, the
 * body being plain, answered it). RFC 9112 6.1 suggests 501, but the client is the one to change it: a 400, as Node's
 * own refusal of a Transfer-Encoding not ending in `chunked` (client-errors.ts), and not logged as a server failure.
 */
export const refuseTransferCodings: RequestHandler = (req, res, next) => {
  const codings = req.headers['transfer-encoding'];
  if (codings === undefined || codings.split(',').every((coding) => coding.trim().toLowerCase() === 'chunked')) return next();
  sendError(res, ErrorCode.BAD_USER_INPUT, 'the request body\'s Transfer-Encoding may only be chunked: send a compressed body with Content-Encoding: gzip (deflate or br) instead');
};
