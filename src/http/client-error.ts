import { GraphQLError } from 'graphql';
import { AuthenticationError, AuthorizationError, ArgumentValidationError } from 'type-graphql';
import { LakeDamagedError, LakeNotBuiltError, QueryTimeoutError, StaleVersionError } from '../../etl/engine/engine-errors';
import { ManifestError } from '../../etl/manifest';
import { ErrorCode, StediError } from '../errors';
import { lakeDamaged } from '../graphql/error-mapping';

/**
 * Decides whether an error may be shown to the caller and under which code.
 * A StediError, the engine's own caller-facing errors and type-graphql's auth
 * and validation errors map onto our codes; anything else is internal (null).
 */
export interface ClientError {
  code: string;
  message: string;
}

// Codes Apollo gives to errors in the request itself (syntax, validation, variables): the caller's to fix.
const REQUEST_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST'];
const CLIENT_CODES = new Set<string>([...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR), ...REQUEST_CODES]);

export function clientError(error: unknown): ClientError | null {
  if (error instanceof StediError) return { code: error.code, message: error.message };
  if (error instanceof AuthorizationError) return { code: ErrorCode.FORBIDDEN, message: "your API key's role may not do this: personal fields and rebuildZones need an admin key" };
  if (error instanceof AuthenticationError) return { code: ErrorCode.UNAUTHENTICATED, message: 'an API key is required: send the header "Authorization: Bearer <key>"' };
  if (error instanceof ArgumentValidationError) return { code: ErrorCode.BAD_USER_INPUT, message: validationMessage(error) };
  if (error instanceof StaleVersionError) return { code: ErrorCode.STALE_CURSOR, message: error.message };
  if (error instanceof QueryTimeoutError) return { code: ErrorCode.QUERY_TIMEOUT, message: `${error.message}; ask for fewer rows or narrow the filter` };
  if (error instanceof LakeNotBuiltError) return { code: ErrorCode.LAKE_NOT_BUILT, message: 'the lake has not been built yet; an admin can run the rebuildZones mutation' };
  if (error instanceof LakeDamagedError || error instanceof ManifestError) return { code: ErrorCode.LAKE_DAMAGED, message: lakeDamaged(error).message };
  const code: unknown = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) return { code, message: (error as GraphQLError).message };
  return null;
}

function validationMessage(error: ArgumentValidationError): string {
  const problems = error.extensions.validationErrors.flatMap(function collect(v): string[] {
    return [...Object.values(v.constraints ?? {}), ...(v.children ?? []).flatMap(collect)];
  });
  return problems.length > 0 ? `invalid argument: ${problems.join('; ')}` : 'invalid argument';
}
