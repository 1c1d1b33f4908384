import type { AuthChecker } from 'type-graphql';
import type { Role } from '../auth/principal';
import { ErrorCode, StediError } from '../errors';
import type { GraphqlContext } from './context';

/**
 * @Authorized() needs any valid key; @Authorized('admin') needs the admin
 * role. It throws our own errors instead of returning false, so clients
 * always see UNAUTHENTICATED or FORBIDDEN, never type-graphql's codes.
 * One error per field and request, thrown again at each of the field's
 * places: a page of 10,000 rows asking a personal field makes one, not 10,000.
 */

// Private: the FORBIDDEN error of each field a request was refused, by its context.
const refusals = new WeakMap<GraphqlContext, Map<string, StediError>>();

export const authChecker: AuthChecker<GraphqlContext, Role> = ({ context, info }, roles) => {
  const principal = context.principal;
  if (!principal) {
    throw new StediError(ErrorCode.UNAUTHENTICATED, 'an API key is required: send the header "authorization: Bearer <key>"');
  }
  if (roles.length === 0 || roles.includes(principal.role)) return true;
  const field = `${info.parentType.name}.${info.fieldName}`;
  let refused = refusals.get(context);
  if (!refused) refusals.set(context, (refused = new Map()));
  let error = refused.get(field);
  if (!error) refused.set(field, (error = new StediError(ErrorCode.FORBIDDEN, `${field} needs the ${roles.join(' or ')} role; this API key has the ${principal.role} role`)));
  throw error;
};
