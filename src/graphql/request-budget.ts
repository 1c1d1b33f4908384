import type { LimitsConfig } from '../config';
import { badInput, ErrorCode, StediError } from '../errors';
import { stopIfGone } from './still-wanted';

/**
 * What one request may spend on the engine: a wall-clock budget from its
 * start (STEDI_REQUEST_ENGINE_MS) that caps every query's timeout, and a
 * number of distinct counts not already cached (each one a scan). Spent, the
 * request answers QUERY_TIMEOUT or BAD_USER_INPUT for the fields left, and
 * its queries stop holding engine connections other clients wait for.
 */
export class RequestBudget {
  private readonly deadline: number;
  private counts = 0;

  constructor(
    private readonly limits: Pick<LimitsConfig, 'requestEngineMs' | 'maxCountsPerRequest'>,
    private readonly queryTimeoutMs: number,
    now: number = performance.now(),
    /** Aborted once the client is gone: no further engine query starts for it. */
    private readonly gone?: AbortSignal,
  ) {
    this.deadline = now + limits.requestEngineMs;
  }

  /** The timeout of the next engine query: what is left of the budget, at most the per-query timeout. */
  timeoutMs(): number {
    stopIfGone(this.gone);
    const left = Math.floor(this.deadline - performance.now());
    if (left <= 0) {
      throw new StediError(
        ErrorCode.QUERY_TIMEOUT,
        `the request used up its engine time of ${this.limits.requestEngineMs} ms; ask for fewer fields, smaller pages or fewer totalCounts per request`,
      );
    }
    return Math.min(left, this.queryTimeoutMs);
  }

  /** The same deadline, no count started: the request run again on a new live version (its counts are not cached there). */
  again(): RequestBudget {
    return new RequestBudget(this.limits, this.queryTimeoutMs, this.deadline - this.limits.requestEngineMs, this.gone);
  }

  /** Called before a count that no cache answers. */
  startCount(): void {
    this.counts += 1;
    if (this.counts > this.limits.maxCountsPerRequest) {
      throw badInput(
        `a request may start at most ${this.limits.maxCountsPerRequest} totalCount scans with different arguments; ask for the others in another request (repeated counts are cached)`,
      );
    }
  }
}
