import type { Principal } from '../auth/principal';
import type { Services } from '../services';
import { Loaders } from './loaders';
import { RequestBudget } from './request-budget';
import { RequestLake } from './request-lake';

/** What every resolver of one request sees. */
export interface GraphqlContext {
  services: Services;
  /** null when the request carried no valid key (the HTTP layer normally rejects those first). */
  principal: Principal | null;
  requestId: string;
  /** Per-request DataLoaders: nested fields cost one engine query per level. */
  loaders: Loaders;
  /** The manifest and consent snapshot this request answers from. */
  lake: RequestLake;
  /** Engine time and uncached counts this request may still spend. */
  budget: RequestBudget;
  /** Aborted once the client closed its connection (src/http/client-gone.ts): the rest of the work stops (still-wanted.ts). */
  gone?: AbortSignal;
  /** Made by the server itself, not asked by a client (answer-replay.ts): not counted as an operation. */
  replay?: boolean;
  /** Rows the operation asks for at most, as its cost estimate found them (limits.ts; rows-in-flight.ts counts them). */
  askedRows?: number;
  /** The request's HTTP response; none for an answer the server makes itself. Its rows are given back as it closes (rows-in-flight.ts). */
  answer?: SentAnswer;
}

/** An answer being sent: closed once sent in full or cut (an HTTP response). */
export interface SentAnswer {
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** The same request on the lake as it is now: a new manifest and consent snapshot, the same caller and engine deadline. */
export function onLakeAsItIsNow(ctx: GraphqlContext): GraphqlContext {
  const lake = new RequestLake(ctx.services);
  const budget = ctx.budget.again();
  return { ...ctx, lake, budget, loaders: new Loaders(ctx.services, lake, budget) };
}

export function createContext(services: Services, principal: Principal | null, requestId: string, gone?: AbortSignal, answer?: SentAnswer): GraphqlContext {
  const lake = new RequestLake(services);
  const budget = new RequestBudget(services.config.limits, services.config.queryTimeoutMs, performance.now(), gone);
  return { services, principal, requestId, loaders: new Loaders(services, lake, budget), lake, budget, gone, answer };
}
