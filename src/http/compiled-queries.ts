import { createHash } from 'node:crypto';
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { ByteBoundedLru } from '../byte-bounded-lru';
import { rendersEdges } from '../graphql/rendered-edges';

/**
 * What graphql-jit may compile and which compiled documents are kept
 * (jit-executor.ts runs them): compiling is synchronous work on the main
 * thread, so both are bounded.
 */

/**
 * A data document small enough to compile quickly: no introspection field
 * (graphql-jit compiles each `ofType` level into code; a few kilobytes of
 * introspection took seconds) and at most `maxFields` selections once
 * fragments are expanded (counting stops at the limit); none under a
 * directive (graphql-jit keeps a left-out field's place in the answer's key
 * order, graphql-js does not: such documents run on graphql-js); and none
 * with a field aliased `__proto__` or a variable `$__proto__` (graphql-jit
 * dropped the field from the answer, and misread the variable).
 */
export function worthCompiling(document: DocumentNode, operationName: string | null | undefined, maxFields: number): boolean {
  // Apollo hands the same document object for the same text (its document store): decide once per operation.
  let byOperation = decided.get(document);
  if (!byOperation) decided.set(document, (byOperation = new Map()));
  const key = `${operationName ?? ''}\n${maxFields}`;
  let worth = byOperation.get(key);
  if (worth === undefined) byOperation.set(key, (worth = decideWorth(document, operationName, maxFields)));
  return worth;
}

const decided = new WeakMap<DocumentNode, Map<string, boolean>>();

/** The one name graphql-jit's generated code cannot hold as a key (a response key or a variable). */
const PROTO = '__proto__';

function decideWorth(document: DocumentNode, operationName: string | null | undefined, maxFields: number): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return false;
  // graphql-jit read a variable `$__proto__` as the variables' prototype ({}): an internal error, or the default page size.
  if (operation.variableDefinitions?.some((definition) => definition.variable.name.value === PROTO)) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  const fits = (set: SelectionSetNode, depth: number): boolean => {
    if (depth > 64) return false;
    for (const selection of set.selections) {
      // graphql-jit orders a field that @skip/@include leaves out where it stands, before its namesake that is included.
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__') && selection.name.value !== '__typename') return false;
        // graphql-jit writes each answer as an object literal, where a `__proto__:` key sets the prototype: the field was lost.
        if (selection.alias?.value === PROTO) return false;
        fields += 1;
        if (fields > maxFields) return false;
        if (selection.selectionSet && !fits(selection.selectionSet, depth + 1)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!fits(selection.selectionSet, depth + 1)) return false;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || !fits(fragment.selectionSet, depth + 1)) return false;
      }
    }
    return true;
  };
  return fits(operation.selectionSet, 0);
}

/** Digests of documents seen fewer than minUses times (about 100 bytes each). */
const SEEN_DIGESTS = 10_000;

interface Entry {
  query: CompiledQuery | null;
  bytes: number;
}

/** An LRU of compiled operations by source text and operation name, bounded by estimated bytes; `null` remembers "not compilable". */
export class CompiledQueries {
  private readonly entries: ByteBoundedLru<CompiledQuery | null>;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly schema: GraphQLSchema,
    maxBytes: number,
    private readonly minUses = 2,
    /** The schema with text-written edges (rendered-edges.ts), for the documents whose every such edges it writes. */
    private readonly renderedSchema?: GraphQLSchema,
  ) {
    this.entries = new ByteBoundedLru(maxBytes);
  }

  /** Estimated bytes held now; never above the budget. */
  get bytes(): number {
    return this.entries.bytes;
  }

  get(document: DocumentNode, source: string, operationName: string | null): CompiledQuery | null {
    const key = `${operationName ?? ''}\n${source}`;
    if (this.entries.has(key)) return this.entries.get(key)!;
    if (!this.seenBefore(key)) return null;
    const entry = this.compile(document, operationName, key.length);
    // One larger than the whole budget runs once and is never kept.
    this.entries.set(key, entry.query, entry.bytes);
    return entry.query;
  }

  /**
   * A document is compiled once it has come `minUses` times: notebooks repeat
   * theirs page after page, while a client sending new text every time (the
   * costly case) never gets one compiled. Remembers a bounded number of digests.
   */
  private seenBefore(key: string): boolean {
    if (this.minUses <= 1) return true;
    const digest = createHash('sha256').update(key).digest('base64');
    const uses = (this.seen.get(digest) ?? 0) + 1;
    this.seen.delete(digest);
    if (uses >= this.minUses) return true;
    this.seen.set(digest, uses);
    if (this.seen.size > SEEN_DIGESTS) this.seen.delete(this.seen.keys().next().value as string);
    return false;
  }

  private compile(document: DocumentNode, operationName: string | null, keyLength: number): Entry {
    try {
      const schema = this.renderedSchema && rendersEdges(this.schema, document) ? this.renderedSchema : this.schema;
      const result: CompiledQuery | ExecutionResult = compileQuery(schema, document, operationName ?? undefined, { debug: true } as never);
      if (!isCompiledQuery(result)) return { query: null, bytes: 2 * keyLength };
      const code = (result as { __DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation?: string }).__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation ?? '';
      delete (result as { __DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation?: string }).__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation;
      return { query: result, bytes: sizeOf(code.length, keyLength) };
    } catch {
      return { query: null, bytes: 2 * keyLength }; // graphql-js then reports whatever is wrong with the document itself
    }
  }
}

/**
 * Estimated bytes a compiled document holds: its generated code (kept as
 * UTF-16 source by V8, plus its bytecode, about as large again) and a rough
 * allowance of 64 bytes per character of source for the document's AST and
 * the per-field resolve infos graphql-jit keeps (an estimate, not a measure).
 */
const sizeOf = (codeLength: number, sourceLength: number): number => 4 * codeLength + 64 * sourceLength;
