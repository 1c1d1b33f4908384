import { type GraphQLRequestContextResponseForOperation, HeaderMap } from '@apollo/server';
import type { RequestPlugin } from './one-plugin';
import { ByteBoundedLru } from '../byte-bounded-lru';
import type { GraphqlContext } from '../graphql/context';
import type { RequestLake } from '../graphql/request-lake';
import { CacheableQueries } from './cacheable-queries';
import { keepOnceWritten, MAX_ENTRY_BYTES, placeholderOf } from './kept-answer-text';
import type { RecentAsk } from './recent-asks';

/**
 * Whole answers of repeated read queries, so a client asking the same thing
 * again skips execution (resolvers, loaders, the engine, cursors). Only what
 * a lake version and a consent snapshot decide is kept: queries whose root
 * fields are all data fields (cacheable-queries.ts; never `lake`, rebuilds or
 * mutations), answered without any error. The key is the caller's role, the
 * kept versions (the live one first), the consent snapshot's generation, the
 * operation name, the document text and the variables; a new or expired
 * version or a consent change (a revocation) empties the cache at once, so
 * withdrawn customers' answers are dropped, not merely no longer found. Every
 * limit still runs before the lookup (Apollo calls this after parsing,
 * validation and the cost check).
 */

export { MAX_ENTRY_BYTES, stringifyResult } from './kept-answer-text';

type Data = Record<string, unknown>;

/** A kept answer: its JSON text, and the name of the operation it answered (for metrics and the log line). */
export interface Kept {
  text: string;
  operation: string | null;
}

/** What a request asks, as the key is made of it (the body's own values: Apollo's `request`). */
export type Asked = RecentAsk['asked'];


/** How many of the most recently kept or served keys are remembered, across versions, for recentAsks. */
const RECENT_KEYS = 16;

/** Heap bytes of a string: V8 keeps a text of Latin-1 characters at one byte each, any other at two. */
function textBytes(text: string): number {
  return NOT_LATIN1.test(text) ? 2 * text.length : text.length;
}
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/** The server's cache of whole answers, or null: none when its bytes are 0 or the read cache is off (every answer read afresh). */
export const responseCacheFor = (config: { responseCacheBytes: number; queryCacheRows: number }): ResponseCache | null =>
  config.responseCacheBytes > 0 && config.queryCacheRows > 0 ? new ResponseCache(config.responseCacheBytes) : null;

export class ResponseCache {
  private readonly entries: ByteBoundedLru<Kept>;
  /** `${kept versions, live first}|${consent generation}` of the entries held. */
  private epoch = '';
  private readonly cacheable = new CacheableQueries();
  // Private: the keys of the answers most recently kept or served, oldest first; kept across epochs (recentAsks). Each is
  // at most an entry's bound, as keep counts the key.
  private readonly recentKeys = new Map<string, true>();

