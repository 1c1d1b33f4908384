import { GraphQLError } from 'graphql';
import { onLakeAsItIsNow, type GraphqlContext } from '../graphql/context';
import { isStaleCursor, MESSAGES } from '../graphql/error-mapping';
import { ErrorCode, StediError } from '../errors';
import { STALE_REASONS } from '../graphql/stale-reasons';
import type { Executor } from './jit-executor';

/**
 * A request takes the live version as it starts. A rebuild (the server's own erasure rebuild, rebuildZones,
 * `stedi build`) may publish a new one and expire it while the request runs: its reads then fail as an expired
 * cursor's would, though the caller sent none. A query none of whose fields read a caller's cursor is run once
 * more, transparently, as a new request on the lake as it is now (its own manifest and consent snapshot: a hidden
 * customer stays hidden). Still stale (the lake changed again), or a mutation (never run twice), it is told the
 * lake changed and to send the request again. A cursor's expired version stays STALE_CURSOR as it was.
 */
export function rerunOnLakeChange(executor: Executor): Executor {
  return async (request) => {
    const result = await executor(request);
    const context = request.context as GraphqlContext;
    if (!expiredUnderIt(result.errors, context)) return result;
    if (request.operation?.operation !== 'query') return told(result);
    const again = { ...request, context: onLakeAsItIsNow(context) };
    const second = await executor(again);
    return expiredUnderIt(second.errors, again.context) ? told(second) : second;
  };
}

/** Some field failed on an expired version, and no field read a version a caller's cursor pinned. */
function expiredUnderIt(errors: readonly GraphQLError[] | undefined, context: GraphqlContext | undefined): boolean {
  return context?.lake !== undefined && !context.lake.readCursorVersion && (errors?.some(isStaleCursor) ?? false);
}

/** The result with each expired-version error saying the lake changed under the request, at the same place. */
function told<R extends Awaited<ReturnType<Executor>>>(result: R): R {
  const errors = result.errors?.map((error) => {
    if (!isStaleCursor(error)) return error;
    const changed = new GraphQLError(MESSAGES.lakeChanged, { path: error.path, originalError: new StediError(ErrorCode.STALE_CURSOR, MESSAGES.lakeChanged, STALE_REASONS.lakeChanged) });
    if (error.locations) (changed as { locations?: GraphQLError['locations'] }).locations = error.locations;
    return changed;
  });
  return { ...result, errors };
}
