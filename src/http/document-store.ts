import type { DocumentStore as ApolloDocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';

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

interface Entry {
  document: DocumentNode;
  bytes: number;
}

export class DocumentStore implements ApolloDocumentStore {
  // Private: insertion order is recency order (an entry is re-inserted on every hit).
  private readonly entries = new Map<string, Entry>();
  /** Estimated bytes held now; never above `maxBytes`. */
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** Bytes reserved per document for what hangs off it (its cost estimates, operation-costs.ts). */
    private readonly extraBytesPerDocument = 0,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    const bytes = documentBytes(document) + 2 * key.length + this.extraBytesPerDocument;
    await this.delete(key);
    if (bytes > this.maxBytes) return; // parsed and validated again next time, never kept
    this.entries.set(key, { document, bytes });
    this.bytes += bytes;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return true;
  }
}