  constructor(maxBytes: number) {
    this.entries = new ByteBoundedLru(maxBytes);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.bytes };
  }

  /** The key of this request's answer, or null when its answer must not be shared. */
  async keyOf(request: GraphQLRequestContextResponseForOperation<GraphqlContext>): Promise<string | null> {
    const { contextValue: ctx, operation, document, source } = request;
    // No operation resolved (an unknown or missing operationName): execution answers OPERATION_RESOLUTION_FAILURE.
    if (!operation || !this.cacheable.isCacheable(document, operation)) return null;
    return this.keyFor(ctx.principal?.role, ctx.lake, { query: source, operationName: request.request.operationName, variables: request.request.variables });
  }

  /** The key of `asked` for this role on the lake as the request sees it; null when there is none (no role, lake not readable). */
  async keyFor(role: string | undefined, lake: Pick<RequestLake, 'manifest' | 'consent' | 'isDamaged'>, asked: Asked): Promise<string | null> {
    // An empty operation name names no operation (Apollo answers OPERATION_RESOLUTION_FAILURE); in a key it would be the absent name's.
    if (!role || asked.operationName === '') return null;
    let versions: string;
    let generation: number;
    try {
      // Every kept version, the live one first: a cursor pinned to a version that expires, or is found damaged, must not find its old answer.
      versions = (await lake.manifest()).versions.map((v) => (lake.isDamaged(v.version) ? `${v.version}!` : v.version)).join(',');
      generation = (await lake.consent()).generation;
    } catch {
      return null; // execution reports whatever is wrong (lake not built, registry unreadable)
    }
    let variables: string;
    try {
      variables = JSON.stringify(asked.variables ?? {});
    } catch {
      return null; // nested too deep to write as JSON (the body parser reads deeper than JSON.stringify writes): not kept
    }
    const epoch = `${versions}|${generation}`;
    if (epoch !== this.epoch) {
      // A new live version or consent snapshot: nothing kept under the old one is served or held any longer.
      this.entries.clear();
      this.epoch = epoch;
    }
    return `${epoch}\u0000${role}\u0000${asked.operationName ?? ''}\u0000${variables}\u0000${asked.query}`;
  }

  /** The kept answer, or undefined. */
  get(key: string): Kept | undefined {
    const kept = this.entries.get(key);
    if (kept !== undefined) this.noteRecent(key);
    return kept;
  }

  /** Whether an answer is kept under `key` (its recency unchanged). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The kept answer's placeholder for Apollo (see stringifyResult), or undefined. */
  placeholder(key: string): Data | undefined {
    const kept = this.get(key);
    if (kept === undefined) return undefined;
    return placeholderOf(kept.text);
  }

  /** Keeps an answer's JSON text made under `key`, unless its epoch has passed since (a revocation seen mid-request). */
  keep(key: string, text: string, operation: string | null): void {
    if (!key.startsWith(`${this.epoch}\u0000`)) return;
    // Answers are ASCII but for customers' names: one byte a character (two when a name is not Latin-1), the key likewise.
    if (96 + text.length > MAX_ENTRY_BYTES) return;
    const bytes = 96 + textBytes(text) + textBytes(key) + 2 * (operation?.length ?? 0);
    if (bytes > MAX_ENTRY_BYTES) return;
    this.entries.set(key, { text, operation }, bytes);
    this.noteRecent(key);
  }

  /**
   * The requests of the answers most recently kept or served (newest first, at most `max`, each once), whatever
   * version they were kept on: a new version's answers to them are made as soon as it is live (answer-replay.ts).
   */
  recentAsks(max: number): RecentAsk[] {
    const asks = new Map<string, RecentAsk>();
    for (const key of [...this.recentKeys.keys()].reverse()) {
      const ask = askOfKey(key);
      if (ask && !asks.has(ask.tail)) asks.set(ask.tail, ask.ask);
      if (asks.size >= max) break;
    }
    return [...asks.values()];
  }

  private noteRecent(key: string): void {
    this.recentKeys.delete(key);
    this.recentKeys.set(key, true);
    if (this.recentKeys.size > RECENT_KEYS) this.recentKeys.delete(this.recentKeys.keys().next().value!);
  }

  /** Keeps `data` once Apollo has serialised it (stringifyResult), if it is then still answered as it is. */
  keepWhenWritten(key: string, data: Data, operation: string | null): void {
    keepOnceWritten(data, { cache: this, key, operation });
  }
}

/** The request a key was made of (keyFor), and the key without its epoch; null if it is not one. */
function askOfKey(key: string): { tail: string; ask: RecentAsk } | null {
  const parts = key.split('\u0000');
  if (parts.length < 5) return null;
  const [, role, operationName, variables] = parts;
  try {
    const asked = { query: parts.slice(4).join('\u0000'), operationName: operationName || undefined, variables: JSON.parse(variables) as Asked['variables'] };
    return { tail: key.slice(key.indexOf('\u0000') + 1), ask: { role, asked } };
  } catch {
    return null;
  }
}

/** The Apollo plugin: answers from the cache before execution, keeps error-free answers after. */
export function responseCachePlugin(cache: ResponseCache): RequestPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      let key: string | null = null;
      let hit = false;
      return {
        async responseForOperation(request) {
          key = await cache.keyOf(request);
          const data = key === null ? undefined : cache.placeholder(key);
          if (!data) return null;
          hit = true;
          return { body: { kind: 'single', singleResult: { data } }, http: { status: undefined, headers: new HeaderMap() } };
        },
        willSendResponse({ response, operationName }) {
          if (key === null || hit || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors && data && (response.http.status === undefined || response.http.status === 200)) cache.keepWhenWritten(key, data, operationName ?? null);
        },
      };
    },
  };
}
