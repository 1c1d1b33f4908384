import type { DocumentStore as ApolloDocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { ByteBoundedLru } from '../byte-bounded-lru';

/**
 * Apollo's cache of parsed and validated documents by query hash, bounded by
 * estimated heap bytes. Apollo's default is an LRU of 30 MiB measured as
 * JSON text, but a parsed document keeps its token list and source too: on
 * this schema it holds 4–5x its JSON size, so a client sending new text every
 * time could make it hold well over 100 MiB.
 */

/** Heap bytes per lexical token a parsed document keeps (token, AST node, location): ~270–350 measured, rounded up. */
const BYTES_PER_TOKEN = 400;

/** Estimated heap bytes of a parsed document: its source text (two bytes a character at worst) and its tokens. */
export function documentBytes(document: DocumentNode): number {
  const loc = document.loc;
  if (!loc) return 0;
  let tokens = 0;
  for (let token = loc.startToken; token; token = token.next as typeof token) tokens += 1;
  return 2 * loc.source.body.length + BYTES_PER_TOKEN * tokens;
}

export class DocumentStore implements ApolloDocumentStore {
  private readonly lru: ByteBoundedLru<DocumentNode>;

  constructor(
    maxBytes: number,
    /** Bytes reserved per document for what hangs off it (its cost estimates, operation-costs.ts). */
    private readonly extraBytesPerDocument = 0,
  ) {
    this.lru = new ByteBoundedLru(maxBytes);
  }

  /** Estimated bytes held now; never above the budget. */
  get bytes(): number {
    return this.lru.bytes;
  }

  get size(): number {
    return this.lru.size;
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    // A document larger than the whole budget is parsed and validated again next time, never kept.
    this.lru.set(key, document, documentBytes(document) + 2 * key.length + this.extraBytesPerDocument);
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }
}
