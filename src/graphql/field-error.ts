import type { StediError } from '../errors';
import type { GraphqlContext } from './context';
import { toStediError } from './error-mapping';
import { explainExpiry } from './stale-reasons';

/**
 * What a field's resolver threw, as the caller is told it: an expired version's error with why it expired
 * (stale-reasons.ts), then mapped and logged as every resolver's error is (error-mapping.ts).
 */
export async function fieldError(error: unknown, ctx: GraphqlContext, field: string): Promise<StediError> {
  return toStediError(await explainExpiry(error, ctx.services), ctx.services.logger, { requestId: ctx.requestId, field });
}
