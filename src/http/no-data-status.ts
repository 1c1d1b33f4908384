import type { BaseContext } from '@apollo/server';
import type { RequestPlugin } from './one-plugin';

/**
 * An answer without `data` is never 2xx: the GraphQL-over-HTTP spec's rule for application/graphql-response+json
 * (a client that asks for it reads a 2xx as an operation that ran), kept for application/json too, as Apollo answers
 * parse and validation errors 400 under both. Apollo answered an APQ hash it does not hold (PersistedQueryNotFound)
 * 200 without data. It is 404: Apollo Client's and urql's APQ links read the error from a 4xx body and send the
 * text, and Apollo Client 3 turns APQ off for good on a 400 or 500.
 */
export const noDataNot2xxPlugin: RequestPlugin<BaseContext> = {
  requestDidStart() {
    return {
      willSendResponse({ response }) {
        if (response.body.kind !== 'single' || 'data' in response.body.singleResult) return;
        if ((response.http.status ?? 200) >= 400) return;
        const code = response.body.singleResult.errors?.[0]?.extensions?.code;
        response.http.status = code === 'PERSISTED_QUERY_NOT_FOUND' ? 404 : 400;
      },
    };
  },
};
