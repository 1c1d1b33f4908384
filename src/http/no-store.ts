import type { BaseContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { RequestPlugin } from './one-plugin';

/**
 * No HTTP cache keeps an answer of this server: its data holds customers' rows as consent allowed them when asked (a
 * revocation must reach every reader within the refresh interval), and its refusals (401, 403, 404, 405, 410, 429, a
 * 503) say what held at that moment only: 404, 405 and 410 are cacheable by default. What may be kept says so itself
 * (the /web files: revalidated on every load).
 */

export const NO_STORE = 'no-store';

/** The default of every answer, set before any route runs (a route that sets its own Cache-Control replaces it). */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', NO_STORE);
  next();
};

/** Apollo's own: its answer to an APQ hash it does not hold says `private, no-cache, must-revalidate`, which a browser stores. */
export const noStorePlugin: RequestPlugin<BaseContext> = {
  requestDidStart() {
    return {
      willSendResponse({ response }) {
        response.http.headers.set('cache-control', NO_STORE);
      },
    };
  },
};
