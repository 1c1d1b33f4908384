import { type ApolloServerPlugin, type GraphQLRequestContextResponseForOperation, HeaderMap } from '@apollo/server';
import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ByteBoundedLru } from '../byte-bounded-lru';
import { giveBackColumnBytes, jsonParts, partsText } from '../graphql/column-text';
import type { GraphqlContext } from '../graphql/context';
import { releaseRawJson, withRawJson, withRawJsonBytes } from '../graphql/raw-json';
import { giveBack } from '../byte-pool';
import { bytesAnswerToken } from './sent-as-bytes';
import type { RequestLake } from '../graphql/request-lake';

/**
 * Whole answers of repeated read queries, so a client asking the same thing
 * again skips execution (resolvers, loaders, the engine, cursors). Only what
 * a lake version and a consent snapshot decide is kept: queries whose root
 * fields are all data fields (DATA_ROOT_FIELDS; never `lake`, rebuilds or
 * mutations), answered without any error. The key is the caller's role, the
 * kept versions (the live one first), the consent snapshot's generation, the
 * operation name, the document text and the variables; a new or expired
 * version or a consent change (a revocation) empties the cache at once, so
 * withdrawn customers' answers are dropped, not merely no longer found. Every
 * limit still runs before the lookup (Apollo calls this after parsing,
 * validation and the cost check).
 */

/** Root fields whose answer is a function of (role, version, consent snapshot, arguments). */
export const DATA_ROOT_FIELDS: ReadonlySet<string> = new Set(['customer', 'customers', 'stepTrainerReadings', 'accelerometerReadings', 'machineLearningSamples', '__typename']);

/** Answers above this estimate are not kept (bulk pages stream through). */
export const MAX_ENTRY_BYTES = 256 * 1024;

type Data = Record<string, unknown>;

/** A kept answer: its JSON text, and the name of the operation it answered (for metrics and the log line). */
export interface Kept {
  text: string;
  operation: string | null;
}

/** What a request asks, as the key is made of it (the body's own values: Apollo's `request`). */
export interface Asked {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * An answer is kept as its JSON text (one string: no object graph for the
 * garbage collector to walk, and its size is known), taken from the one
 * serialisation Apollo makes anyway; a hit hands Apollo a placeholder that
 * `stringifyResult` turns back into that text, unparsed.
 */
const texts = new WeakMap<object, string>();
/** Answers to keep once serialised: their data object, and where and under which key. */
const toKeep = new WeakMap<object, { cache: ResponseCache; key: string; operation: string | null }>();

/**
 * Apollo's stringifyResult: a kept answer's text as it was, anything else as Apollo writes it (JSON and a newline: the
 * same text, see column-text.ts), with any JSON text a resolver made written in (raw-json.ts).
 */
export function stringifyResult(value: { data?: unknown; errors?: unknown; extensions?: unknown }): string {
  const data = value.data && typeof value.data === 'object' ? value.data : undefined;
  const kept = data && texts.get(data);
  const pending = data && toKeep.get(data);
  if (!data || !onlyData(value)) return `${withRawJson(data, JSON.stringify(value))}\n`;
  // Without errors or extensions, Apollo's JSON of the result is exactly {"data":…}; a columnar page's lists are written as their texts.
  if (kept !== undefined) {
    if (pending) pending.cache.keep(pending.key, kept, pending.operation);
    return `{"data":${kept}}\n`;
  }
  const parts = jsonParts(data) ?? [];
  // An answer holding bytes (a bulk page's edges, a prepared batch page's columns) that the cache will not keep is sent
  // as bytes (sent-as-bytes.ts), never made a string; (a UTF-16 text at least a third as long as 1.5 × the bound is over it).
  const bytes = withRawJsonBytes(data, ['{"data":', ...parts, '}\n']);
  const token = bytes && (!pending || bytes.length > 1.5 * MAX_ENTRY_BYTES) ? bytesAnswerToken(bytes) : undefined;
  if (token !== undefined) {
    releaseRawJson(data);
    giveBackColumnBytes(parts);
    return token;
  }
  if (bytes) giveBack(bytes);
  const text = withRawJson(data, partsText(parts));
  giveBackColumnBytes(parts);
  if (pending) pending.cache.keep(pending.key, text, pending.operation);
  return `{"data":${text}}\n`;
}

/** A result with nothing but its data (no errors, extensions or any other member with a value). */
function onlyData(value: object): boolean {
  for (const [key, member] of Object.entries(value)) if (key !== 'data' && member !== undefined) return false;
  return true;
}

/** The server's cache of whole answers, or null: none when its bytes are 0 or the read cache is off (every answer read afresh). */
export const responseCacheFor = (config: { responseCacheBytes: number; queryCacheRows: number }): ResponseCache | null =>
  config.responseCacheBytes > 0 && config.queryCacheRows > 0 ? new ResponseCache(config.responseCacheBytes) : null;

export class ResponseCache {
  private readonly entries: ByteBoundedLru<Kept>;
  /** `${kept versions, live first}|${consent generation}` of the entries held. */
  private epoch = '';
  private readonly cacheable = new WeakMap<DocumentNode, Map<string, boolean>>();

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
    if (!operation || !this.isCacheable(document, operation)) return null;
    return this.keyFor(ctx.principal?.role, ctx.lake, { query: source, operationName: request.request.operationName, variables: request.request.variables });
  }

