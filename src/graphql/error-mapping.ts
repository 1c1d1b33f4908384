import { GraphQLError } from 'graphql';
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from 'type-graphql';
import { EngineBusyError, EngineUnavailableError, EngineUnreachableError, LakeDamagedError, afterDamage, LakeFilesystemError, LakeNotBuiltError, ParameterError, QueryTimeoutError, SpillFolderError, StaleVersionError, isOpenFileLimit } from '../../etl/engine/engine-errors';
import { ManifestError } from '../../etl/manifest';
import { ConsentUnavailableError } from '../consent/consent-unavailable';
import { ErrorCode, StediError } from '../errors';
import { ShuttingDownError } from '../rebuild/failure-message';
import type { Logger } from '../logger';
import { STALE_REASONS } from './stale-reasons';

/**
 * The one mapping from an error to what a caller sees, shared by GraphQL
 * (resolvers and formatError), /export and every other route: a code from
 * src/errors.ts and a message saying what to fix, defined once here.
 * Anything not listed is ours to fix: logged with its context, reported
 * without SQL or stack.
 */
export interface ClientError {
  code: string;
  message: string;
  /** `extensions.reason`, for codes with several causes (STALE_CURSOR). */
  reason?: string;
}

// Codes Apollo gives to errors in the request itself (syntax, validation, variables): the caller's to fix.
const REQUEST_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST'];
const CLIENT_CODES = new Set<string>([...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR), ...REQUEST_CODES]);

export const MESSAGES = {
  unauthenticated: 'an API key is required: send the header "Authorization: Bearer <key>"',
  forbidden: "your API key's role may not do this: personal fields and rebuildZones need an admin key",
  lakeNotBuilt: 'the lake has not been built yet; run `stedi build` (or, with an admin key, the rebuildZones mutation) first',
  lakeUnreadable: "the server cannot read the lake manifest (a permission, a file where its folder should be, or a link to a disk not mounted); tell the server's operator (its /readyz and log name the path)",
  consentUnavailable:
    "consent cannot be checked now: the server could not re-read the customer landing data, and answers no data without it; retry later, and tell the server's operator (its /readyz and log say what to fix)",
  engineBusy: 'the query engine (Athena) is refusing queries for now because too many are running; retry in a few seconds',
  engineUnreachable: "the server cannot reach its query engine (Athena) now; retry later, and tell the server's operator (its /readyz and log say what to fix)",
  engineFailing: "the query engine (Athena) or its storage (S3) failed on AWS's side; nothing is wrong with the request: retry in a few minutes",
  queryTimeout: (ms: number): string => `the query ran longer than ${ms} ms and was cancelled; ask for fewer rows or a narrower filter`,
  validationTooCostly:
    'the query is too costly to validate: it selects the same field (or spreads the same fragment) too many times; select each field once, with aliases only where the arguments differ',
  batchRefused: 'send one operation per request: this server does not take a JSON array of operations (keep-alive makes separate requests cheap)',
  bodyNotJson:
    'send the operation as JSON: the header "Content-Type: application/json" (in Python requests: json=..., not data=...; in curl: -H \'Content-Type: application/json\') and a body such as {"query": "{ lake { liveVersion } }"}',
  exportDiskFull: "the server has no disk space left to write this export; try again later, and tell the server's operator to free space in its temporary folder",
  queryDiskFull:
    "the server has no disk space left for this query's working files; retry later or ask for fewer rows, and tell the server's operator to free space in its temporary folder (its log names it)",
  querySpillRefused:
    "the server cannot write this query's working files: its temporary folder is read-only or not writable by it; ask for fewer rows, and tell the server's operator (its log names the folder: set TMPDIR to a writable one)",
  exportFolderRefused:
    "the server cannot write this export's file: its temporary folder is read-only or not writable by it; tell the server's operator (its log names the folder: set TMPDIR to a writable one)",
  exportFileTooLarge: "this export is larger than the server may write as one file; ask for one split at a time, and tell the server's operator to raise its file size limit (ulimit -f)",
  openFileLimit:
    "the server reached its open-file limit and cannot open the lake's files now; retry in a few seconds, and tell the server's operator (its log names the limit to raise: ulimit -n)",
  lakeChanged:
    'the lake changed while this request ran: a rebuild published a new version and expired the one it was reading (this request sent no cursor); send the request again to read the new live version',
  internal: (requestId: string | undefined): string => `internal error (request id ${requestId ?? 'unknown'}); the server log has the details`,
} as const;

