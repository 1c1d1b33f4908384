import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * HTTP/1.0 and 1.1 only. Node's parser also takes `HTTP/2.0` and `HTTP/0.9` in a request line, which no real client
 * sends (HTTP/2 has no text request line; HTTP/0.9 has no version in it), and such a request was answered 200 as
 * HTTP/1.1, as though valid: a proxy before this server may well read that line otherwise. 400 (not 505: the
 * request is malformed, and a client's mistake is never answered 5xx), saying what to send.
 */
export const requireHttp1: RequestHandler = (req, res, next) => {
  if (req.httpVersionMajor === 1) return next();
  res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, `a request line of HTTP/${req.httpVersion} is not served: send the request as HTTP/1.1 (or HTTP/1.0)`, 400);
};
