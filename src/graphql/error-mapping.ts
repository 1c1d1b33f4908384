import { GraphQLError } from 'graphql';
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from 'type-graphql';
import { LakeDamagedError, LakeNotBuiltError, ParameterError, QueryTimeoutError, StaleVersionError } from '../../etl/engine/engine-errors';
import { ManifestError } from '../../etl/manifest';
import { ErrorCode, StediError } from '../errors';
import type { Logger } from '../logger';

// Private: a failed batch reaches every parent's field; log each error once, not once per parent.
const logged = new WeakSet<object>();
const firstTime = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return true;
  if (logged.has(error)) return false;
  logged.add(error);
  return true;
};

/**
 * Every error a resolver raises becomes a StediError with a code from
 * src/errors.ts. Caller mistakes keep a message that says what to fix;
 * anything else is logged with its context and reported without SQL or stack.
 */
export function toStediError(error: unknown, logger: Logger, context: Record<string, unknown> = {}): StediError {
  const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (cause instanceof StediError) return cause;
  if (error instanceof StediError) return error;
  if (cause instanceof AuthenticationError) return new StediError(ErrorCode.UNAUTHENTICATED, 'an API key is required: send the header "authorization: Bearer <key>"');
  if (cause instanceof AuthorizationError) return new StediError(ErrorCode.FORBIDDEN, 'your API key\'s role does not allow this field; ask for a key with the admin role');
  if (cause instanceof ArgumentValidationError) return new StediError(ErrorCode.BAD_USER_INPUT, validationMessage(cause));
  if (cause instanceof StaleVersionError) return new StediError(ErrorCode.STALE_CURSOR, cause.message);
  if (cause instanceof LakeNotBuiltError) return lakeNotBuilt();
  if (cause instanceof LakeDamagedError || cause instanceof ManifestError) return lakeDamaged(cause);
  if (cause instanceof ParameterError) return new StediError(ErrorCode.BAD_USER_INPUT, cause.message);
  if (cause instanceof QueryTimeoutError) {
    if (firstTime(cause)) logger.warn({ ...context, timeoutMs: cause.timeoutMs }, 'query timed out');
    return new StediError(ErrorCode.QUERY_TIMEOUT, `the query ran longer than ${cause.timeoutMs} ms and was cancelled; ask for smaller pages or a narrower filter`);
  }
  if (firstTime(cause)) logger.error({ ...context, err: cause }, 'resolver failed');
  const id = typeof context.requestId === 'string' ? ` (request id ${context.requestId})` : '';
  return new StediError(ErrorCode.INTERNAL_SERVER_ERROR, `internal error${id}; the server log has the details`);
}

export const lakeNotBuilt = (): StediError =>
  new StediError(ErrorCode.LAKE_NOT_BUILT, 'the lake has not been built yet; run `stedi build` (or the rebuildZones mutation) first');

/** The live version or the manifest cannot be read; the message says so without a server path. */
export function lakeDamaged(cause: LakeDamagedError | ManifestError): StediError {
  const what = cause instanceof LakeDamagedError ? `the live lake version ${cause.version} is damaged (${cause.damage})` : 'the lake manifest cannot be read';
  return new StediError(ErrorCode.LAKE_DAMAGED, `${what}; an admin can run \`stedi build\` (or the rebuildZones mutation) to build a new version`);
}

function validationMessage(error: ArgumentValidationError): string {
  const errors = (error.extensions.validationErrors ?? []) as Array<{ property?: string; constraints?: Record<string, string>; children?: unknown[] }>;
  const messages: string[] = [];
  const walk = (list: typeof errors): void => {
    for (const e of list) {
      messages.push(...Object.values(e.constraints ?? {}));
      if (Array.isArray(e.children)) walk(e.children as typeof errors);
    }
  };
  walk(errors);
  return messages.length > 0 ? `invalid argument: ${messages.join('; ')}` : 'invalid argument';
}