// graphql-js's and Apollo's fixed texts that name no fix, and what to say instead.
const REWORDED = new Map<string, string>([
  // graphql-js stops validating a document that costs it too much work.
  ['Validation aborted.', MESSAGES.validationTooCostly],
  // Apollo, to a JSON array of operations (a client's batching option).
  ['Operation batching disabled.', MESSAGES.batchRefused],
  // Apollo, to a body sent as application/graphql, form-encoded or without a type (Python requests' data=, curl -d);
  // an empty or `{}` body typed as JSON is refused before Apollo (body-errors.ts). Its CSRF check never refuses here:
  // every request reaching Apollo carries a key.
  ['POST body missing, invalid Content-Type, or JSON object has no keys.', MESSAGES.bodyNotJson],
]);

/** The caller-facing code and message of an error, or null when it is an internal one. */
export function clientError(error: unknown): ClientError | null {
  const cause = error instanceof GraphQLError && !(error instanceof StediError) && error.originalError ? error.originalError : error;
  if (cause instanceof StediError) return cause.reason === undefined ? { code: cause.code, message: cause.message } : { code: cause.code, message: cause.message, reason: cause.reason };
  if (cause instanceof AuthenticationError) return { code: ErrorCode.UNAUTHENTICATED, message: MESSAGES.unauthenticated };
  if (cause instanceof AuthorizationError) return { code: ErrorCode.FORBIDDEN, message: MESSAGES.forbidden };
  if (cause instanceof ArgumentValidationError) return { code: ErrorCode.BAD_USER_INPUT, message: validationMessage(cause) };
  if (cause instanceof StaleVersionError) return { code: ErrorCode.STALE_CURSOR, message: cause.message, reason: cause.damage === undefined ? STALE_REASONS.expired : STALE_REASONS.damaged };
  if (cause instanceof LakeNotBuiltError) return { code: ErrorCode.LAKE_NOT_BUILT, message: MESSAGES.lakeNotBuilt };
  if (cause instanceof LakeDamagedError || cause instanceof ManifestError) return { code: ErrorCode.LAKE_DAMAGED, message: lakeDamaged(cause).message };
  // A build does not fix it (a permission, a file in the way): the operator does, told the path by /readyz and the log.
  if (cause instanceof LakeFilesystemError) return { code: ErrorCode.LAKE_DAMAGED, message: MESSAGES.lakeUnreadable };
  if (cause instanceof ConsentUnavailableError) return { code: ErrorCode.CONSENT_UNAVAILABLE, message: MESSAGES.consentUnavailable };
  if (cause instanceof ParameterError) return { code: ErrorCode.BAD_USER_INPUT, message: cause.message };
  if (cause instanceof EngineBusyError) return { code: ErrorCode.ENGINE_BUSY, message: MESSAGES.engineBusy };
  if (cause instanceof ShuttingDownError) return { code: ErrorCode.ENGINE_BUSY, message: cause.message };
  // Not the caller's doing nor our bug: the engine is unavailable (503), as when it is busy; the operator's to fix.
  if (cause instanceof EngineUnreachableError) return { code: ErrorCode.ENGINE_BUSY, message: MESSAGES.engineUnreachable };
  // AWS answered a 5xx after the SDK's retries: unavailable for now (503), not our bug; the log keeps AWS's request id.
  if (cause instanceof EngineUnavailableError) return { code: ErrorCode.ENGINE_BUSY, message: MESSAGES.engineFailing };
  if (cause instanceof QueryTimeoutError) return { code: ErrorCode.QUERY_TIMEOUT, message: MESSAGES.queryTimeout(cause.timeoutMs) };
  // Not the caller's doing nor damage: descriptors free again in a moment (503); the operator's to raise the limit.
  if (isOpenFileLimit(cause)) return { code: ErrorCode.ENGINE_BUSY, message: MESSAGES.openFileLimit };
  // The operator's to fix and the caller's to retry (507), as an export's full disk; the folder is in the log only.
  if (cause instanceof SpillFolderError) return { code: ErrorCode.INSUFFICIENT_STORAGE, message: cause.full ? MESSAGES.queryDiskFull : MESSAGES.querySpillRefused };
  // A limit refused during validation keeps its own code under Apollo's GRAPHQL_VALIDATION_FAILED wrapper.
  for (const candidate of [cause, error]) {
    const code: unknown = candidate instanceof GraphQLError ? candidate.extensions?.code : undefined;
    if (typeof code !== 'string' || !CLIENT_CODES.has(code)) continue;
    const { message } = candidate as GraphQLError;
    return { code, message: REWORDED.get(message) ?? message };
  }
  // Apollo refuses some requests (a persisted query's hash or version) with a 4xx status and no code; its messages are fixed texts.
  const status = error instanceof GraphQLError && !error.originalError ? (error.extensions?.http as { status?: unknown } | undefined)?.status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return { code: 'BAD_REQUEST', message: REWORDED.get((error as GraphQLError).message) ?? (error as GraphQLError).message };
  return null;
}

