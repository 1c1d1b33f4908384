import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { defaultFieldResolver, execute, GraphQLError, type GraphQLFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../errors';
import type { GraphqlContext } from '../graphql/context';
import { clientGone } from '../graphql/still-wanted';
import { withWholeColumnLists } from '../graphql/column-lists';
import { edgesInTurns } from '../graphql/edge-turns';
import { moveRawJson } from '../graphql/raw-json';
import { NotRendered, withRenderedEdges } from '../graphql/rendered-edges';
import { coercedVariables } from './coerced-variables';
import { CompiledQueries, worthCompiling } from './compiled-queries';
import { IntrospectionAnswers } from './introspection-answers';
import { rerunOnLakeChange } from './lake-change-rerun';

/** Apollo Server 5 takes a custom executor only through its gateway hook. */
type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
export type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

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
  // Compiled against the same schema with each column of a columnar page completed whole (same JSON), and,
  // for documents that select only scalars of a training-set page's nodes, its edges written as one text.
  const wholeColumns = withWholeColumnLists(schema);
  const compiled = new CompiledQueries(wholeColumns, options.cacheBytes, options.minUses, withRenderedEdges(wholeColumns));
  const introspection = new IntrospectionAnswers(schema);
  const executor: Executor = async ({ document, source, operationName, operation, request, context }) => {
    // graphql-jit's own variable errors carry no location; graphql-js's say which variable and why.
    if (operation) {
      // Coerced once a request: the cost check has, when they coerce (coerced-variables.ts).
      const coerced = coercedVariables(schema, operation, request.variables ?? {});
      if (coerced.errors) return { errors: coerced.errors.map(asBadInput) };
    }
    const described = introspection.answer(document, operation, context);
    if (described) return described;
    const query = operation && worthCompiling(document, operationName, options.maxFields) ? compiled.get(document, source, operationName) : null;
    // No resolved operation (an unknown operationName, or several operations and none named): graphql-js
    // reports it given the name the client sent (Apollo's `operationName` is the resolved one, null here).
    if (!query) return execute({ schema, document, operationName: operation ? operationName : request.operationName, variableValues: request.variables, contextValue: context });
    const result = await query.query(undefined, context, request.variables);
    moveRawJson(context, result.data);
    // A page whose edges were not written as text (a value its scalar would change or refuse): graphql-js answers it all.
    if (result.errors?.some((e) => e.originalError instanceof NotRendered)) {
      return execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
    }
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
  return {
    // Apollo reads the schema from this callback, which must run before load() resolves.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor: forClientsStillThere(rerunOnLakeChange(executor)) };
    },
    async stop() {},
  };
}

/**
 * An operation whose client is gone (client-gone.ts) is not begun, and once run its answer is dropped for a short
 * error: serialising a 10,000-row page no one reads was the last of the work left after the client closed.
 */
const forClientsStillThere =
  (execute: Executor): Executor =>
  async (request) => {
    const gone = (request.context as Partial<GraphqlContext>).gone;
    if (gone?.aborted) return { errors: [clientGone()] };
    const result = await execute(request);
    return gone?.aborted ? { errors: [clientGone()] } : result;
  };

/**
 * graphql-jit reads a field without a resolver as a plain property, while
 * graphql-js calls a function-valued one; connections rely on that for their
 * lazy totalCount (connection.ts). Connection fields get graphql-js's own
 * default resolver, which is what graphql-js already runs for them, and it
 * costs one call per page, not per row. Their edges are completed a stretch
 * at a time (edge-turns.ts), under either executor.
 */
function keepLazyConnectionFields(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith('Connection')) continue;
    for (const field of Object.values(type.getFields())) field.resolve ??= defaultFieldResolver;
    // Once per schema, however many servers share it; `nodes` (the same rows without cursors) as `edges`.
    for (const list of [type.getFields().edges, type.getFields().nodes]) {
      if (list && !inTurns.has(list.resolve!)) inTurns.add((list.resolve = edgesResolver(list.resolve ?? defaultFieldResolver)));
    }
  }
}

const inTurns = new WeakSet<GraphQLFieldResolver<unknown, object>>();

const edgesResolver =
  (read: GraphQLFieldResolver<unknown, object>): GraphQLFieldResolver<unknown, object> =>
  (source, args, context, info) => {
    const edges: unknown = read(source, args, context, info);
    return Array.isArray(edges) ? edgesInTurns(context, edges, (context as GraphqlContext).gone) : edges;
  };

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
