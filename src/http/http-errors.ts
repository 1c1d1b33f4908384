import type { Response } from 'express';
import { codeExtensions, ErrorCode, HTTP_STATUS } from '../errors';
import { NO_STORE } from './no-store';
import { noteErrorCode, stateOfResponse } from './request-context';

/**
 * Errors answered outside GraphQL execution (auth, body limit, export
 * arguments) have the same shape as GraphQL errors, so a client reads
 * `errors[0].extensions.code` (and `reason`, where it has one) whichever way it called.
 */
export function sendError(res: Response, code: ErrorCode, message: string, status: number = HTTP_STATUS[code], reason?: string): void {
  noteErrorCode(stateOfResponse(res), code);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Typed as Apollo types its own errors: Apollo Client 4 asks for the GraphQL type and reads a 4xx answer's
  // errors (message, extensions.code) only under it; as application/json it reported just "status code 401".
  // A refusal holds for this moment only (a file's refusal had its own Cache-Control removed): never kept by a cache.
  res.setHeader('Cache-Control', NO_STORE);
  if (res.req.accepts(RESPONSE_TYPES) === GRAPHQL_RESPONSE_UTF8) res.type(GRAPHQL_RESPONSE);
  res.status(status).json({ errors: [{ message, extensions: codeExtensions(code, reason) }] });
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
// application/json first: it is what a client that states no preference (no Accept, */*) gets. With their charset,
// as Apollo offers them: an Accept naming one (`application/graphql-response+json; charset=utf-8`) matches no type without.
const GRAPHQL_RESPONSE_UTF8 = `${GRAPHQL_RESPONSE}; charset=utf-8`;
const RESPONSE_TYPES = ['application/json; charset=utf-8', GRAPHQL_RESPONSE_UTF8];