/** Whether the caller is told STALE_CURSOR: a version expired under the read (a cursor's, or the live one a request took). */
export const isStaleCursor = (error: unknown): boolean => clientError(error)?.code === ErrorCode.STALE_CURSOR;

// Private: a failed batch reaches every parent's field; log each error once, not once per parent.
const logged = new WeakSet<object>();
export const firstTime = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return true;
  if (logged.has(error)) return false;
  logged.add(error);
  return true;
};

/** What a resolver throws: the caller-facing error, or a logged internal one that says only where to look. */
export function toStediError(error: unknown, logger: Logger, context: Record<string, unknown> = {}): StediError {
  if (error instanceof StediError) return error;
  const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const safe = clientError(error);
  if (safe) {
    if (cause instanceof QueryTimeoutError && firstTime(cause)) logger.warn({ ...context, timeoutMs: cause.timeoutMs }, 'query timed out');
    if (cause instanceof SpillFolderError && firstTime(cause)) logger.error({ ...context, spillDir: cause.folder, err: cause.cause }, cause.message);
    warnEngineUnavailable(cause, logger, context);
    return new StediError(safe.code as ErrorCode, safe.message, safe.reason);
  }
  if (firstTime(cause)) logger.error({ ...context, err: cause }, 'resolver failed');
  return new StediError(ErrorCode.INTERNAL_SERVER_ERROR, MESSAGES.internal(typeof context.requestId === 'string' ? context.requestId : undefined));
}

/** The caller is told to retry; the operator reads here why (once per failed call, not per field it failed). */
export function warnEngineUnavailable(cause: unknown, logger: Logger, context: Record<string, unknown> = {}): void {
  if (isOpenFileLimit(cause) && firstTime(cause)) logger.warn({ ...context, err: cause }, 'this process reached its open-file limit (ulimit -n): the request was answered ENGINE_BUSY (503); raise it (ulimit -n 4096) before starting stedi');
  if (cause instanceof EngineUnreachableError && firstTime(cause)) logger.warn({ ...context, reason: cause.message }, 'the query engine cannot be reached; data requests answer ENGINE_BUSY (503) until it can');
  if (cause instanceof EngineUnavailableError && firstTime(cause)) logger.warn({ ...context, reason: cause.message }, 'AWS failed on its side; the request was answered ENGINE_BUSY (503)');
}

export const lakeNotBuilt = (): StediError => new StediError(ErrorCode.LAKE_NOT_BUILT, MESSAGES.lakeNotBuilt);

/** The live version or the manifest cannot be read; the message says so without a server path. */
export function lakeDamaged(cause: LakeDamagedError | ManifestError): StediError {
  const what = cause instanceof LakeDamagedError ? `the live lake version ${cause.version} is damaged (${cause.damage})` : 'the lake manifest cannot be read';
  const rebuild = 'an admin can run `stedi build` (or the rebuildZones mutation) to build a new version';
  const fix = cause instanceof LakeDamagedError ? afterDamage(cause.damage, `${rebuild} (\`stedi status\` names every damaged file)`) : `; ${rebuild} (\`stedi status\` says what is wrong with the manifest)`;
  return new StediError(ErrorCode.LAKE_DAMAGED, `${what}${fix}`);
}

function validationMessage(error: ArgumentValidationError): string {
  const problems = (error.extensions.validationErrors ?? []).flatMap(function collect(v): string[] {
    return [...Object.values(v.constraints ?? {}), ...(v.children ?? []).flatMap(collect)];
  });
  return problems.length > 0 ? `invalid argument: ${problems.join('; ')}` : 'invalid argument';
}
