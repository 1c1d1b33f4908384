import { GraphQLError } from 'graphql';

/**
 * The error codes a client can see, in `extensions.code` of a GraphQL error
 * and in the JSON body of an HTTP error. Anything else is reported as
 * INTERNAL_SERVER_ERROR with a generic message; details go to the log only.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** The request is not a GraphQL request at all (a body that is not a JSON object): Apollo's code for the same refusal of a GET's parameters. */
  BAD_REQUEST = 'BAD_REQUEST',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  STALE_CURSOR = 'STALE_CURSOR',
  NOT_FOUND = 'NOT_FOUND',
  LAKE_NOT_BUILT = 'LAKE_NOT_BUILT',
  LAKE_DAMAGED = 'LAKE_DAMAGED',
  CONSENT_UNAVAILABLE = 'CONSENT_UNAVAILABLE',
  QUERY_TIMEOUT = 'QUERY_TIMEOUT',
  RATE_LIMITED = 'RATE_LIMITED',
  /** A rebuild under the other consent policy is running: asked again once it ends, the same request succeeds. */
  REBUILD_IN_PROGRESS = 'REBUILD_IN_PROGRESS',
  ENGINE_BUSY = 'ENGINE_BUSY',
  INSUFFICIENT_STORAGE = 'INSUFFICIENT_STORAGE',
  /** The client closed its connection while its request ran: the work stopped, and nothing is sent (client-gone.ts). */
  CLIENT_GONE = 'CLIENT_GONE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  STALE_CURSOR: 410,
  NOT_FOUND: 404,
  LAKE_NOT_BUILT: 503,
  LAKE_DAMAGED: 503,
  CONSENT_UNAVAILABLE: 503,
  QUERY_TIMEOUT: 504,
  RATE_LIMITED: 429,
  REBUILD_IN_PROGRESS: 409,
  ENGINE_BUSY: 503,
  INSUFFICIENT_STORAGE: 507,
  // nginx's status for a request its client closed: only the log ever shows it.
  CLIENT_GONE: 499,
  INTERNAL_SERVER_ERROR: 500,
};

/** A caller-facing error's `extensions`: its code, and its reason only when it has one (no `reason` key otherwise). */
export const codeExtensions = <C extends string>(code: C, reason?: string): { code: C; reason?: string } => (reason === undefined ? { code } : { code, reason });

/** The one base class of errors whose message is safe to show the caller. */
export class StediError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Why, in `extensions.reason`, where one code has causes a caller acts on differently (STALE_CURSOR: stale-reasons.ts). */
    readonly reason?: string,
  ) {
    super(message, { extensions: codeExtensions(code, reason) });
    this.name = 'StediError';
  }
}

export const badInput = (message: string): StediError => new StediError(ErrorCode.BAD_USER_INPUT, message);