  /** The key of `asked` for this role on the lake as the request sees it; null when there is none (no role, lake not readable). */
  async keyFor(role: string | undefined, lake: Pick<RequestLake, 'manifest' | 'consent' | 'isDamaged'>, asked: Asked): Promise<string | null> {
    if (!role) return null;
    let versions: string;
    let generation: number;
    try {
      // Every kept version, the live one first: a cursor pinned to a version that expires, or is found damaged, must not find its old answer.
      versions = (await lake.manifest()).versions.map((v) => (lake.isDamaged(v.version) ? `${v.version}!` : v.version)).join(',');
      generation = (await lake.consent()).generation;
    } catch {
      return null; // execution reports whatever is wrong (lake not built, registry unreadable)
    }
    const epoch = `${versions}|${generation}`;
    if (epoch !== this.epoch) {
      // A new live version or consent snapshot: nothing kept under the old one is served or held any longer.
      this.entries.clear();
      this.epoch = epoch;
    }
    return `${epoch}\u0000${role}\u0000${asked.operationName ?? ''}\u0000${JSON.stringify(asked.variables ?? {})}\u0000${asked.query}`;
  }

  /** The kept answer, or undefined. */
  get(key: string): Kept | undefined {
    return this.entries.get(key);
  }

  /** The kept answer's placeholder for Apollo (see stringifyResult), or undefined. */
  placeholder(key: string): Data | undefined {
    const kept = this.entries.get(key);
    if (kept === undefined) return undefined;
    const placeholder: Data = {};
    texts.set(placeholder, kept.text);
    return placeholder;
  }

  /** Keeps an answer's JSON text made under `key`, unless its epoch has passed since (a revocation seen mid-request). */
  keep(key: string, text: string, operation: string | null): void {
    if (!key.startsWith(`${this.epoch}\u0000`)) return;
    // Answers are ASCII but for customers' names: one byte a character, two at worst; the key likewise.
    const bytes = 96 + 2 * (text.length + key.length + (operation?.length ?? 0));
    if (bytes <= MAX_ENTRY_BYTES) this.entries.set(key, { text, operation }, bytes);
  }

  /** Keeps `data` once Apollo has serialised it (stringifyResult), if it is then still answered as it is. */
  keepWhenWritten(key: string, data: Data, operation: string | null): void {
    toKeep.set(data, { cache: this, key, operation });
  }

  private isCacheable(document: DocumentNode, operation: OperationDefinitionNode): boolean {
    let byOperation = this.cacheable.get(document);
    if (!byOperation) this.cacheable.set(document, (byOperation = new Map()));
    const name = operation.name?.value ?? '';
    let cacheable = byOperation.get(name);
    if (cacheable === undefined) byOperation.set(name, (cacheable = operation.operation === 'query' && onlyDataRoots(document, operation.selectionSet, 0)));
    return cacheable;
  }
}

/** Every root field (fragments at the root expanded) is a data field. */
function onlyDataRoots(document: DocumentNode, set: SelectionSetNode, depth: number): boolean {
  if (depth > 16) return false;
  return set.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return DATA_ROOT_FIELDS.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyDataRoots(document, selection.selectionSet, depth + 1);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION && onlyDataRoots(document, fragment.selectionSet, depth + 1);
  });
}

/** The Apollo plugin: answers from the cache before execution, keeps error-free answers after. */
export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
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
        async willSendResponse({ response, operationName }) {
          if (key === null || hit || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors && data && (response.http.status === undefined || response.http.status === 200)) cache.keepWhenWritten(key, data, operationName ?? null);
        },
      };
    },
  };
}
