import { GraphQLError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import { QueryTimeoutError, StaleVersionError } from '../../etl/engine/engine-errors';
import { ErrorCode, StediError } from '../../src/errors';
import { formatError } from '../../src/http/format-error';

/** Apollo's formatError on its own: what passes through and what is masked. */

const located = (original: Error): GraphQLError => new GraphQLError(original.message, { originalError: original, path: ['customers'] });
const formatted = (error: GraphQLError, code = 'INTERNAL_SERVER_ERROR') => ({ message: error.message, path: error.path, extensions: { code, stacktrace: ['at x'] } });

describe('formatting GraphQL errors for the client', () => {
  it('passes a StediError through with its code and message only', () => {
    const error = located(new StediError(ErrorCode.BAD_USER_INPUT, 'first must be at least 1'));
    expect(formatError(formatted(error, 'BAD_USER_INPUT'), error)).toEqual({ message: 'first must be at least 1', path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('masks any other error as INTERNAL_SERVER_ERROR without its message or stack', () => {
    const error = located(new Error('Catalog Error: SELECT * FROM "v_1"."customer_curated"'));
    const out = formatError(formatted(error), error);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(out.message).toMatch(/^internal error \(request id unknown\); the server log has the details$/);
  });

  it.each([
    [new StaleVersionError('20260101t000000000z_abcd'), { code: 'STALE_CURSOR', reason: 'VERSION_EXPIRED' }],
    [new StaleVersionError('20260101t000000000z_abcd', 'a file fails its checksum'), { code: 'STALE_CURSOR', reason: 'VERSION_DAMAGED' }],
    [new QueryTimeoutError(30_000), { code: 'QUERY_TIMEOUT' }],
    [new AuthorizationError(), { code: 'FORBIDDEN' }],
  ])('maps %p to %p', (original, extensions) => {
    const error = located(original);
    expect(formatError(formatted(error), error).extensions).toEqual(extensions);
  });

  it("keeps Apollo's own request errors (parse, validation) with their codes", () => {
    const error = new GraphQLError('Syntax Error: Expected Name, found <EOF>.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(formatError(formatted(error, 'GRAPHQL_PARSE_FAILED'), error)).toEqual({ message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  });
});
