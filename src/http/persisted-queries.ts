import type { PersistedQueryOptions } from '@apollo/server';
import { ByteBoundedLru } from '../byte-bounded-lru';
import { currentRequest } from './request-context';

/**
 * The query texts registered by automatic persisted queries (APQ), kept per API key. Apollo's default is one
 * cache for every caller: a key sending a bare hash learned whether any other key had registered that text
 * (a data answer, not PersistedQueryNotFound). Per key rather than per role, as two analysts' keys are two
 * callers too; one bound for all keys, so keys do not multiply the memory. Apollo Client's flow is unchanged:
 * a hash this key has not registered is PersistedQueryNotFound, and it registers by sending the text.
 */

/** Heap bytes of registered texts a process keeps, all keys together: two bytes a character, keys included. */
export const PERSISTED_QUERY_BYTES = 32 * 1024 * 1024;

type Cache = NonNullable<PersistedQueryOptions['cache']>;

export class PersistedQueriesByKey implements Cache {
  private readonly lru: ByteBoundedLru<string>;

  constructor(maxBytes = PERSISTED_QUERY_BYTES) {
    this.lru = new ByteBoundedLru(maxBytes);
  }

  get bytes(): number {
    return this.lru.bytes;
  }

  async get(hash: string): Promise<string | undefined> {
    const scoped = scopedKey(hash);
    return scoped === null ? undefined : this.lru.get(scoped);
  }

  async set(hash: string, text: string): Promise<void> {
    const scoped = scopedKey(hash);
    // Apollo's ttl is not used: the bound evicts the least recently used text.
    if (scoped !== null) this.lru.set(scoped, text, 2 * (scoped.length + text.length));
  }

  async delete(hash: string): Promise<boolean> {
    const scoped = scopedKey(hash);
    return scoped !== null && this.lru.delete(scoped);
  }
}

/** The hash under the calling request's key; null outside an authenticated request (nothing is shared then). */
function scopedKey(hash: string): string | null {
  const keyId = currentRequest()?.principal?.keyId;
  return keyId === undefined ? null : `${keyId}\n${hash}`;
}
