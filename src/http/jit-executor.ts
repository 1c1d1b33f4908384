import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { defaultFieldResolver, execute, GraphQLError, isObjectType, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Apollo Server 5 takes a custom executor only through its gateway hook. */
type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** Compiled operations kept; a client sends a handful of distinct documents, so this bounds memory, not hit rate. */
const MAX_COMPILED = 500;

/**
 * A static-schema "gateway" whose executor runs operations with graphql-jit:
 * graphql-js resolves a wide page field by field (most of benchmark 3's time),
 * a compiled query walks it in generated code. Apollo still parses, validates
 * and runs every plugin hook before calling the executor; documents graphql-jit
 * cannot compile run through graphql-js's `execute` unchanged.
 */
export function jitGateway(schema: GraphQLSchema, maxCompiled = MAX_COMPILED): Gateway {
  keepLazyConnectionFields(schema);
  const compiled = new CompiledQueries(schema, maxCompiled);
  const executor: Executor = async ({ document, source, operationName, operation, request, context }) => {
    // No resolved operation (an unknown operationName, or several operations and none named): graphql-js
    // reports it given the name the client sent (Apollo's `operationName` is the resolved one, null here).
    const query = operation ? compiled.get(document, source, operationName) : null;
    if (!query) return execute({ schema, document, operationName: operation ? operationName : request.operationName, variableValues: request.variables, contextValue: context });
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

/** A bounded LRU of compiled operations by source text and operation name; `null` remembers "not compilable". */
class CompiledQueries {
  private readonly entries = new Map<string, CompiledQuery | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly max: number,
  ) {}

  get(document: DocumentNode, source: string, operationName: string | null): CompiledQuery | null {
    const key = `${operationName ?? ''}\n${source}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.compile(document, operationName);
    } else {
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  private compile(document: DocumentNode, operationName: string | null): CompiledQuery | null {
    try {
      const result: CompiledQuery | ExecutionResult = compileQuery(this.schema, document, operationName ?? undefined);
      return isCompiledQuery(result) ? result : null;
    } catch {
      return null; // graphql-js then reports whatever is wrong with the document itself
    }
  }
}

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
