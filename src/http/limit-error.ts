import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';

/** A request refused by a limit (limits.ts, cost-estimate.ts): BAD_USER_INPUT, answered 400; the message says what to change. */
export const limitError = (message: string, nodes?: GraphQLError['nodes']): GraphQLError =>
  new GraphQLError(message, { nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
