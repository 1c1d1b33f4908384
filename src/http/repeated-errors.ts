import type { BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestPlugin } from './one-plugin';

/**
 * Lists an error that the same answer holds at many places once, at its
 * first place, saying how many more there are: a personal field asked by an
 * analyst on each row of a 10,000-row page, or a failed batch under each of
 * its parents, would otherwise repeat one message 10,000 times (10 MB of
 * errors for one query). The fields stay null wherever it was raised.
 */
export const repeatedErrorsPlugin: RequestPlugin<BaseContext> = {
  requestDidStart() {
    return {
      willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (errors && errors.length > 1) response.body.singleResult.errors = listedOnce(errors);
      },
    };
  },
};

/** Each distinct (code, message) once, first place first, with how many more places it was raised. */
export function listedOnce(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const first = new Map<string, { error: GraphQLFormattedError; more: number }>();
  for (const error of errors) {
    const key = `${String(error.extensions?.code)}\u0000${error.message}`;
    const seen = first.get(key);
    if (seen) seen.more += 1;
    else first.set(key, { error, more: 0 });
  }
  if (first.size === errors.length) return [...errors];
  return [...first.values()].map(({ error, more }) =>
    more === 0 ? error : { ...error, message: `${error.message} (also at ${more.toLocaleString('en-US')} more ${more === 1 ? 'place' : 'places'} in this answer, listed once)` },
  );
}
