import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContext,
  GraphQLRequestContextDidEncounterErrors,
  GraphQLRequestContextDidResolveOperation,
  GraphQLRequestContextResponseForOperation,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestListener,
  GraphQLResponse,
} from '@apollo/server';

/**
 * The hooks a request plugin of this server may have (what none uses is left out: it would need Apollo's own order).
 * A hook with nothing to wait for returns nothing: a promise a hook a request is what this file saves.
 */
export interface RequestHooks<C extends BaseContext> {
  didResolveOperation?(requestContext: GraphQLRequestContextDidResolveOperation<C>): Promise<void> | void;
  responseForOperation?(requestContext: GraphQLRequestContextResponseForOperation<C>): Promise<GraphQLResponse | null>;
  willSendResponse?(requestContext: GraphQLRequestContextWillSendResponse<C>): Promise<void> | void;
  didEncounterErrors?(requestContext: GraphQLRequestContextDidEncounterErrors<C>): Promise<void> | void;
}

/** A plugin that makes its hooks for a request at once (no promise), or none for a request it leaves alone. */
export interface RequestPlugin<C extends BaseContext> {
  requestDidStart(requestContext: GraphQLRequestContext<C>): RequestHooks<C> | undefined;
}

type Parallel = 'didResolveOperation' | 'willSendResponse' | 'didEncounterErrors';
const DONE: Promise<void> = Promise.resolve();
const ignore = (): void => undefined;

/**
 * Several request plugins as one Apollo plugin, each hook called as Apollo calls its plugins' (in order, every one,
 * the first rejection failing the step; responseForOperation one after another until one answers). Apollo calls every
 * plugin at every step of every request and waits on a promise for each, hook or none: eight plugins made about a
 * hundred promises a small query, each also seen by the request's async-local storage.
 */
export function onePlugin<C extends BaseContext>(...plugins: ReadonlyArray<RequestPlugin<C>>): ApolloServerPlugin<C> {
  return {
    async requestDidStart(requestContext) {
      const listeners: Array<RequestHooks<C>> = [];
      for (const plugin of plugins) {
        const hooks = plugin.requestDidStart(requestContext);
        if (hooks) listeners.push(hooks);
      }
      if (listeners.length === 0) return undefined;
      // As Apollo's Promise.all over its plugins: every hook is called, and the step fails with the first to fail (one
      // that throws before it waits fails first); the rest are still waited on by no one, their failures ignored.
      const all = (hook: Parallel, context: never): Promise<void> => {
        let pending: Array<Promise<void>> | undefined;
        let failed: { error: unknown } | undefined;
        for (const listener of listeners) {
          try {
            const started = (listener[hook] as ((c: never) => Promise<void> | void) | undefined)?.(context);
            if (started) (pending ??= []).push(started);
          } catch (error) {
            failed ??= { error };
          }
        }
        if (failed) {
          pending?.forEach((started) => started.catch(ignore));
          return Promise.reject(failed.error);
        }
        return pending === undefined ? DONE : pending.length === 1 ? pending[0]! : Promise.all(pending).then(ignore);
      };
      const merged: GraphQLRequestListener<C> = {};
      if (listeners.some((l) => l.didResolveOperation)) merged.didResolveOperation = (context) => all('didResolveOperation', context as never);
      if (listeners.some((l) => l.willSendResponse)) merged.willSendResponse = (context) => all('willSendResponse', context as never);
      if (listeners.some((l) => l.didEncounterErrors)) merged.didEncounterErrors = (context) => all('didEncounterErrors', context as never);
      if (listeners.some((l) => l.responseForOperation)) {
        merged.responseForOperation = async (context) => {
          for (const listener of listeners) {
            const answer = await listener.responseForOperation?.(context);
            if (answer != null) return answer;
          }
          return null;
        };
      }
      return merged;
    },
  };
}
