import type { RequestHandler } from 'express';
import { RequestLake } from '../graphql/request-lake';
import type { Services } from '../services';
import type { ServerMetrics } from './metrics';
import { plainAsked } from './plain-asked';
import { principalOf } from './request-context';
import type { ResponseCache } from './response-cache';

/**
 * Answers a POSTed query from the cache of whole answers before Apollo runs:
 * a kept answer exists only for a text and variables that passed every limit
 * and ran without error for the same role, versions and consent snapshot, so
 * Apollo's pipeline (parse lookup, validation, the cost check, plugins) would
 * decide the same. Counted and logged as Apollo's answers are. Anything else —
 * a miss, GET, a body with more than query/variables/operationName, an Accept
 * header asking for another type — goes on to Apollo unchanged.
 */
export function keptAnswers(
  cache: ResponseCache,
  services: Services,
  metrics: ServerMetrics,
  /** Called for each answer given from the cache: every kept answer is data (data-requests.ts). */
  onAnswered?: () => void,
): RequestHandler {
  return (req, res, next) => {
    const asked = plainAsked(req);
    if (!asked) return next();
    const started = process.hrtime.bigint();
    cache.keyFor(principalOf(res)?.role, new RequestLake(services), asked).then(
      (key) => {
        const kept = key === null ? undefined : cache.get(key);
        if (!kept) return next();
        onAnswered?.();
        metrics.countOperation(kept.operation, 'query', started, false);
        (res.locals.request as { operation?: string }).operation = kept.operation ?? undefined;
        // As Apollo writes a single JSON answer (content type, then res.send).
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.status(200).send(`{"data":${kept.text}}\n`);
      },
      () => next(),
    );
  };
}
