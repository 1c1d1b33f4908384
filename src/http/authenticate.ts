import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeys } from '../auth/api-keys';
import { bearerToken } from '../auth/bearer';
import { ErrorCode } from '../errors';
import { MESSAGES } from '../graphql/error-mapping';
import { sendError } from './http-errors';
import { misplacedKey } from './misplaced-key';
import { noteKeyRefusal, requestLogOf, setPrincipal } from './request-context';
import type { UnknownKeyWarnings } from './unknown-key-warnings';

const MALFORMED = 'the Authorization header is not in the form "Bearer <key>": write the word Bearer, a space, then one API key';
// A link or the address bar (the browser says so in Sec-Fetch-Mode) can send no header: say what can.
const NAVIGATED =
  '; a link or the address bar cannot send it: download the training set with the form on the lake page (the server\'s root), and run queries in the GraphQL IDE (/graphql), which both send the key you enter there; or use curl (README: Bulk export)';

/**
 * Rejects a request without a known bearer key with 401 UNAUTHENTICATED
 * before anything else runs (no body parsing, no GraphQL execution).
 */
export function authenticate(keys: ApiKeys, unknownKeys: UnknownKeyWarnings): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Node keeps the first of several and drops the rest: a proxy reading the last would see another key than ours.
    const headers = authorizationHeaders(req.rawHeaders);
    if (headers > 1) {
      sendError(res, ErrorCode.BAD_USER_INPUT, `the request has ${headers} Authorization headers; send one, "Authorization: Bearer <key>"`);
      return;
    }
    const token = bearerToken(req.get('authorization'));
    const principal = token === null ? null : keys.authenticate(token);
    if (principal) {
      setPrincipal(res, principal);
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="stedi"');
    if (token === null && req.get('authorization')) {
      // Sent, but not as one bearer key (the bare key, another scheme, two keys joined by a client): "required" misled.
      noteKeyRefusal(res, 'not a bearer key');
      sendError(res, ErrorCode.UNAUTHENTICATED, MALFORMED);
    } else if (token === null) {
      noteKeyRefusal(res, 'no key');
      sendError(res, ErrorCode.UNAUTHENTICATED, (misplacedKey(req) ?? MESSAGES.unauthenticated) + (req.get('sec-fetch-mode') === 'navigate' ? NAVIGATED : ''));
    } else {
      noteKeyRefusal(res, 'unknown key');
      unknownKeys.rejected(requestLogOf(res));
      sendError(res, ErrorCode.UNAUTHENTICATED, 'the API key is not valid; check it, or ask an admin for a key');
    }
  };
}

function authorizationHeaders(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') count += 1;
  return count;
}
