import type { Principal } from '../auth/principal';
import type { Services } from '../services';
import { Loaders } from './loaders';
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
}

export function createContext(services: Services, principal: Principal | null, requestId: string): GraphqlContext {
  const lake = new RequestLake(services);
  return { services, principal, requestId, loaders: new Loaders(services, lake), lake };
}
