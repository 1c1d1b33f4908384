import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * The URL and headers a request may carry (16 KiB, Node's default, as proxies such as AWS's load balancers take):
 * refused here, in the app, where a listed origin's CORS headers are on the answer and its preflight was answered.
 * Node's parser refusing them at 16 KiB refused the preflight of a long GET too, so a page on another origin saw a
 * network error blaming CORS, never the 431 saying to POST. The parser's own limit is above this (PARSER_HEADER_BYTES).
 */
export const HEADER_BYTES = 16 * 1024;
/** Node's parser refuses larger requests before the app (client-errors.ts answers them, without CORS headers). */
// Twice the refused size, no more: each connection still sending its headers holds them all (1,500 connections holding
// 60 KB each grew the server by 100 MB), and connections are many (STEDI_MAX_CONNECTIONS; all together they hold at most
// STEDI_UNFINISHED_HEADER_BYTES: unfinished-headers.ts).
export const PARSER_HEADER_BYTES = 32 * 1024;

export const TOO_LARGE_HEADERS =
  "the request's URL and headers are larger than the server accepts (16 KiB, and about 1,000 headers); send a long query in a POST body rather than a GET URL, and fewer or shorter headers";

/** Counted as Node's parser counts them: the URL, each header's name and value (Node reads them as latin1, a byte a character). */
function headerBytes(url: string, rawHeaders: readonly string[]): number {
  let bytes = url.length;
  for (const part of rawHeaders) bytes += part.length;
  return bytes;
}

export const refuseLargeHeaders: RequestHandler = (req, res, next) => {
  if (headerBytes(req.originalUrl, req.rawHeaders) < HEADER_BYTES) return next();
  res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, TOO_LARGE_HEADERS, 431);
};
