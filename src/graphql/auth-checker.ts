import type { AuthChecker } from 'type-graphql';
import type { Role } from '../auth/principal';
import { ErrorCode, StediError } from '../errors';
import type { GraphqlContext } from './context';

/**
 * @Authorized() needs any valid key; @Authorized('admin') needs the admin
 * role. It throws our own errors instead of returning false, so clients
 * always see UNAUTHENTICATED or FORBIDDEN, never type-graphql's codes.
 */
export const authChecker: AuthChecker<GraphqlContext, Role> = ({ context, info }, roles) => {
  const principal = context.principal;
  if (!principal) {
    throw new StediError(ErrorCode.UNAUTHENTICATED, 'an API key is required: send the header "authorization: Bearer <key>"');
  }
  if (roles.length === 0 || roles.includes(principal.role)) return true;
  throw new StediError(
    ErrorCode.FORBIDDEN,
    `${info.parentType.name}.${info.fieldName} needs the ${roles.join(' or ')} role; this API key has the ${principal.role} role`,
  );
};
