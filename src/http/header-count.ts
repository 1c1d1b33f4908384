import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * Node reads about the first 1,000 headers of a request (its parser's 2,000 names and values, as server.ts leaves
 * maxHeadersCount) and drops the rest without a word: a request with 1,000 short headers before its Authorization
 * was told it sent no API key. One that may have lost some is refused, saying why.
 */
export const MAX_HEADER_ENTRIES = 2_000;

export const refuseDroppedHeaders: RequestHandler = (req, res, next) => {
  if (req.rawHeaders.length < MAX_HEADER_ENTRIES) return next();
  res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, `the request has ${MAX_HEADER_ENTRIES / 2} headers or more, and the server reads no more than that (the rest, an Authorization among them, would be lost): send fewer headers`, 431);
};
