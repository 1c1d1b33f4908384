import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { RepeatedLines } from './repeated-lines';
import { requestPath } from './request-path';
import { whenClosed } from './response-closed';

/**
 * Per-request state: the request id (the client's X-Request-Id when it is
 * sane, else a new UUID), a logger bound to it, the principal once auth has
 * run, and the GraphQL operation name. Kept in `res.locals` and in
 * async-local storage, because Apollo's formatError and plugins get no `res`.
 */
export interface RequestState {
  requestId: string;
  log: Logger;
  principal?: Principal;
  operation?: string;
  /** The code of the error answered, when one was: says what a 5xx was. */
  errorCode?: string;
  /** Caller-facing errors logged for this request, and those past REFUSALS_LOGGED left out (counted on its request line). */
  refusalsLogged?: number;
  refusalsNotLogged?: number;
  /** Why a request without a valid key was refused (no key, not a bearer key, an unknown key): its access line's kind. */
  keyRefusal?: string;
}

const storage = new AsyncLocalStorage<RequestState>();
/** The request served by the calling async chain, if any. */
export const currentRequest = (): RequestState | undefined => storage.getStore();
/** Runs `work` as no request's, whatever started it (a rebuild a request asked for): its errors are not logged, nor its answer sent, as that request's. */
export const outsideRequests = <T>(work: () => T): T => storage.exit(work);

const stateOf = (res: Response): RequestState => res.locals.request as RequestState;
export const requestIdOf = (res: Response): string => stateOf(res).requestId;
export const requestLogOf = (res: Response): Logger => stateOf(res).log;
export const principalOf = (res: Response): Principal | undefined => stateOf(res).principal;
export const setPrincipal = (res: Response, principal: Principal): void => void (stateOf(res).principal = principal);
export const noteKeyRefusal = (res: Response, why: string): void => void (stateOf(res).keyRefusal = why);
/** Notes the code of the (first) error a request is answered with, for its log line. */
export function noteErrorCode(state: RequestState | undefined, code: string): void {
  if (state && state.errorCode === undefined) state.errorCode = code;
}
/**
 * Whether one more of the request's caller-facing errors is logged: the first REFUSALS_LOGGED are. A 2 KB document of
 * unknown fields or wrong arguments is answered with 100 errors (graphql-js's bound), each had its own log line: 100
 * lines a request, 20 MB of log from one client in 8 s. The rest are counted on the request line.
 */
export function refusalLogged(state: RequestState): boolean {
  const logged = (state.refusalsLogged ?? 0) < REFUSALS_LOGGED;
  if (logged) state.refusalsLogged = (state.refusalsLogged ?? 0) + 1;
  else state.refusalsNotLogged = (state.refusalsNotLogged ?? 0) + 1;
  return logged;
}
export const REFUSALS_LOGGED = 10;
export const stateOfResponse = (res: Response): RequestState | undefined => res.locals.request as RequestState | undefined;

/**
 * Server states an operator expects and has been told of where they arose (the registry's refresh, /readyz, the
 * engine's own warning): each request answered with one is a warning, not an error of ours.
 */
const EXPECTED_CONDITIONS = new Set<string>([ErrorCode.LAKE_NOT_BUILT, ErrorCode.CONSENT_UNAVAILABLE, ErrorCode.ENGINE_BUSY, ErrorCode.QUERY_TIMEOUT]);

// Ids from clients end up in logs and headers: keep them short and printable.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// The operation name and path are the client's text: a 400,000-character operation name made each request a 400 KB log line.
const LOGGED_TEXT_MAX = 200;
const logged = (text: string | undefined): string | undefined =>
  text === undefined || text.length <= LOGGED_TEXT_MAX ? text : `${text.slice(0, LOGGED_TEXT_MAX)}… (${text.length} characters)`;

// A URL a client wrote by hand can hold an address (`GET /customers/ann@example.com`): never logged, as no email is.
const ADDRESS_PART = /@|%40/i;
const withoutAddresses = (path: string): string => (ADDRESS_PART.test(path) ? path.split('/').map((part) => (ADDRESS_PART.test(part) ? '…' : part)).join('/') : path);

/**
 * `refusedAccess` aggregates the access lines of 401s by why, and of 429s by key (repeated-lines.ts): a client
 * guessing keys, a script sent without one, or one key's flood wrote an info line per request. The first of each kind
 * is logged whole.
 */
export function requestContext(logger: Logger, refusedAccess?: RepeatedLines): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const offered = req.get('x-request-id');
    const requestId = offered && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const state: RequestState = { requestId, log: logger.child({ requestId }) };
    res.locals.request = state;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    whenClosed(res, () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      // Only what identifies the request: never headers, bodies, keys or query text.
      const path = requestPath(req);
      const entry = { method: req.method, path: logged(withoutAddresses(path)), status: res.statusCode, ms, keyId: state.principal?.keyId, operation: logged(state.operation), code: state.errorCode, keyRefusal: state.keyRefusal, refusalsNotLogged: state.refusalsNotLogged, aborted: !res.writableFinished || undefined };
      // A readiness probe's 503 reports a state (not built, loading, damaged; /readyz says which), not a failure of ours.
      if (res.statusCode === 401 && refusedAccess) {
        const why = state.keyRefusal ?? 'unauthenticated';
        refusedAccess.seen(
          why,
          () => state.log.info(entry, 'request'),
          (requests) => logger.info({ status: 401, keyRefusal: why, requests, seconds: refusedAccess.windowMs / 1000 }, `${requests} more requests refused 401 (${why}), not logged one by one`),
        );
      } else if (res.statusCode === 429 && refusedAccess) {
        // A flood past its key's limit wrote an info line per refusal (4,100 in 16 s): the first, then a count, per key.
        const keyId = state.principal?.keyId ?? 'none';
        refusedAccess.seen(
          `429 ${keyId}`,
          () => state.log.info(entry, 'request'),
          (requests) => logger.info({ status: 429, keyId, requests, seconds: refusedAccess.windowMs / 1000 }, `${requests} more requests of key ${keyId} refused 429 (RATE_LIMITED), not logged one by one`),
        );
      } else if (res.statusCode < 500 || (res.statusCode === 503 && path === '/readyz')) state.log.info(entry, 'request');
      else if (state.errorCode !== undefined && EXPECTED_CONDITIONS.has(state.errorCode)) state.log.warn(entry, 'request answered with a server condition');
      else state.log.error(entry, 'request failed');
    });
    storage.run(state, next);
  };
}
