import { createHash } from 'node:crypto';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  defaultFieldResolver,
  execute,
  getOperationAST,
  GraphQLError,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { ErrorCode } from '../errors';

/** Apollo Server 5 takes a custom executor only through its gateway hook. */
type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

export interface JitOptions {
  /** Bytes of compiled documents kept (estimated, see sizeOf). */
  cacheBytes: number;
  /** Documents selecting more fields (fragments expanded) are not compiled. */
  maxFields: number;
  /** Compiled once it has come this many times (default 2). */
  minUses?: number;
}

/**
 * A static-schema "gateway" whose executor runs operations with graphql-jit:
 * graphql-js resolves a wide page field by field (most of benchmark 3's time),
 * a compiled query walks it in generated code. Apollo parses, validates and
 * runs every plugin hook (all limits) before calling the executor, so only
 * documents that passed every limit get here. Compiling runs on the main
 * thread and cannot be interrupted (about 0.2–0.5 ms and 1.4 KB of code per
 * field on this schema), so only small data documents are compiled (no
 * introspection, at most `maxFields` fields), and only the second time they
 * come; anything else runs on graphql-js, which needs no compile step.
 */
export function jitGateway(schema: GraphQLSchema, options: JitOptions): Gateway {
  keepLazyConnectionFields(schema);
  const compiled = new CompiledQueries(schema, options.cacheBytes, options.minUses);
  const executor: Executor = async ({ document, source, operationName, request, context }) => {
    // graphql-jit's own variable errors carry no location; graphql-js's say which variable and why.
    const operation = getOperationAST(document, operationName);
    if (operation) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
      if (coerced.errors) return { errors: coerced.errors.map(asBadInput) };
    }
    const query = worthCompiling(document, operationName, options.maxFields) ? compiled.get(document, source, operationName) : null;
    if (!query) return execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
    const result = await query.query(undefined, context, request.variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
  return {
    // Apollo reads the schema from this callback, which must run before load() resolves.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

/**
 * A data document small enough to compile quickly: no introspection field
 * (graphql-jit compiles each `ofType` level into code; a few kilobytes of
 * introspection took seconds) and at most `maxFields` selections once
 * fragments are expanded (counting stops at the limit).
 */
export function worthCompiling(document: DocumentNode, operationName: string | null | undefined, maxFields: number): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  const fits = (set: SelectionSetNode, depth: number): boolean => {
    if (depth > 64) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__') && selection.name.value !== '__typename') return false;
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
  private readonly entries = new Map<string, Entry>();
  private readonly seen = new Map<string, number>();
  /** Estimated bytes held now; never above the budget. */
  bytes = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxBytes: number,
    private readonly minUses = 2,
  ) {}

  get(document: DocumentNode, source: string, operationName: string | null): CompiledQuery | null {
    const key = `${operationName ?? ''}\n${source}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (!this.seenBefore(key)) return null;
      entry = this.compile(document, operationName, key.length);
      if (entry.bytes > this.maxBytes) return entry.query; // run once, never kept
      this.bytes += entry.bytes;
    } else {
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
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
      const result: CompiledQuery | ExecutionResult = compileQuery(this.schema, document, operationName ?? undefined, { debug: true } as never);
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
 * UTF-16 source by V8, plus its bytecode, about as large again) and the
 * document, whose AST and per-field resolve infos take ~64 bytes per character
 * of source (measured on this schema, see README).
 */
const sizeOf = (codeLength: number, sourceLength: number): number => 4 * codeLength + 64 * sourceLength;

/**
 * graphql-jit reads a field without a resolver as a plain property, while
 * graphql-js calls a function-valued one; connections rely on that for their
 * lazy totalCount (connection.ts). Connection fields get graphql-js's own
 * default resolver, which is what graphql-js already runs for them, and it
 * costs one call per page, not per row.
 */
function keepLazyConnectionFields(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith('Connection')) continue;
    for (const field of Object.values(type.getFields())) field.resolve ??= defaultFieldResolver;
  }
}

const asBadInput = (error: GraphQLError): GraphQLError =>
  new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });

/**
 * graphql-jit's errors imitate GraphQLError but may lack `extensions`, which
 * Apollo's error formatting reads before our formatError runs; rebuild them as
 * graphql-js errors with the same message, path, locations and cause.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  if (error.locations) (rebuilt as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return rebuilt;
}
